package workers

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// The texts workers send, in both languages, stored with diacritics (NFC). SMS goes without
// them unless the person asked for them; staff always get them stripped (GSM-7, one segment).

// smsText prepares text for an SMS: without diacritics unless keep is set.
func smsText(text string, keep bool) string {
	text = flows.NFC(text)
	if keep {
		return text
	}
	return flows.StripDiacritics(text)
}

// clip shortens s to at most n runes, so a long place or name cannot push a prompt past a
// segment. It marks the cut with "..." rather than "…", which GSM-7 lacks: one "…" would make
// the whole SMS UCS-2, 70 characters a segment.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-3])) + "..."
}

// reminderText is an appointment reminder: when, where, and the two answers.
func reminderText(lang care.Language, at time.Time, place string, loc *time.Location) string {
	lt := at.In(loc)
	day, clock := lt.Format("02/01"), lt.Format("15:04")
	place = clip(place, 50)
	if lang == care.English {
		where := ""
		if place != "" {
			where = ", " + place
		}
		return fmt.Sprintf("Caseline reminder: appointment %s at %s%s. Reply 1 I will come, 2 I cannot come.", day, clock, where)
	}
	where := ""
	if place != "" {
		where = " tại " + place
	}
	return fmt.Sprintf("Caseline nhắc lịch hẹn ngày %s lúc %s%s. Trả lời 1: tôi sẽ đến, 2: tôi không đến được.", day, clock, where)
}

// checkInText asks a person how things are (not how their health is: a check-in is about
// their life, not a diagnosis); again says it is the second time.
func checkInText(lang care.Language, again bool) string {
	if lang == care.English {
		p := "Caseline check-in"
		if again {
			p = "Caseline check-in, once more"
		}
		return p + ": how are things with you? Reply 1 things are fine, 2 I need help."
	}
	p := "Caseline hỏi thăm"
	if again {
		p = "Caseline hỏi thăm lần nữa"
	}
	return p + ": dạo này mọi việc của bạn thế nào? Trả lời 1: mọi việc ổn, 2: tôi cần giúp đỡ."
}

// caregiverText asks a consenting caregiver about the person, who has not answered.
func caregiverText(lang care.Language, name string) string {
	name = clip(name, 30)
	if lang == care.English {
		return fmt.Sprintf("Caseline check-in for %s, who has not answered: how are things with them? Reply 1 fine, 2 they need help.", name)
	}
	return fmt.Sprintf("Caseline hỏi thăm %s (chưa trả lời): mọi việc của %s thế nào? Trả lời 1: ổn, 2: cần giúp đỡ.", name, name)
}

// Safety codes start the staff SMS of a help request about the person's safety, so it is
// read and handled first, without a word of what it is about.
const (
	safetyCodeVI = "AT"   // an toàn
	safetyCodeEN = "SAFE" // safety
)

// unreachableCaregiverText tells a caregiver that the person's SMS do not get through, and
// asks them to pass on that the case manager is waiting to hear from the person.
func unreachableCaregiverText(lang care.Language, name string) string {
	name = clip(name, 30)
	if lang == care.English {
		return fmt.Sprintf("Caseline: our messages to %s are not getting through. Please ask %s to contact their case manager.", name, name)
	}
	return fmt.Sprintf("Caseline: chúng tôi chưa gửi được tin nhắn cho %s. Nhờ bạn báo %s liên hệ cán bộ xã.", name, name)
}

