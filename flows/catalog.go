package flows

import (
	"strings"

	"github.com/caseline/caseline/care"
)

// Prompt catalog keys. Every key has a Vietnamese (with diacritics, NFC) and an English text,
// kept in prompts/vi.yaml and prompts/en.yaml (prompts.go); {name} placeholders are filled in
// when the prompt is built.
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
	keyVoiceRepeat = "voice_repeat"
	keyVoicePerson = "voice_person"
	keyVoiceSlower = "voice_slower"
	keyCancelled   = "cancelled"

	keyMenu        = "menu"
	keyMenuVoice   = "menu_voice"
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

	keyRegWho          = "reg_who"
	keyRegRelation     = "reg_relation"
	keyRegToldOther    = "reg_told_other"
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
	// keyRegDoneUnassigned answers a registration no staff of the commune could take.
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
	// A person whose case was closed hears it, and how to ask for help or reopen it: by SMS
	// with the keyword, on a menu by the menu's choice.
	keyPlanClosed     = "plan_closed"
	keyPlanClosedMenu = "plan_closed_menu"

	// What the case life cycle tells staff by SMS (sent without diacritics).
	keyNewsTransferredOut = "news_transferred_out"
	keyNewsTransferredIn  = "news_transferred_in"
	keyNewsPlanSubmitted  = "news_plan_submitted"
	keyNewsPlanApproved   = "news_plan_approved"
	keyNewsPlanReturned   = "news_plan_returned"
	keyNewsReviewDue      = "news_review_due"
	keyNewsServiceDue     = "news_service_due"
	keyOptHearAgain       = "opt_hear_again"

	keyHelpCategory  = "help_category"
	keyHelpDescribe  = "help_describe"
	keyOptSkip       = "opt_skip"
	keyHelpDanger    = "help_danger"
	keyHelpDangerSMS = "help_danger_sms"
	keyHelpNeutral   = "help_neutral"

	keyCheckIn      = "checkin"
	keyCheckInVoice = "checkin_voice"
	keyOptFine      = "opt_fine"
	keyOptNeedHelp  = "opt_need_help"
	keyCheckInFine  = "checkin_fine"
	// The check-in as its person's consenting caregiver answers it.
	keyCheckInCaregiver     = "checkin_caregiver"
	keyCheckInCaregiverFine = "checkin_caregiver_fine"
	keyCheckInCaregiverHelp = "checkin_caregiver_help"

	keyReminder       = "reminder"
	keyReminderVoice  = "reminder_voice"
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

// voiceVariants are what a call says instead of a prompt: the Vietnamese voice reads an
// English brand name ("Caseline") letter by letter or as nonsense, so a call names no brand
// in Vietnamese.
var voiceVariants = map[string]string{
	keyMenu:     keyMenuVoice,
	keyCheckIn:  keyCheckInVoice,
	keyReminder: keyReminderVoice,
}

// catalog holds every prompt: key → {Vietnamese, English}.
type catalog map[string][2]string

// newCatalog is the shipped prompts' catalog.
func newCatalog() catalog { return ShippedPrompts().catalog() }

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
