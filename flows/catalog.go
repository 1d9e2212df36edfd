package flows

import (
	"strings"

	"github.com/caseline/caseline/care"
)

// Prompt catalog keys. Every key has a Vietnamese (with diacritics, NFC) and an English text;
// {name} placeholders are filled in when the prompt is built.
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

	keyMenu        = "menu"
	keyOptRegister = "opt_register"
	keyOptPlan     = "opt_plan"
	keyOptHelp     = "opt_help"
	keyOptLanguage = "opt_language"
	keyOptCheckIn  = "opt_checkin"
	keyOptReminder = "opt_reminder"

	keyLanguage      = "language"
	keyOptVietnamese = "opt_vietnamese"
	keyOptEnglish    = "opt_english"
	keyLanguageSet   = "language_set"

	keyOptedOut = "opted_out"
	keyOptedIn  = "opted_in"

	keyRegWho          = "reg_who"
	keyRegSelf         = "reg_self"
	keyRegOther        = "reg_other"
	keyRegPhone        = "reg_phone"
	keyRegPhoneBad     = "reg_phone_bad"
	keyRegPhoneTaken   = "reg_phone_taken"
	keyRegNameSelf     = "reg_name_self"
	keyRegNameOther    = "reg_name_other"
	keyRegNameBad      = "reg_name_bad"
	keyRegCommune      = "reg_commune"
	keyRegCommuneBad   = "reg_commune_bad"
	keyRegNeeds        = "reg_needs"
	keyRegNeedsBad     = "reg_needs_bad"
	keyRegChannel      = "reg_channel"
	keyOptSMS          = "opt_sms"
	keyOptCall         = "opt_call"
	keyRegConsent      = "reg_consent"
	keyOptAgree        = "opt_agree"
	keyOptNo           = "opt_no"
	keyOptYes          = "opt_yes"
	keyRegVoiceConsent = "reg_voice_consent"
	keyRegVoiceCommune = "reg_voice_commune"
	keyRegDone         = "reg_done"
	keyRegDeclined     = "reg_declined"
	keyRegAlready      = "reg_already"
	keyRegUnnamed      = "reg_unnamed"

	keyManagerRegister      = "manager_register"
	keyManagerRegisterVoice = "manager_register_voice"

	keyPlanPIN             = "plan_pin"
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
	keyPlanManager         = "plan_manager"

	keyHelpCategory = "help_category"
	keyHelpDescribe = "help_describe"
	keyOptSkip      = "opt_skip"
	keyHelpDanger   = "help_danger"
	keyHelpNeutral  = "help_neutral"

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
	keyOptHearAgain   = "opt_hear_again"
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
		keyInvalid:     {"Sai lựa chọn.", "Invalid choice."},
		keyNoInput:     {"Xin lỗi, chúng tôi chưa nghe thấy.", "Sorry, we did not hear you."},
		keyMore:        {"Thêm", "More"},
		keyBack:        {"Quay lại", "Back"},
		keyMoreOptions: {"Các lựa chọn khác:", "More choices:"},
		keyBye:         {"Cảm ơn bạn. Tạm biệt.", "Thank you. Goodbye."},
		keyApology:     {"Xin lỗi, hệ thống đang bận. Vui lòng thử lại sau.", "Sorry, the service is busy. Please try again later."},
		keyVoiceRepeat: {"Nghe lại", "repeat"},
		keyVoicePerson: {"Gặp cán bộ xã", "a person"},
		keyVoiceSlower: {"Nghe chậm hơn", "slower speech"},

		keyMenu:        {"Caseline - hỗ trợ người khuyết tật. Chọn:", "Caseline - disability support. Choose:"},
		keyOptRegister: {"Đăng ký", "Register"},
		keyOptPlan:     {"Kế hoạch của tôi", "My plan"},
		keyOptHelp:     {"Xin giúp đỡ", "Get help"},
		keyOptLanguage: {"Ngôn ngữ / Language", "Language / Ngôn ngữ"},
		keyOptCheckIn:  {"Trả lời hỏi thăm", "Answer the check-in"},
		keyOptReminder: {"Trả lời nhắc lịch hẹn", "Answer the reminder"},

		keyLanguage:      {"Chọn ngôn ngữ / Choose a language:", "Choose a language / Chọn ngôn ngữ:"},
		keyOptVietnamese: {"Tiếng Việt", "Tiếng Việt"},
		keyOptEnglish:    {"English", "English"},
		keyLanguageSet:   {"Đã chọn tiếng Việt.", "English is set."},

		keyOptedOut: {"Bạn sẽ không nhận tin nhắn từ Caseline nữa. Gửi BAT DAU để nhận lại.",
			"You will get no more messages from Caseline. Send START to get them again."},
		keyOptedIn: {"Bạn sẽ nhận lại tin nhắn từ Caseline. Gửi MENU để xem các lựa chọn.",
			"You will get Caseline messages again. Send MENU for the choices."},

		keyRegWho:          {"Đăng ký cho ai?", "Who are you registering?"},
		keyRegSelf:         {"Cho tôi", "Myself"},
		keyRegOther:        {"Cho người khác", "Someone else"},
		keyRegPhone:        {"Số điện thoại của người đó?", "Their phone number?"},
		keyRegPhoneBad:     {"Số điện thoại chưa đúng.", "That phone number is not valid."},
		keyRegPhoneTaken:   {"Số này đã được đăng ký.", "That number is already registered."},
		keyRegNameSelf:     {"Họ và tên của bạn?", "Your full name?"},
		keyRegNameOther:    {"Họ và tên của người đó?", "Their full name?"},
		keyRegNameBad:      {"Tên cần từ 2 đến 100 ký tự.", "A name needs 2 to 100 characters."},
		keyRegCommune:      {"Tên hoặc mã xã/phường nơi sống?", "Name or code of the commune they live in?"},
		keyRegCommuneBad:   {"Không tìm thấy xã/phường này.", "Commune not found."},
		keyRegNeeds:        {"Nhu cầu chính? Gửi các số, vd: 1 3", "Main needs? Send the numbers, e.g. 1 3"},
		keyRegNeedsBad:     {"Chỉ gửi số 1-8.", "Only numbers 1-8."},
		keyRegChannel:      {"Liên lạc bằng cách nào?", "How should we contact them?"},
		keyOptSMS:          {"Tin nhắn", "Text message"},
		keyOptCall:         {"Cuộc gọi", "Phone call"},
		keyRegConsent:      {"Cán bộ xã sẽ lưu thông tin này để hỗ trợ. Đồng ý?", "The commune social worker will keep this information to give support. Agree?"},
		keyOptAgree:        {"Đồng ý", "I agree"},
		keyOptNo:           {"Không", "No"},
		keyOptYes:          {"Có", "Yes"},
		keyRegVoiceConsent: {"Chúng tôi sẽ đăng ký số này. Cán bộ xã sẽ gọi lại để hoàn tất. Đồng ý?", "We will register this number. The commune social worker will call back to finish. Agree?"},
		keyRegVoiceCommune: {"Nhập mã xã của bạn, rồi bấm phím thăng.", "Enter your commune code, then press hash."},
		keyRegDone:         {"Đã đăng ký. Mã số: {ref}. Cán bộ xã sẽ liên hệ.", "Registered. Reference: {ref}. The commune social worker will contact you."},
		keyRegDeclined:     {"Chưa đăng ký. Bạn có thể đăng ký bất cứ lúc nào.", "Not registered. You can register at any time."},
		keyRegAlready:      {"Số này đã đăng ký. Mã số: {ref}.", "This number is registered. Reference: {ref}."},
		keyRegUnnamed:      {"Chưa rõ tên", "Name not given"},

		keyManagerRegister: {"Caseline: đăng ký mới, mã {ref}, {name}, số {phone}. Nhu cầu: {needs}. Hồ sơ {case}, bước 1.",
			"Caseline: new registration, ref {ref}, {name}, phone {phone}. Needs: {needs}. Case {case}, step 1."},
		keyManagerRegisterVoice: {"Caseline: đăng ký qua cuộc gọi, mã {ref}, số {phone}. Hãy gọi lại để hoàn tất hồ sơ {case}.",
			"Caseline: registered by phone call, ref {ref}, phone {phone}. Please call back to complete case {case}."},

		keyPlanPIN:             {"Nhập mã PIN của bạn:", "Enter your PIN:"},
		keyPlanPINBad:          {"Sai mã PIN.", "Wrong PIN."},
		keyPlanLocked:          {"Sai mã PIN nhiều lần. Hãy thử lại sau.", "Too many wrong PINs. Please try again later."},
		keyPlanUnregistered:    {"Số này chưa đăng ký. Chọn 1 ở menu chính để đăng ký.", "This number is not registered. Choose 1 in the main menu to register."},
		keyPlanUnregisteredSMS: {"Số này chưa đăng ký. Gửi DK để đăng ký.", "This number is not registered. Send REG to register."},
		keyPlanNoCase:          {"Hồ sơ của bạn đang chờ cán bộ xã.", "Your case is waiting for a social worker."},
		keyPlanStep:            {"Bước {n}/5: {step}.", "Step {n}/5: {step}."},
		keyPlanNext:            {"Hẹn: {when}, {place}.", "Next: {when}, {place}."},
		keyPlanNoAppointment:   {"Chưa có lịch hẹn.", "No appointment yet."},
		keyPlanServices:        {"Dịch vụ: {list}.", "Services: {list}."},
		keyPlanService:         {"{what} ({status})", "{what} ({status})"},
		keyPlanManager:         {"Cán bộ: {name}.", "Worker: {name}."},

		keyHelpCategory: {"Cần giúp về việc gì?", "Help with what?"},
		keyHelpDescribe: {"Mô tả ngắn (không bắt buộc):", "Describe it briefly (optional):"},
		keyOptSkip:      {"Bỏ qua", "Skip"},
		keyHelpDanger:   {"Bạn có đang gặp nguy hiểm không?", "Are you in danger now?"},
		keyHelpNeutral:  {"Yêu cầu của bạn đã được nhận. Mã {ref}.", "Your request was received. Ref {ref}."},

		keyCheckIn:     {"Caseline hỏi thăm: bạn có khỏe không?", "Caseline check-in: how are you?"},
		keyOptFine:     {"Tôi ổn", "I am fine"},
		keyOptNeedHelp: {"Tôi cần giúp đỡ", "I need help"},
		keyCheckInFine: {"Cảm ơn bạn đã trả lời. Chúc bạn mạnh khỏe!", "Thank you for answering. Take care!"},

		keyReminder:       {"Nhắc lịch hẹn: {when}, tại {place}.", "Appointment reminder: {when} at {place}."},
		keyOptCome:        {"Tôi sẽ đến", "I will come"},
		keyOptCannotCome:  {"Tôi không đến được", "I cannot come"},
		keyReminderCome:   {"Cảm ơn. Hẹn gặp bạn.", "Thank you. See you there."},
		keyReminderCannot: {"Cán bộ xã sẽ liên hệ để hẹn lại.", "The commune social worker will contact you to find another time."},
		keyReminderStale:  {"Lịch hẹn này đã thay đổi. Cán bộ xã sẽ liên hệ với bạn.", "This appointment has changed. The commune social worker will contact you."},

		keyResume:      {"Lần trước bạn chưa làm xong.", "You did not finish last time."},
		keyOptContinue: {"Tiếp tục", "Continue"},
		keyOptMainMenu: {"Menu chính", "Main menu"},

		keyPersonOffer:    {"Bạn có muốn nói chuyện với cán bộ xã?", "Would you like to talk to the commune social worker?"},
		keyOptHearAgain:   {"Nghe lại", "Hear it again"},
		keyPersonConnect:  {"Đang nối máy tới cán bộ xã, xin chờ.", "Connecting you to the commune social worker, please wait."},
		keyPersonCallback: {"Yêu cầu gọi lại của bạn đã được nhận. Mã {ref}.", "Your request for a call back was received. Ref {ref}."},

		keyAckDone:     {"Đã nhận xử lý yêu cầu {ref}.", "You acknowledged request {ref}."},
		keyAckRefused:  {"Không thể nhận yêu cầu {ref}: không thuộc xã của bạn.", "You cannot acknowledge {ref}: it is not in your commune."},
		keyAckGone:     {"Yêu cầu {ref} không còn mở hoặc không có.", "Request {ref} is not open or does not exist."},
		keyAckNotStaff: {"Lệnh XN chỉ dành cho cán bộ xã.", "ACK is only for commune staff."},

		keyHelpCommune:      {"Bạn sống ở xã/phường nào? Gửi tên hoặc mã xã.", "Which commune do you live in? Send its name or code."},
		keyHelpCommuneVoice: {"Nhập mã xã của bạn, rồi bấm phím thăng.", "Enter your commune code, then press hash."},
		// {who} starts a sentence: capitalised.
		keyWhoCommune:      {"Cán bộ xã", "The commune social worker"},
		keyWhoSupport:      {"Đường dây hỗ trợ", "The support line"},
		keyHelpContact:     {"{who} sẽ liên hệ với bạn.", "{who} will contact you."},
		keyHelpContactNow:  {"{who} sẽ liên hệ với bạn ngay.", "{who} will contact you right away."},
		keyHelpCallBack:    {"{who} sẽ gọi lại cho bạn.", "{who} will call you back."},
		keyHelpCallBackNow: {"{who} sẽ gọi lại cho bạn ngay.", "{who} will call you back right away."},
		keyHelpNobody:      {"Hiện chưa có cán bộ trực để nhận yêu cầu này.", "No one is on duty to take it yet."},
		keyHelpEmergency:   {"Nếu đang nguy hiểm, hãy gọi ngay {numbers}.", "If in danger, call {numbers}."},
		keyOr:              {"hoặc", "or"},
		keyPersonConnectSupport: {"Đang nối máy tới đường dây hỗ trợ, xin chờ.",
			"Connecting you to the support line, please wait."},
		keyPersonNoAnswer: {"Chưa có ai nghe máy.", "Nobody answered."},
		keyPersonOfferSupport: {"Bạn có muốn nói chuyện với đường dây hỗ trợ?",
			"Would you like to talk to the support line?"},
		keyPersonOfferCallback: {"Bạn có muốn nhờ người gọi lại cho bạn?",
			"Would you like to ask for someone to call you back?"},
	}
	needLabels := map[care.NeedArea][2]string{
		care.NeedLivelihood:    {"Sinh kế", "Livelihood"},
		care.NeedHealth:        {"Sức khỏe", "Health"},
		care.NeedEducation:     {"Học tập, việc làm", "School, work"},
		care.NeedFamily:        {"Gia đình", "Family"},
		care.NeedLifeSkills:    {"Kỹ năng sống", "Life skills"},
		care.NeedCommunity:     {"Hòa nhập cộng đồng", "Community life"},
		care.NeedPsychological: {"Tâm lý", "Feelings"},
		care.NeedOther:         {"Khác", "Other"},
	}
	categoryLabels := map[care.HelpCategory][2]string{
		care.HelpHealth: {"Sức khỏe", "Health"},
		care.HelpDevice: {"Dụng cụ, phục hồi chức năng", "Assistive device, rehabilitation"},
		care.HelpMoney:  {"Trợ cấp, tiền", "Allowance, money"},
		care.HelpSchool: {"Học tập, việc làm", "School, work"},
		// Seven categories fill one SMS: the safety category's label is short (and harmless
		// to another reader of the phone).
		care.HelpAbuse:    {"Việc riêng tư", "A private matter"},
		care.HelpCallback: {"Gọi lại cho tôi", "Call me back"},
		care.HelpOther:    {"Việc khác", "Other"},
	}
	// The emergency lines Vietnam has, named after their number ({n}); other numbers in
	// EMERGENCY_NUMBERS are said bare.
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
		care.StepAssessment:     {"Đánh giá nhu cầu", "Needs assessment"},
		care.StepPlanning:       {"Lập kế hoạch", "Planning"},
		care.StepImplementation: {"Thực hiện kế hoạch", "Carrying out the plan"},
		care.StepMonitoring:     {"Theo dõi", "Monitoring"},
		care.StepEvaluation:     {"Đánh giá kết quả", "Evaluation"},
		care.StepClosed:         {"Đã đóng", "Closed"},
	}
	serviceLabels := map[care.ServiceStatus][2]string{
		care.ServicePlanned:    {"dự kiến", "planned"},
		care.ServiceInProgress: {"đang làm", "in progress"},
		care.ServiceDone:       {"xong", "done"},
		care.ServiceCancelled:  {"hủy", "cancelled"},
	}
	for _, a := range care.NeedAreas {
		c[needKey(a)] = needLabels[a]
	}
	for _, h := range care.HelpCategories {
		c[categoryKey(h)] = categoryLabels[h]
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
func stepKey(s care.CaseStep) string         { return "step_" + string(s) }
func serviceKey(s care.ServiceStatus) string { return "service_" + string(s) }

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
