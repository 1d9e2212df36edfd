package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/caseline/caseline/care"
)

// langCookie keeps the language a visitor chose.
const langCookie = "cl_lang"

// catalog is the console's words in one language; a template calls .L.T "key".
type catalog struct {
	lang care.Language
	loc  *time.Location
}

// T returns the text of key in the catalog's language; a missing key shows itself, so a
// test can find it.
func (c catalog) T(key string) string {
	w, ok := words[key]
	if !ok {
		return "?" + key
	}
	if c.lang == care.English {
		return w[1]
	}
	return w[0]
}

// F is T with fmt verbs filled by args.
func (c catalog) F(key string, args ...any) string { return fmt.Sprintf(c.T(key), args...) }

// Lang is the page's language code, for <html lang>.
func (c catalog) Lang() string { return string(c.lang) }

// Other is the language the switch offers.
func (c catalog) Other() string {
	if c.lang == care.English {
		return "vi"
	}
	return "en"
}

// Time shows t as local date and time.
func (c catalog) Time(t time.Time) string { return t.In(c.loc).Format("02/01/2006 15:04") }

// TimeP is Time of a pointer; nil shows as a dash.
func (c catalog) TimeP(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return c.Time(*t)
}

// Date shows t as a local date.
func (c catalog) Date(t time.Time) string { return t.In(c.loc).Format("02/01/2006") }

// Enum shows an enumerated value (a step, category, need area, reason…) in words.
func (c catalog) Enum(kind string, v any) string {
	key := kind + "." + fmt.Sprint(v)
	if _, ok := words[key]; !ok {
		return fmt.Sprint(v)
	}
	return c.T(key)
}

// language is the visitor's choice (the cookie), else the staff member's, else Vietnamese.
func language(r *http.Request, st *care.Staff) care.Language {
	if c, err := r.Cookie(langCookie); err == nil && care.Language(c.Value).Valid() {
		return care.Language(c.Value)
	}
	if st != nil && st.Language.Valid() {
		return st.Language
	}
	return care.Vietnamese
}

