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
	return fmt.Sprintf("Caseline nhắc lịch hẹn %s lúc %s%s. Trả lời 1: tôi sẽ đến, 2: tôi không đến được.", day, clock, where)
}

// checkInText asks a person how they are; again says it is the second time.
func checkInText(lang care.Language, again bool) string {
	if lang == care.English {
		p := "Caseline check-in"
		if again {
			p = "Caseline check-in (again)"
		}
		return p + ": how are you? Reply 1 I am fine, 2 I need help."
	}
	p := "Caseline hỏi thăm"
	if again {
		p = "Caseline hỏi thăm lần 2"
	}
	return p + ": bạn có khỏe không? Trả lời 1: tôi ổn, 2: tôi cần giúp."
}

// caregiverText asks a consenting caregiver about the person, who has not answered.
func caregiverText(lang care.Language, name string) string {
	name = clip(name, 30)
	if lang == care.English {
		return fmt.Sprintf("Caseline check-in for %s, who has not answered: how are they? Reply 1 fine, 2 needs help.", name)
	}
	return fmt.Sprintf("Caseline hỏi thăm %s (chưa trả lời): %s có khỏe không? Trả lời 1: ổn, 2: cần giúp.", name, name)
}

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
// about violence or abuse is only ever "urgent help request".
func escalationText(lang care.Language, w care.EscalationWork, level care.EscalationLevel) string {
	e := w.Escalation
	who := string(w.Phone)
	if w.Person != nil {
		who = clip(w.Person.Name, 30) + " " + string(w.Phone)
	}
	en := lang == care.English
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
	default: // help requests
		switch {
		case w.Help != nil && w.Help.Category.Sensitive():
			what = pick(en, "urgent help request from "+who, "yêu cầu trợ giúp khẩn từ "+who)
		case w.Help != nil:
			what = pick(en, who+" asks for help: "+helpCategory(w.Help.Category, en), who+" cần trợ giúp: "+helpCategory(w.Help.Category, en))
		default:
			what = pick(en, who+" asks for help", who+" cần trợ giúp")
		}
	}
	if e.Urgent && !(w.Help != nil && w.Help.Category.Sensitive()) {
		what = pick(en, "URGENT ", "KHẨN ") + what
	}
	if level > care.LevelCaseManager {
		what = pick(en, "not acknowledged in time: ", "chưa ai nhận: ") + what
	}
	if en {
		return fmt.Sprintf("Caseline #%d: %s. Reply ACK %d", e.ID, what, e.ID)
	}
	return fmt.Sprintf("Caseline #%d: %s. Trả lời XN %d", e.ID, what, e.ID)
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