// escalationText tells a staff member what needs them and how to acknowledge. A request
// about violence or abuse is only ever "urgent help request", marked with the safety code;
// a child's (child set) names the child protection line, 111, for the staff member to call
// or pass on. Only staff get it: the person's own SMS says no more than the emergency
// numbers every caller in danger hears.
func escalationText(lang care.Language, w care.EscalationWork, level care.EscalationLevel, child bool) string {
	e := w.Escalation
	who := string(w.Phone)
	if w.Person != nil {
		who = clip(w.Person.Name, 30) + " " + string(w.Phone)
	}
	en := lang == care.English
	h := w.Help
	safety := h != nil && h.Category.Sensitive()
	var what string
	switch e.Reason {
	case care.ReasonCheckInMissed:
		what = pick(en, who+" did not answer a check-in", who+" không trả lời hỏi thăm")
	case care.ReasonNeedHelp:
		what = pick(en, who+" needs help (check-in)", who+" cần giúp (hỏi thăm)")
	case care.ReasonCannotCome:
		what = pick(en, who+" cannot come to an appointment", who+" không đến được lịch hẹn")
	case care.ReasonUnreachable:
		what = pick(en, who+" cannot be reached", "không liên lạc được "+who)
		if w.Person != nil && w.Person.SMSUnreachableAt != nil {
			// Their number takes no SMS but may take calls: the case manager should phone.
			what = pick(en, who+" gets no SMS", who+" không nhận được tin nhắn")
		}
	case care.ReasonOptedOut:
		what = pick(en, who+" stopped all Caseline messages", who+" đã ngừng nhận mọi tin nhắn Caseline")
	case care.ReasonUnassigned:
		what = pick(en, who+" registered; commune "+string(e.Commune)+" has no staff", who+" đã đăng ký, xã "+string(e.Commune)+" chưa có cán bộ")
	default: // help requests
		switch {
		case safety:
			what = pick(en, "urgent help request from "+who, "yêu cầu trợ giúp khẩn từ "+who)
		case h != nil && h.Category == care.HelpCallback:
			what = pick(en, who+" asks to be called back", who+" muốn được gọi lại")
		case h != nil:
			what = pick(en, who+" asks for help: "+helpCategory(h.Category, en), who+" cần trợ giúp: "+helpCategory(h.Category, en))
		default:
			what = pick(en, who+" asks for help", who+" cần trợ giúp")
		}
	}
	if safety && child {
		what += pick(en, "; a child, call "+care.ChildProtectionNumber, "; trẻ em, gọi "+care.ChildProtectionNumber)
	}
	if h != nil && h.Unfinished {
		what += pick(en, " (started, not finished)", " (mới bắt đầu, chưa xong)")
	}
	if e.Urgent && !safety {
		what = pick(en, "URGENT ", "KHẨN ") + what
	}
	if level > care.LevelCaseManager && len(w.Notices) > 0 {
		// Only when someone was told and did not acknowledge: the first notice of an
		// escalation whose lower rungs are empty is news, not a lapse.
		what = pick(en, "not acknowledged in time: ", "chưa ai nhận: ") + what
	}
	code := ""
	if safety {
		code = pick(en, safetyCodeEN, safetyCodeVI) + " "
	}
	if en {
		return fmt.Sprintf("%sCaseline #%d: %s. Reply ACK %d", code, e.ID, what, e.ID)
	}
	return fmt.Sprintf("%sCaseline #%d: %s. Trả lời XN %d", code, e.ID, what, e.ID)
}

// resolvedText tells a staff member told of an escalation that it is resolved.
func resolvedText(lang care.Language, id care.EscalationID) string {
	if lang == care.English {
		return fmt.Sprintf("Caseline #%d: resolved. Thank you.", id)
	}
	return fmt.Sprintf("Caseline #%d: đã xử lý xong. Cảm ơn.", id)
}

func helpCategory(c care.HelpCategory, en bool) string {
	switch c {
	case care.HelpHealth:
		return pick(en, "health", "sức khỏe")
	case care.HelpDevice:
		return pick(en, "assistive device", "dụng cụ trợ giúp")
	case care.HelpMoney:
		return pick(en, "allowance", "trợ cấp")
	case care.HelpSchool:
		return pick(en, "school or work", "học tập, việc làm")
	}
	return pick(en, "other", "khác")
}

func pick(en bool, english, vietnamese string) string {
	if en {
		return english
	}
	return vietnamese
}