// words holds every label: Vietnamese (with diacritics) first, English second.
var words = map[string][2]string{
	"app":              {"Caseline – Bàn làm việc", "Caseline – Staff console"},
	"skip":             {"Bỏ qua, đến nội dung chính", "Skip to main content"},
	"nav":              {"Điều hướng chính", "Main navigation"},
	"nav.inbox":        {"Hộp việc", "Inbox"},
	"nav.people":       {"Người khuyết tật", "People"},
	"nav.plans":        {"Kế hoạch chờ duyệt", "Plans to approve"},
	"nav.report":       {"Báo cáo tháng", "Monthly report"},
	"signout":          {"Đăng xuất", "Sign out"},
	"switch":           {"English", "Tiếng Việt"},
	"signedin":         {"Đang đăng nhập: %s", "Signed in: %s"},
	"signin.title":     {"Đăng nhập", "Sign in"},
	"signin.phone":     {"Số điện thoại của anh/chị", "Your phone number"},
	"signin.phonehint": {"Ví dụ: 0901 000 101", "For example: 0901 000 101"},
	"signin.send":      {"Gửi mã đăng nhập", "Send me a code"},
	"signin.sent":      {"Nếu số này là của cán bộ, mã đăng nhập vừa được gửi bằng tin nhắn. Mã có hiệu lực 10 phút.", "If this number belongs to a staff member, a sign-in code was just sent by SMS. It works for 10 minutes."},
	"signin.code":      {"Mã đăng nhập (6 chữ số)", "Sign-in code (6 digits)"},
	"signin.go":        {"Đăng nhập", "Sign in"},
	"signin.wrong":     {"Mã không đúng hoặc đã hết hạn. Anh/chị có thể xin mã mới.", "The code is wrong or has expired. You can ask for a new one."},
	"signin.locked":    {"Nhập sai quá nhiều lần. Số này bị khóa 15 phút, xin thử lại sau.", "Too many wrong codes. This number is locked for 15 minutes; please try again later."},
	"signin.badphone":  {"Số điện thoại không hợp lệ.", "That phone number is not valid."},
	"signin.again":     {"Xin mã mới", "Ask for a new code"},
	"sms.code":         {"Mã đăng nhập Caseline của anh/chị: %s. Mã có hiệu lực 10 phút. Không đưa mã này cho ai.", "Your Caseline sign-in code: %s. It works for 10 minutes. Do not share it."},

	"inbox.title":      {"Hộp việc", "Inbox"},
	"inbox.empty":      {"Không có việc nào đang chờ.", "Nothing is waiting."},
	"inbox.more":       {"Còn việc khác đang chờ: xử lý xong những việc trên, danh sách sẽ hiện tiếp.", "More is waiting: as these are done, the next ones appear."},
	"inbox.refresh":    {"Danh sách tự cập nhật mỗi 30 giây.", "This list updates itself every 30 seconds."},
	"inbox.what":       {"Việc", "What"},
	"inbox.who":        {"Người", "Person"},
	"inbox.sla":        {"Thời hạn", "Deadline"},
	"inbox.level":      {"Cấp", "Level"},
	"inbox.told":       {"Đã báo cho", "Told"},
	"inbox.actions":    {"Xử lý", "Actions"},
	"inbox.safety":     {"An toàn", "Safety"},
	"inbox.urgent":     {"Khẩn", "Urgent"},
	"inbox.normal":     {"Thường", "Normal"},
	"inbox.unfinished": {"Bỏ dở giữa chừng", "Started, not finished"},
	"inbox.left":       {"còn %s", "%s left"},
	"inbox.overdue":    {"quá hạn %s", "overdue by %s"},
	"inbox.nosla":      {"đã nhận", "taken"},
	"inbox.ackedby":    {"Đã nhận: %s", "Taken by %s"},
	"inbox.ack":        {"Nhận xử lý", "Acknowledge"},
	"inbox.resolve":    {"Đã giải quyết", "Resolve"},
	"inbox.outcome":    {"Kết quả", "Outcome"},
	"inbox.stranger":   {"Người chưa đăng ký", "Unregistered caller"},
	"inbox.nobody":     {"chưa ai", "nobody yet"},
	"inbox.help":       {"Yêu cầu hỗ trợ", "Help request"},
	"level.0":          {"Cán bộ phụ trách", "Case manager"},
	"level.1":          {"Cán bộ giám sát", "Supervisor"},
	"level.2":          {"Cán bộ trực", "Duty officer"},

	"people.title":  {"Người khuyết tật", "People"},
	"people.search": {"Tìm theo tên hoặc số điện thoại", "Search by name or phone"},
	"people.step":   {"Bước của hồ sơ", "Case step"},
	"people.need":   {"Nhu cầu", "Need area"},
	"people.any":    {"Tất cả", "Any"},
	"people.find":   {"Tìm", "Search"},
	"people.none":   {"Không tìm thấy ai.", "Nobody found."},
	"people.name":   {"Họ tên", "Name"},
	"people.phone":  {"Số điện thoại", "Phone"},
	"people.nocase": {"Chưa có hồ sơ mở", "No open case"},
	"people.more":   {"Chỉ hiện 50 người đầu tiên; hãy thu hẹp tìm kiếm.", "Only the first 50 are shown; narrow the search."},

	"person.profile":     {"Thông tin", "Profile"},
	"person.channel":     {"Kênh liên lạc", "Channel"},
	"person.disability":  {"Dạng khuyết tật", "Disability"},
	"person.language":    {"Ngôn ngữ", "Language"},
	"person.caregiver":   {"Người chăm sóc", "Caregiver"},
	"person.status":      {"Trạng thái", "Status"},
	"person.nocaregiver": {"Không có", "None"},
	"person.case":        {"Hồ sơ trợ giúp", "Case"},
	"person.opencase":    {"Mở hồ sơ", "Open a case"},
	"person.reopen":      {"Mở lại hồ sơ", "Reopen the case"},
	"person.closedon":    {"Hồ sơ đã đóng ngày %s, lý do: %s.", "The case closed on %s: %s."},
	"person.timeline":    {"Năm bước của hồ sơ", "The case's five steps"},
	"person.notyet":      {"Chưa đến bước này", "Not reached yet"},
	"person.thread":      {"Tin nhắn", "Messages"},
	"person.nomessages":  {"Chưa có tin nhắn.", "No messages yet."},
	"person.sendsms":     {"Gửi tin nhắn", "Send SMS"},
	"person.smstext":     {"Nội dung tin nhắn", "Message"},
	"person.smshint":     {"Tin nhắn gửi không dấu, tối đa 3 tin. Không nhắc đến báo cáo bạo lực hay xâm hại: người khác có thể đọc điện thoại này.", "Sent without diacritics, at most 3 SMS. Do not mention a report of violence or abuse: someone else may read this phone."},
	"person.appts":       {"Lịch hẹn", "Appointments"},
	"person.noappts":     {"Chưa có lịch hẹn.", "No appointments."},
	"person.checkins":    {"Hỏi thăm định kỳ", "Check-ins"},
	"person.schedules":   {"Lịch hỏi thăm", "Check-in schedules"},
	"person.help":        {"Yêu cầu hỗ trợ", "Help requests"},
	"person.nohelp":      {"Chưa có yêu cầu.", "No help requests."},
	"person.in":          {"Đến", "In"},
	"person.out":         {"Đi", "Out"},
	"person.assessment":  {"Đánh giá nhu cầu", "Needs assessment"},
	"person.plan":        {"Kế hoạch trợ giúp", "Support plan"},
	"person.noplan":      {"Chưa có kế hoạch.", "No plan yet."},
	"person.step":        {"Bước hiện tại", "Current step"},
	"person.move":        {"Chuyển bước", "Move the case"},
	"person.note":        {"Ghi chú (không bắt buộc)", "Note (optional)"},

	"appt.at":      {"Ngày giờ", "Date and time"},
	"appt.date":    {"Ngày", "Date"},
	"appt.time":    {"Giờ", "Time"},
	"appt.place":   {"Địa điểm", "Place"},
	"appt.purpose": {"Mục đích", "Purpose"},
	"appt.create":  {"Đặt lịch hẹn", "Make an appointment"},
	"appt.move":    {"Đổi lịch", "Move"},
	"appt.cancel":  {"Hủy lịch", "Cancel"},
	"appt.status":  {"Trạng thái", "Status"},

	"assess.title":    {"Ghi đánh giá nhu cầu (Điều 5)", "Record a needs assessment (Article 5)"},
	"assess.priority": {"Mức ưu tiên", "Priority"},
	"assess.note":     {"Ghi chú", "Note"},
	"assess.summary":  {"Tóm tắt", "Summary"},
	"assess.save":     {"Lưu đánh giá", "Save the assessment"},
	"assess.none":     {"Chưa đánh giá.", "Not assessed yet."},
	"prio.0":          {"Không cần", "None"},
	"prio.1":          {"Thấp", "Low"},
	"prio.2":          {"Vừa", "Medium"},
	"prio.3":          {"Cao", "High"},

	"plan.title":         {"Lập kế hoạch trợ giúp", "Draft a support plan"},
	"plan.goals":         {"Mục tiêu (mỗi dòng một mục tiêu)", "Goals (one a line)"},
	"plan.service":       {"Dịch vụ %d", "Service %d"},
	"plan.area":          {"Lĩnh vực", "Area"},
	"plan.desc":          {"Dịch vụ", "Service"},
	"plan.provider":      {"Nơi cung cấp", "Provider"},
	"plan.due":           {"Hạn", "Due"},
	"plan.submit":        {"Gửi kế hoạch để duyệt", "Submit the plan for approval"},
	"plan.save":          {"Lưu bản nháp", "Save the draft"},
	"plan.status":        {"Trạng thái kế hoạch", "Plan status"},
	"plan.approve":       {"Duyệt kế hoạch", "Approve the plan"},
	"plan.return":        {"Trả lại để sửa", "Return for changes"},
	"plan.returnwhy":     {"Lý do trả lại", "Why it goes back"},
	"plan.returnedwhy":   {"Người duyệt trả lại vì", "The approver returned it because"},
	"plan.revision":      {"Kế hoạch đang chờ duyệt", "Plan on its way to approval"},
	"status.submitted":   {"Đã gửi, chờ duyệt", "Submitted, waiting for approval"},
	"status.returned":    {"Bị trả lại, cần sửa", "Returned for changes"},
	"status.replaced":    {"Đã được thay thế", "Replaced"},
	"review.next":        {"Lần rà soát tới", "Next review"},
	"review.record":      {"Ghi nhận đã rà soát", "Record the review"},
	"review.due":         {"Sắp đến hạn rà soát (7 ngày)", "Review due (within 7 days)"},
	"review.overdue":     {"Quá hạn rà soát", "Review overdue"},
	"people.review":      {"Rà soát định kỳ", "Periodic review"},
	"close.title":        {"Đóng hồ sơ", "Close the case"},
	"close.reason":       {"Lý do đóng", "Reason"},
	"close.note":         {"Ghi chú (bắt buộc khi chọn lý do khác)", "Note (needed for another reason)"},
	"close.goals_met":    {"Đã đạt mục tiêu", "Goals met"},
	"close.died":         {"Người khuyết tật đã mất", "The person died"},
	"close.moved_away":   {"Đã chuyển đi nơi khác", "Moved away"},
	"close.declined":     {"Không muốn được hỗ trợ tiếp", "Declined further support"},
	"close.lost_contact": {"Mất liên lạc", "Lost contact"},
	"close.transferred":  {"Cơ sở khác tiếp nhận", "Another service took over"},
	"close.other":        {"Lý do khác", "Another reason"},
	"transfer.title":     {"Chuyển hồ sơ sang xã khác", "Transfer to another commune"},
	"transfer.commune":   {"Mã xã nhận hồ sơ", "Code of the receiving commune"},
	"transfer.hint":      {"Cán bộ phụ trách ít hồ sơ nhất ở xã đó sẽ nhận; cả hai cán bộ được báo tin.", "The least busy case manager there takes it; both case managers are told."},
	"plan.approver":      {"Người duyệt (ghi trên bản giấy)", "Approved by (as on the paper plan)"},
	"plan.queue":         {"Kế hoạch chờ duyệt", "Plans waiting for approval"},
	"plan.queueempty":    {"Không có kế hoạch nào chờ duyệt.", "No plan is waiting."},
	"plan.author":        {"Người lập", "Drafted by"},
	"plan.mayapprove":    {"Chỉ người có quyền duyệt mới duyệt được kế hoạch.", "Only an approver can approve plans."},
	"plan.approvedby":    {"Đã duyệt bởi %s ngày %s", "Approved by %s on %s"},
	"status.draft":       {"Bản nháp", "Draft"},
	"status.approved":    {"Đã duyệt", "Approved"},
	"status.scheduled":   {"Đã hẹn", "Scheduled"},
	"status.cancelled":   {"Đã hủy", "Cancelled"},
	"status.done":        {"Đã xong", "Done"},
	"status.missed":      {"Không trả lời", "Missed"},

	"report.title":    {"Báo cáo tháng của xã", "Commune report for the month"},
	"report.month":    {"Tháng", "Month"},
	"report.show":     {"Xem", "Show"},
	"report.cases":    {"Hồ sơ mới và đã đóng", "New and closed cases"},
	"report.new":      {"Hồ sơ mới", "New cases"},
	"report.closed":   {"Hồ sơ đã đóng", "Closed cases"},
	"report.bystep":   {"Hồ sơ đang mở theo bước", "Open cases by step"},
	"report.help":     {"Yêu cầu hỗ trợ theo loại", "Help requests by category"},
	"report.sla":      {"Cảnh báo được nhận trong thời hạn", "Escalations acknowledged within the deadline"},
	"report.slaall":   {"Tổng số cảnh báo", "Escalations"},
	"report.slain":    {"Nhận trong thời hạn", "Acknowledged in time"},
	"report.checkins": {"Tỷ lệ trả lời hỏi thăm", "Check-in answer rate"},
	"report.ckdue":    {"Lượt hỏi thăm đã hết hạn trả lời", "Check-ins that closed"},
	"report.ckans":    {"Đã trả lời", "Answered"},
	"report.ussd":     {"Nơi người dùng USSD bỏ dở", "Where USSD callers left"},
	"report.voice":    {"Nơi người gọi thoại bỏ dở", "Where voice callers left"},
	"report.what":     {"Mục", "Item"},
	"report.count":    {"Số lượng", "Count"},
	"report.csv":      {"Tải bảng (CSV)", "Download the table (CSV)"},
	"report.nothing":  {"Không có số liệu trong tháng này.", "No figures this month."},
	"report.percent":  {"%d trên %d (%d%%)", "%d of %d (%d%%)"},
	"report.chart":    {"Biểu đồ: %s", "Chart: %s"},
	"err.title":       {"Có lỗi", "Something went wrong"},
	"err.404":         {"Không tìm thấy trang hoặc hồ sơ này.", "This page or record was not found."},
	"err.403":         {"Biểu mẫu đã hết hạn hoặc không hợp lệ. Xin tải lại trang và thử lại.", "The form has expired or is not valid. Please reload the page and try again."},
	"err.409":         {"Việc này đã được người khác xử lý hoặc không còn làm được nữa.", "This was already done, or can no longer be done."},
	"err.400":         {"Thông tin nhập chưa đúng: %s", "Something entered is not right: %s"},
	"err.500":         {"Hệ thống đang gặp sự cố. Xin thử lại sau ít phút.", "The system has a problem. Please try again in a few minutes."},
	"back":            {"Quay lại", "Go back"},

	"step.assessment":         {"1. Đánh giá nhu cầu", "1. Assessment"},
	"step.planning":           {"2. Lập kế hoạch", "2. Planning"},
	"step.implementation":     {"3. Thực hiện", "3. Implementation"},
	"step.monitoring":         {"4. Theo dõi", "4. Monitoring"},
	"step.evaluation":         {"5. Đánh giá kết quả", "5. Evaluation"},
	"step.closed":             {"Đã đóng", "Closed"},
	"event.plan":              {"Chuyển sang lập kế hoạch", "Move to planning"},
	"event.implement":         {"Bắt đầu thực hiện", "Start implementing"},
	"event.monitor":           {"Chuyển sang theo dõi", "Move to monitoring"},
	"event.revise":            {"Sửa kế hoạch", "Revise the plan"},
	"event.evaluate":          {"Đánh giá kết quả", "Evaluate"},
	"event.reassess":          {"Đánh giá lại", "Assess again"},
	"event.close":             {"Đóng hồ sơ", "Close the case"},
	"need.livelihood":         {"Sinh kế", "Livelihood"},
	"need.health":             {"Y tế, chăm sóc sức khỏe", "Health"},
	"need.education":          {"Giáo dục, học nghề, việc làm", "Education, training, work"},
	"need.family":             {"Gia đình và quan hệ xã hội", "Family and relationships"},
	"need.life_skills":        {"Kỹ năng sống", "Life skills"},
	"need.community":          {"Tham gia cộng đồng", "Community participation"},
	"need.psychological":      {"Tâm lý, cảm xúc", "Psychology and emotions"},
	"need.other":              {"Nhu cầu khác", "Other needs"},
	"help.health":             {"Sức khỏe", "Health"},
	"help.device":             {"Dụng cụ trợ giúp, phục hồi chức năng", "Assistive device, rehabilitation"},
	"help.money":              {"Trợ cấp, tiền", "Allowance, money"},
	"help.school":             {"Học tập, việc làm", "School or work"},
	"help.abuse":              {"Bạo lực, xâm hại, phân biệt đối xử", "Violence, abuse, discrimination"},
	"help.callback":           {"Xin gọi lại", "Call me back"},
	"help.other":              {"Việc khác", "Other"},
	"reason.checkin_missed":   {"Không trả lời hỏi thăm", "Check-in not answered"},
	"reason.help_request":     {"Yêu cầu hỗ trợ", "Help request"},
	"reason.need_help":        {"Trả lời hỏi thăm: cần giúp", "Check-in answer: needs help"},
	"reason.cannot_come":      {"Không đến được lịch hẹn", "Cannot come to the appointment"},
	"reason.unreachable":      {"Không liên lạc được", "Cannot be reached"},
	"reason.opted_out":        {"Đã ngừng nhận tin nhắn", "Stopped all messages"},
	"channel.sms":             {"Tin nhắn SMS", "SMS"},
	"channel.ussd":            {"USSD (điện thoại phổ thông)", "USSD (feature phone)"},
	"channel.voice":           {"Gọi thoại", "Voice call"},
	"disability.deaf":         {"Khiếm thính", "Deaf"},
	"disability.blind":        {"Khiếm thị", "Blind"},
	"disability.low_literacy": {"Ít biết chữ", "Low literacy"},
	"disability.mobility":     {"Khuyết tật vận động", "Mobility"},
	"disability.intellectual": {"Khuyết tật trí tuệ", "Intellectual"},
	"disability.psychosocial": {"Khuyết tật tâm thần", "Psychosocial"},
	"pstatus.active":          {"Đang nhận tin", "Active"},
	"pstatus.opted_out":       {"Đã ngừng nhận tin", "Opted out"},
	"pstatus.unreachable":     {"Không liên lạc được", "Unreachable"},
	"checkin.pending":         {"Chưa gửi", "Not sent yet"},
	"checkin.sent":            {"Đã gửi, chờ trả lời", "Sent, waiting"},
	"checkin.retried":         {"Đã hỏi lại", "Asked again"},
	"checkin.fine":            {"Ổn", "Fine"},
	"checkin.need_help":       {"Cần giúp", "Needs help"},
	"checkin.missed":          {"Không trả lời", "Missed"},
	"checkin.cancelled":       {"Đã dừng", "Stopped"},
	"weekday.0":               {"Chủ nhật", "Sunday"},
	"weekday.1":               {"Thứ hai", "Monday"},
	"weekday.2":               {"Thứ ba", "Tuesday"},
	"weekday.3":               {"Thứ tư", "Wednesday"},
	"weekday.4":               {"Thứ năm", "Thursday"},
	"weekday.5":               {"Thứ sáu", "Friday"},
	"weekday.6":               {"Thứ bảy", "Saturday"},
}
