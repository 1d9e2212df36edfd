package workers

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// TestPersonTextsAreDiscreetAndFitOneSMS runs every text the workers send to a person —
// reminders, check-ins and their second ask, caregivers' texts — through the discretion
// check, in both languages, with and without diacritics, with the longest place and name:
// none may tell another reader of the phone about a report, and each fits one GSM-7 segment
// as sent by default.
func TestPersonTextsAreDiscreetAndFitOneSMS(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	require.NoError(t, err)
	long := strings.Repeat("Trường Dạy nghề Khuyết tật ", 4)
	at := time.Date(2026, 12, 31, 16, 59, 0, 0, time.UTC)
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		texts := map[string]string{
			"reminder":           reminderText(lang, at, long, loc),
			"reminder, no place": reminderText(lang, at, "", loc),
			"check-in":           checkInText(lang, false),
			"check-in again":     checkInText(lang, true),
			"caregiver":          caregiverText(lang, long),
		}
		for name, text := range texts {
			for _, keep := range []bool{false, true} {
				sms := smsText(text, keep)
				require.Empty(t, flows.Indiscreet(sms), "%s %s: %q", name, lang, sms)
			}
			plain := flows.MeasureSMS(smsText(text, false))
			require.Equal(t, flows.GSM7, plain.Encoding, "%s %s: %q", name, lang, smsText(text, false))
			require.Equal(t, 1, plain.Segments, "%s %s: %q", name, lang, smsText(text, false))
		}
	}
}

// TestCheckInAsksHowThingsAre keeps the check-in about life, not health.
func TestCheckInAsksHowThingsAre(t *testing.T) {
	t.Parallel()
	for _, text := range []string{checkInText(care.Vietnamese, false), checkInText(care.Vietnamese, true), caregiverText(care.Vietnamese, "An")} {
		require.NotContains(t, flows.StripDiacritics(text), "khoe", text)
	}
	for _, text := range []string{checkInText(care.English, false), caregiverText(care.English, "An")} {
		require.NotContains(t, text, "health", text)
		require.NotContains(t, text, "well", text)
	}
}

func TestOptOutReachesStaffInWords(t *testing.T) {
	t.Parallel()
	w := care.EscalationWork{Escalation: care.Escalation{ID: 12, Reason: care.ReasonOptedOut}, Phone: "+84912000001",
		Person: &care.Person{Name: "Nguyễn Văn An"}}
	require.Equal(t, "Caseline #12: Nguyễn Văn An +84912000001 đã ngừng nhận mọi tin nhắn Caseline. Trả lời XN 12",
		escalationText(care.Vietnamese, w, care.LevelCaseManager, false))
	require.Equal(t, "Caseline #12: Nguyễn Văn An +84912000001 stopped all Caseline messages. Reply ACK 12",
		escalationText(care.English, w, care.LevelCaseManager, false))
}

// TestChildSafetyNamesTheChildProtectionLine: a child's safety request tells staff the
// child protection line; nobody else's does, and the text still fits one SMS.
func TestChildSafetyNamesTheChildProtectionLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Nguyễn Thị Hoa ", 4)
	tests := []struct {
		name     string
		category care.HelpCategory
		child    bool
		want111  bool
	}{
		{"child, safety", care.HelpAbuse, true, true},
		{"child, health", care.HelpHealth, true, false},
		{"adult, safety", care.HelpAbuse, false, false},
	}
	for _, tt := range tests {
		for _, lang := range []care.Language{care.Vietnamese, care.English} {
			w := care.EscalationWork{
				Escalation: care.Escalation{ID: 1234567, Reason: care.ReasonHelpRequest, Urgent: true},
				Phone:      "+84912000001", Person: &care.Person{Name: long},
				Help: &care.HelpRequest{Category: tt.category},
			}
			text := smsText(escalationText(lang, w, care.LevelSupervisor, tt.child), false)
			require.Equal(t, tt.want111, strings.Contains(text, " 111"), "%s %s: %q", tt.name, lang, text)
			m := flows.MeasureSMS(text)
			require.Equal(t, flows.GSM7, m.Encoding, text)
			require.Equal(t, 1, m.Segments, "%s %s: %q", tt.name, lang, text)
		}
	}
}
