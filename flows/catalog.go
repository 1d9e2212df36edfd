package flows

import (
	"strings"

	"github.com/caseline/caseline/care"
)

// Prompt catalog keys. Every key has a Vietnamese (with diacritics, NFC) and an English text;
// {name} placeholders are filled in when the prompt is built.
//
// The words are for a rural reader and a person with a disability, heard as often as read:
// plain and kind, no abbreviations, no jargon, a mistake met by a gentle second ask, and no
// English said by the Vietnamese voice. Nothing that goes to a person's phone by SMS names
// violence, abuse, danger or a person reported (Indiscreet, and the tests over every prompt).
const (
	keyInvalid     = "invalid"
	keyNoInput     = "no_input"
	keyMore        = "more"
	keyBack        = "back"
	keyMoreOptions = "more_options"
	keyBye         = "bye"
	keyApology     = "apology"
	keyVoiceRepeat = "voice_repeat"
	keyVoicePerson = "voice_person"
	keyVoiceSlower = "voice_slower"
	keyCancelled   = "cancelled"

	keyMenu        = "menu"
	keyOptRegister = "opt_register"
	keyOptPlan     = "opt_plan"
	keyOptHelp     = "opt_help"
	keyOptCheckIn  = "opt_checkin"
	keyOptReminder = "opt_reminder"

	// keyLanguageName is each language's name in itself: menu 4 offers the other one by it.
	keyLanguageName = "language_name"
	keyLanguageSet  = "language_set"

	keyOptOutAsk  = "optout_ask"
	keyOptStopAll = "opt_stop_all"
	keyOptKeep    = "opt_keep"
	keyOptedOut   = "opted_out"
	keyOptOutKept = "optout_kept"
	keyOptedIn    = "opted_in"

	keyRegWho            = "reg_who"
	keyRegSelf           = "reg_self"
	keyRegOther          = "reg_other"
	keyRegPhone          = "reg_phone"
	keyRegPhoneBad       = "reg_phone_bad"
	keyRegPhoneTaken     = "reg_phone_taken"
	keyRegNameSelf       = "reg_name_self"
	keyRegNameOther      = "reg_name_other"
	keyRegNameBad        = "reg_name_bad"
	keyRegCommune        = "reg_commune"
	keyRegCommuneBad     = "reg_commune_bad"
	keyRegNeeds          = "reg_needs"
	keyRegNeedsBad       = "reg_needs_bad"
	keyRegChannel        = "reg_channel"
	keyOptSMS            = "opt_sms"
	keyOptCall           = "opt_call"
	keyRegConsent        = "reg_consent"
	keyOptAgree          = "opt_agree"
	keyOptNo             = "opt_no"
	keyOptYes            = "opt_yes"
	keyRegVoiceConsent   = "reg_voice_consent"
	keyRegVoiceCommune   = "reg_voice_commune"
	keyRegDone           = "reg_done"
	keyRegDoneUnassigned = "reg_done_unassigned"
	keyRegDeclined       = "reg_declined"
	keyRegAlready        = "reg_already"
	keyRegUnnamed        = "reg_unnamed"

	keyManagerRegister      = "manager_register"
	keyManagerRegisterVoice = "manager_register_voice"

	keyPlanPIN             = "plan_pin"
	keyPlanPINVoice        = "plan_pin_voice"
	keyPlanPINBad          = "plan_pin_bad"
	keyPlanLocked          = "plan_locked"
	keyPlanUnregistered    = "plan_unregistered"
	keyPlanUnregisteredSMS = "plan_unregistered_sms"
	keyPlanNoCase          = "plan_no_case"
	keyPlanStep            = "plan_step"
	keyPlanNext            = "plan_next"
	keyPlanNoAppointment   = "plan_no_appointment"
	keyPlanServices        = "plan_services"
	keyPlanService         = "plan_service"
	keyPlanMore            = "plan_more"
	keyPlanServiceCount    = "plan_service_count"
	keyPlanManager         = "plan_manager"
	keyOptHearAgain        = "opt_hear_again"

	keyHelpCategory  = "help_category"
	keyHelpDescribe  = "help_describe"
	keyOptSkip       = "opt_skip"
	keyHelpDanger    = "help_danger"
	keyHelpDangerSMS = "help_danger_sms"
	keyHelpNeutral   = "help_neutral"

	keyCheckIn     = "checkin"
	keyOptFine     = "opt_fine"
	keyOptNeedHelp = "opt_need_help"
	keyCheckInFine = "checkin_fine"

	keyReminder       = "reminder"
	keyOptCome        = "opt_come"
	keyOptCannotCome  = "opt_cannot_come"
	keyReminderCome   = "reminder_come"
	keyReminderCannot = "reminder_cannot"
	keyReminderStale  = "reminder_stale"

	keyResume      = "resume"
	keyOptContinue = "opt_continue"
	keyOptMainMenu = "opt_main_menu"

	keyPersonOffer    = "person_offer"
	keyOptGoBack      = "opt_go_back"
	keyPersonConnect  = "person_connect"
	keyPersonCallback = "person_callback"

	keyAckDone     = "ack_done"
	keyAckRefused  = "ack_refused"
	keyAckGone     = "ack_gone"
	keyAckNotStaff = "ack_not_staff"

	// Who gets a help request, said truthfully (issue 11).
	keyHelpCommune          = "help_commune"
	keyHelpCommuneVoice     = "help_commune_voice"
	keyWhoCommune           = "who_commune"
	keyWhoSupport           = "who_support"
	keyHelpContact          = "help_contact"
	keyHelpContactNow       = "help_contact_now"
	keyHelpCallBack         = "help_call_back"
	keyHelpCallBackNow      = "help_call_back_now"
	keyHelpNobody           = "help_nobody"
	keyHelpEmergency        = "help_emergency"
	keyOr                   = "or"
	keyPersonConnectSupport = "person_connect_support"
	keyPersonOfferSupport   = "person_offer_support"
	keyPersonOfferCallback  = "person_offer_callback"
	keyPersonNoAnswer       = "person_no_answer"
)

// catalog holds every prompt: key → {Vietnamese, English}.
type catalog map[string][2]string

func newCatalog() catalog {
	c := catalog{
		keyInvalid:     {"Mời bạn chọn lại.", "Please choose again."},
		keyNoInput:     {"Xin lỗi, chúng tôi chưa nghe thấy bạn bấm phím.", "Sorry, we did not hear a key."},
		keyMore:        {"Tiếp theo", "More"},
		keyBack:        {"Quay lại", "Back"},
		keyMoreOptions: {"Các lựa chọn khác:", "More choices:"},
		keyBye:         {"Cảm ơn bạn. Chào tạm biệt.", "Thank you. Goodbye."},
		keyApology:     {"Xin lỗi, hệ thống đang bận. Mời bạn thử lại sau.", "Sorry, the service is busy. Please try again later."},
		keyVoiceRepeat: {"Nghe lại", "a repeat"},
		// Said as "{label}, bấm 0" and "To speak to a person, press 0": plain words, and true
		// whoever answers (the case manager, or the support line for a caller without one).
		keyVoicePerson: {"Để nói chuyện với người hỗ trợ", "to speak to a person"},
		keyVoiceSlower: {"Nghe chậm hơn", "slower speech"},
		keyCancelled:   {"Đã hủy.", "Cancelled."},

		keyMenu:        {"Caseline - hỗ trợ người khuyết tật:", "Caseline disability support:"},
		keyOptRegister: {"Đăng ký nhận hỗ trợ", "Register for support"},
		keyOptPlan:     {"Xem kế hoạch hỗ trợ", "My support plan"},
		keyOptHelp:     {"Xin giúp đỡ", "Ask for help"},
		keyOptCheckIn:  {"Trả lời câu hỏi thăm", "Answer the check-in"},
		keyOptReminder: {"Trả lời nhắc lịch hẹn", "Answer the reminder"},

		keyLanguageName: {"Tiếng Việt", "English"},
		keyLanguageSet:  {"Đã chọn tiếng Việt.", "English is set."},

		keyOptOutAsk: {"Bạn muốn ngừng nhận mọi tin nhắn của Caseline, cả nhắc lịch hẹn và hỏi thăm?",
			"Stop all Caseline messages, including appointment reminders and check-ins?"},
		keyOptStopAll: {"Đồng ý, ngừng nhận", "Yes, stop them"},
		keyOptKeep:    {"Không, vẫn nhận tin nhắn", "No, keep my messages"},
		keyOptedOut: {"Bạn sẽ không nhận tin nhắn của Caseline nữa. Khi cần giúp, vẫn có thể gửi GIUP. Gửi BAT DAU để nhận lại.",
			"You will get no more Caseline messages. If you need help, you can still send HELP. Send START to get them again."},
		keyOptOutKept: {"Bạn vẫn nhận tin nhắn như cũ. Gửi MENU để xem các lựa chọn.", "You will keep getting our messages. Send MENU for the choices."},
		keyOptedIn: {"Bạn sẽ nhận lại tin nhắn của Caseline. Gửi MENU để xem các lựa chọn.",
			"You will get Caseline messages again. Send MENU for the choices."},

		keyRegWho:          {"Bạn đăng ký cho ai?", "Who are you registering?"},
		keyRegSelf:         {"Cho chính tôi", "Myself"},
		keyRegOther:        {"Cho người khác", "Someone else"},
		keyRegPhone:        {"Xin cho biết số điện thoại của người đó:", "What is their phone number?"},
		keyRegPhoneBad:     {"Số điện thoại này chưa đúng.", "That phone number does not look right."},
		keyRegPhoneTaken:   {"Số này đã được đăng ký rồi.", "That number is already registered."},
		keyRegNameSelf:     {"Xin cho biết họ và tên của bạn:", "What is your full name?"},
		keyRegNameOther:    {"Xin cho biết họ và tên của người đó:", "What is their full name?"},
		keyRegNameBad:      {"Tên này quá ngắn hoặc quá dài.", "That name is too short or too long."},
		keyRegCommune:      {"Sống ở xã, phường nào? Xin gửi tên hoặc mã số.", "Which commune or ward is home? Send its name or number."},
		keyRegCommuneBad:   {"Chúng tôi chưa tìm thấy xã, phường đó.", "We could not find that commune."},
		keyRegNeeds:        {"Cần hỗ trợ gì? Gửi các số: 13 là 1 và 3.", "What is needed? Send numbers: 13 means 1 and 3."},
		keyRegNeedsBad:     {"Chỉ dùng số từ 1 đến 8.", "Only numbers 1 to 8."},
		keyRegChannel:      {"Nên liên lạc bằng cách nào?", "How should we get in touch?"},
		keyOptSMS:          {"Nhắn tin", "Text message"},
		keyOptCall:         {"Gọi điện", "Phone call"},
		keyRegConsent:      {"Cán bộ xã sẽ giữ các thông tin này để hỗ trợ. Bạn có đồng ý không?", "The commune social worker will keep this information to give support. Do you agree?"},
		keyOptAgree:        {"Đồng ý", "I agree"},
		keyOptNo:           {"Không", "No"},
		keyOptYes:          {"Có", "Yes"},
		keyRegVoiceConsent: {"Chúng tôi sẽ đăng ký số điện thoại này. Cán bộ xã sẽ gọi lại để hỏi thêm. Bạn có đồng ý không?", "We will register this phone number. The commune social worker will call you back for the details. Do you agree?"},
		keyRegVoiceCommune: {"Xin bấm mã số của xã bạn, rồi bấm phím thăng.", "Key in your commune's number, then press the hash key."},
		keyRegDone:         {"Đăng ký xong. Mã số: {ref}. Cán bộ xã sẽ liên hệ.", "Registration done. Reference number: {ref}. The commune social worker will be in touch."},
		// No staff in the commune yet: the truth, and who (if anyone) will be in touch.
		keyRegDoneUnassigned: {"Đăng ký xong. Mã số: {ref}. Xã của bạn chưa có cán bộ phụ trách.",
			"Registration done. Reference number: {ref}. Your commune has no social worker here yet."},
		keyRegDeclined: {"Chưa đăng ký. Bạn có thể đăng ký bất cứ lúc nào.", "Not registered. You can register at any time."},
		keyRegAlready:  {"Số này đã đăng ký rồi. Mã số: {ref}.", "This number is already registered. Reference number: {ref}."},
		keyRegUnnamed:  {"Chưa rõ tên", "Name not given"},

		keyManagerRegister: {"Caseline: đăng ký mới, mã {ref}, {name}, số {phone}. Nhu cầu: {needs}. Hồ sơ {case}, bước 1.",
			"Caseline: new registration, ref {ref}, {name}, phone {phone}. Needs: {needs}. Case {case}, step 1."},
		keyManagerRegisterVoice: {"Caseline: đăng ký qua cuộc gọi, mã {ref}, số {phone}. Hãy gọi lại để hoàn tất hồ sơ {case}.",
			"Caseline: registered by phone call, ref {ref}, phone {phone}. Please call back to complete case {case}."},

		keyPlanPIN:             {"Xin nhập mã số bí mật của bạn:", "Please enter your PIN:"},
		keyPlanPINVoice:        {"Xin bấm mã số bí mật của bạn, rồi bấm phím thăng.", "Key in your PIN, then press the hash key."},
		keyPlanPINBad:          {"Mã số bí mật chưa đúng.", "That PIN is not right."},
		keyPlanLocked:          {"Mã số bí mật sai nhiều lần. Mời bạn thử lại sau.", "Too many wrong PINs. Please try again later."},
		keyPlanUnregistered:    {"Số này chưa đăng ký. Để đăng ký, xin bắt đầu lại và chọn 1.", "This number is not registered. To register, start again and choose 1."},
		keyPlanUnregisteredSMS: {"Số này chưa đăng ký. Gửi DANG KY để đăng ký.", "This number is not registered. Send REGISTER to register."},
		keyPlanNoCase:          {"Hồ sơ của bạn đang chờ cán bộ xã nhận.", "Your case is waiting for a social worker."},
		keyPlanStep:            {"Bước {n} trên 5: {step}.", "Step {n} of 5: {step}."},
		keyPlanNext:            {"Hẹn {when} tại {place}.", "Appointment {when}, {place}."},
		keyPlanNoAppointment:   {"Chưa có lịch hẹn.", "No appointment yet."},
		keyPlanServices:        {"Dịch vụ: {list}.", "Services: {list}."},
		keyPlanService:         {"{what} ({status})", "{what} ({status})"},
		keyPlanMore:            {"và {n} việc khác", "and {n} more"},
		keyPlanServiceCount:    {"Dịch vụ: {n} việc.", "Services: {n}."},
		keyPlanManager:         {"Cán bộ: {name}.", "Social worker: {name}."},
		keyOptHearAgain:        {"Nghe lại", "Hear it again"},

		keyHelpCategory:  {"Bạn cần giúp việc gì?", "What help do you need?"},
		keyHelpDescribe:  {"Bạn có thể viết vài lời về việc cần giúp (không bắt buộc):", "You can write a few words about it (you do not have to):"},
		keyOptSkip:       {"Bỏ qua", "Skip"},
		keyHelpDanger:    {"Bạn có đang gặp nguy hiểm không?", "Are you in danger right now?"},
		keyHelpDangerSMS: {"Bạn có cần giúp gấp, ngay bây giờ không?", "Do you need help urgently, right now?"},
		keyHelpNeutral:   {"Yêu cầu của bạn đã được nhận. Mã số: {ref}.", "We received your request. Reference number: {ref}."},

		keyCheckIn:     {"Caseline hỏi thăm: dạo này mọi việc của bạn thế nào?", "Caseline check-in: how are things with you?"},
		keyOptFine:     {"Mọi việc ổn", "Things are fine"},
		keyOptNeedHelp: {"Tôi cần giúp đỡ", "I need help"},
		keyCheckInFine: {"Cảm ơn bạn đã trả lời. Chúc bạn mọi điều tốt lành!", "Thank you for answering. All the best!"},

		keyReminder:       {"Caseline nhắc lịch hẹn {when} tại {place}. Bạn đến được không?", "Caseline reminder: appointment {when}, {place}. Can you come?"},
		keyOptCome:        {"Tôi sẽ đến", "I will come"},
		keyOptCannotCome:  {"Tôi không đến được", "I cannot come"},
		keyReminderCome:   {"Cảm ơn bạn. Hẹn gặp bạn.", "Thank you. See you there."},
		keyReminderCannot: {"Cán bộ xã sẽ liên hệ để hẹn ngày khác.", "The commune social worker will contact you to find another time."},
		keyReminderStale:  {"Lịch hẹn này đã thay đổi. Cán bộ xã sẽ liên hệ với bạn.", "This appointment has changed. The commune social worker will contact you."},

		keyResume:      {"Lần trước bạn chưa làm xong. Bạn muốn làm tiếp không?", "You did not finish last time. Would you like to carry on?"},
		keyOptContinue: {"Làm tiếp", "Carry on"},
		keyOptMainMenu: {"Quay về đầu", "Back to the start"},

		keyPersonOffer:    {"Bạn có muốn nói chuyện với cán bộ xã không?", "Would you like to talk to the commune social worker?"},
		keyOptGoBack:      {"Không, quay lại", "No, go back"},
		keyPersonConnect:  {"Đang nối máy tới cán bộ xã, xin chờ một chút.", "Connecting you to the commune social worker, please wait."},
		keyPersonCallback: {"Yêu cầu gọi lại của bạn đã được nhận. Mã số: {ref}.", "We received your request for a call back. Reference number: {ref}."},

		keyAckDone:     {"Đã nhận xử lý yêu cầu {ref}.", "You acknowledged request {ref}."},
		keyAckRefused:  {"Không thể nhận yêu cầu {ref}: không thuộc xã của bạn.", "You cannot acknowledge {ref}: it is not in your commune."},
		keyAckGone:     {"Yêu cầu {ref} không còn mở hoặc không có.", "Request {ref} is not open or does not exist."},
		keyAckNotStaff: {"Tin nhắn XN chỉ dành cho cán bộ xã.", "ACK messages are only for commune staff."},

		keyHelpCommune:      {"Bạn sống ở xã hay phường nào? Gửi tên hoặc mã số của xã.", "Which commune do you live in? Send its name or code."},
		keyHelpCommuneVoice: {"Nhập mã số xã của bạn, rồi bấm phím thăng.", "Enter your commune code, then press the hash key."},
		// {who} starts a sentence: capitalised.
		keyWhoCommune:      {"Cán bộ xã", "The commune social worker"},
		keyWhoSupport:      {"Đường dây hỗ trợ", "The support line"},
		keyHelpContact:     {"{who} sẽ liên hệ với bạn.", "{who} will contact you."},
		keyHelpContactNow:  {"{who} sẽ liên hệ với bạn ngay.", "{who} will contact you right away."},
		keyHelpCallBack:    {"{who} sẽ gọi lại cho bạn.", "{who} will call you back."},
		keyHelpCallBackNow: {"{who} sẽ gọi lại cho bạn ngay.", "{who} will call you back right away."},
		keyHelpNobody:      {"Hiện chưa có cán bộ trực để nhận yêu cầu này.", "No one is on duty to take it yet."},
		keyHelpEmergency:   {"Nếu cần giúp gấp, hãy gọi ngay {numbers}.", "For urgent help, call {numbers}."},
		keyOr:              {"hoặc", "or"},
		keyPersonConnectSupport: {"Đang nối máy tới đường dây hỗ trợ, xin chờ một chút.",
			"Connecting you to the support line, please wait."},
		keyPersonNoAnswer: {"Chưa có ai nghe máy.", "Nobody answered."},
		keyPersonOfferSupport: {"Bạn có muốn nói chuyện với đường dây hỗ trợ không?",
			"Would you like to talk to the support line?"},
		keyPersonOfferCallback: {"Bạn có muốn nhờ người gọi lại cho bạn không?",
			"Would you like someone to call you back?"},
	}
	needLabels := map[care.NeedArea][2]string{
		care.NeedLivelihood:    {"Kiếm sống", "Income"},
		care.NeedHealth:        {"Sức khỏe", "Health"},
		care.NeedEducation:     {"Học, việc làm", "School, work"},
		care.NeedFamily:        {"Gia đình", "Family"},
		care.NeedLifeSkills:    {"Kỹ năng sống", "Life skills"},
		care.NeedCommunity:     {"Cộng đồng", "Community"},
		care.NeedPsychological: {"Tâm lý", "Feelings"},
		care.NeedOther:         {"Khác", "Other"},
	}
	categoryLabels := map[care.HelpCategory][2]string{
		care.HelpHealth: {"Sức khỏe", "Health"},
		care.HelpDevice: {"Xe lăn, dụng cụ", "Wheelchair, aids"},
		care.HelpMoney:  {"Trợ cấp, tiền", "Allowance, money"},
		care.HelpSchool: {"Học, việc làm", "School, work"},
		// Said on USSD and voice, which leave nothing on the handset: it says what it is for,
		// naming no violence and no person.
		care.HelpAbuse:    {"Bị đối xử tệ, không an toàn", "Treated badly, unsafe"},
		care.HelpCallback: {"Gọi lại cho tôi", "Call me back"},
		care.HelpOther:    {"Việc khác", "Anything else"},
	}
	// By SMS the safety category reads as something harmless to anyone else holding the phone.
	categorySMSLabels := map[care.HelpCategory][2]string{
		care.HelpAbuse: {"Việc riêng, giữ kín", "Private matter"},
	}
	// The emergency lines Vietnam has, named after their number ({n}) where nothing stays on
	// the handset; other numbers in EMERGENCY_NUMBERS, and every number by SMS, are said bare.
	emergencyLabels := map[string][2]string{
		"111": {"{n} (bảo vệ trẻ em)", "{n} (child protection)"},
		"113": {"{n} (công an)", "{n} (police)"},
		"114": {"{n} (cứu hỏa)", "{n} (fire)"},
		"115": {"{n} (cấp cứu)", "{n} (ambulance)"},
	}
	for n, l := range emergencyLabels {
		c[emergencyKey(n)] = l
	}
	stepLabels := map[care.CaseStep][2]string{
		care.StepAssessment:     {"tìm hiểu nhu cầu", "finding out your needs"},
		care.StepPlanning:       {"lập kế hoạch hỗ trợ", "making your support plan"},
		care.StepImplementation: {"đang hỗ trợ theo kế hoạch", "support under way"},
		care.StepMonitoring:     {"theo dõi việc hỗ trợ", "checking the support works"},
		care.StepEvaluation:     {"xem lại kết quả", "reviewing the results"},
		care.StepClosed:         {"đã kết thúc", "closed"},
	}
	serviceLabels := map[care.ServiceStatus][2]string{
		care.ServicePlanned:    {"sắp làm", "planned"},
		care.ServiceInProgress: {"đang làm", "in progress"},
		care.ServiceDone:       {"đã xong", "done"},
		care.ServiceCancelled:  {"đã hủy", "cancelled"},
	}
	for _, a := range care.NeedAreas {
		c[needKey(a)] = needLabels[a]
	}
	for _, h := range care.HelpCategories {
		c[categoryKey(h)] = categoryLabels[h]
		if h.Sensitive() {
			c[categorySMSKey(h)] = categorySMSLabels[h]
		}
	}
	for _, st := range care.CaseSteps {
		c[stepKey(st)] = stepLabels[st]
	}
	for _, sv := range []care.ServiceStatus{care.ServicePlanned, care.ServiceInProgress, care.ServiceDone, care.ServiceCancelled} {
		c[serviceKey(sv)] = serviceLabels[sv]
	}
	for k, v := range c {
		c[k] = [2]string{NFC(v[0]), NFC(v[1])}
	}
	return c
}

func needKey(a care.NeedArea) string         { return "need_" + string(a) }
func categoryKey(c care.HelpCategory) string { return "category_" + string(c) }
func emergencyKey(number string) string      { return "emergency_" + number }

// categorySMSKey is the harmless SMS label of a sensitive category.
func categorySMSKey(c care.HelpCategory) string { return "category_" + string(c) + "_sms" }
func stepKey(s care.CaseStep) string            { return "step_" + string(s) }
func serviceKey(s care.ServiceStatus) string    { return "service_" + string(s) }

// text returns key's text in lang with {name} placeholders filled from kv pairs. A missing
// key returns the key itself, which the catalog test rules out.
func (c catalog) text(lang care.Language, key string, kv ...string) string {
	e, ok := c[key]
	if !ok {
		return key
	}
	s := e[0]
	if lang == care.English {
		s = e[1]
	}
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}
