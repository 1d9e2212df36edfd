package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestE2ECaregiversPINsAndPriority walks issue 14's part B through a running `caseline dev` as the world
// does: phones through the phone simulator, the case manager through the API, what Caseline
// sent through the fake Twilio.
//
//   - A child's help request goes up the urgent ladder, and the case manager's SMS of the
//     child's safety request names the child protection line, 111; the child's own SMS does
//     not name it.
//   - Five wrong PINs by SMS lock plan status, on USSD too, until the case manager ends the
//     lockout through the API; then the right PIN reads the plan.
//   - A consenting caregiver's "2" to a check-in the person was sent answers it and files a
//     help request on the person's case, which reaches the case manager.
func TestE2ECaregiversPINsAndPriority(t *testing.T) {
	endToEnd(t)
	s := startDev(t)
	ctx := context.Background()
	year := time.Now().In(s.loc).Year()
	staffPhones := []string{demoManagerPhone.E164(), demoManager2Phone.E164()}

	// --- A child asks for help: urgent, and 111 in the staff SMS of a safety request.
	const child = "+84987650101"
	var kid apiPerson
	s.api("POST", "/persons", map[string]any{"phone": child, "name": "Lò Thị Hoa", "sex": "female", "birth_year": year - 12},
		http.StatusCreated, &kid)
	ph := s.phone(child)
	sms := func(text string) string {
		t.Helper()
		r, err := ph.SMS(ctx, text)
		require.NoError(t, err, "sms %q", text)
		return strings.Join(r.Messages, "\n")
	}
	sms("GIUP")
	sms("1")          // health
	sms("1")          // no description
	reply := sms("2") // not in danger now
	require.Contains(t, fold(reply), "ngay", "a child's request is said to be taken up right away: %s", reply)
	healthEsc := s.waitStaff(staffPhones, regexp.MustCompile(`^Caseline #(\d+): KHAN Lo Thi Hoa \`+child+` can tro giup: suc khoe\. Tra loi XN \d+$`))
	var e struct {
		Urgent      bool       `json:"urgent"`
		NextLevelAt *time.Time `json:"next_level_at"`
	}
	s.api("GET", "/escalations/"+healthEsc, nil, http.StatusOK, &e)
	require.True(t, e.Urgent, "a child's health request goes up the urgent ladder")
	require.NotNil(t, e.NextLevelAt)
	require.Less(t, time.Until(*e.NextLevelAt), 16*time.Minute, "the urgent SLA, not a day")

	sms("GIUP")
	sms("5") // safety: no description asked by SMS
	reply = sms("2")
	require.NotContains(t, reply, "111", "the child's own SMS names nothing of it: %s", reply)
	s.waitStaff(staffPhones, regexp.MustCompile(`^AT Caseline #(\d+): yeu cau tro giup khan tu Lo Thi Hoa \`+child+`; tre em, goi 111\. Tra loi XN \d+$`))
	for _, m := range s.messages(child) {
		require.NotContains(t, m.Body, "111", "nothing sent to the child's phone names 111")
	}

	// --- PIN lockout: counted across channels, ended by the case manager.
	const shared = "+84987650102"
	var pinned apiPerson
	s.api("POST", "/persons", map[string]any{"phone": shared, "name": "Hà Văn Sơn"}, http.StatusCreated, &pinned)
	s.api("PUT", fmt.Sprintf("/persons/%d/pin", pinned.ID), map[string]any{"pin": "2468"}, http.StatusOK, nil)
	ph = s.phone(shared)
	require.Contains(t, fold(sms("TT")), "ma so bi mat")
	for i, wrong := range []string{"1111", "2222", "3333", "4444"} {
		require.Contains(t, sms(wrong), fmt.Sprintf("Ban con %d lan thu", 4-i))
	}
	locked := regexp.MustCompile(`(?i)Ma so bi mat sai 5 lan, nen ke hoach duoc khoa 15 phut, den \d\d:\d\d\. Ban van co the xin giup do\.`)
	require.Regexp(t, locked, sms("5555"))
	scr, err := ph.DialUSSD(ctx, "*123#")
	require.NoError(t, err)
	require.NotContains(t, scr.Text, "1 Dang ky", "a registered caller is not offered registration")
	scr, err = ph.ReplyUSSD(ctx, "2")
	require.NoError(t, err)
	require.True(t, scr.End)
	require.Regexp(t, locked, fold(scr.Text), "the lockout holds on USSD without a PIN asked")
	var after struct {
		PINLockedUntil *time.Time `json:"pin_locked_until"`
	}
	s.api("GET", fmt.Sprintf("/persons/%d", pinned.ID), nil, http.StatusOK, &after)
	require.NotNil(t, after.PINLockedUntil)
	s.api("DELETE", fmt.Sprintf("/persons/%d/pin/lock", pinned.ID), nil, http.StatusOK, &after)
	require.Nil(t, after.PINLockedUntil)
	require.Contains(t, fold(sms("TT")), "ma so bi mat", "after the case manager ends it, the PIN is asked again")
	require.Contains(t, fold(sms("2468")), "can bo", "and the right PIN reads the plan")

	// --- A caregiver answers a check-in for the person they care for.
	const cared, caregiver = "+84987650103", "+84987650104"
	var p apiPerson
	s.api("POST", "/persons", map[string]any{"phone": cared, "name": "Đinh Văn Tư", "caregiver_name": "Chị Ba",
		"caregiver_phone": caregiver, "caregiver_consent": true}, http.StatusCreated, &p)
	var kase apiCase
	s.api("POST", fmt.Sprintf("/persons/%d/cases", p.ID), nil, http.StatusCreated, &kase)
	due := s.scheduleCheckIn(kase.ID, 60)
	s.waitMessage("the check-in reaches the person", cared, regexp.MustCompile(`^Caseline hoi tham`), time.Until(due)+dispatchSlack)
	ph = s.phone(caregiver)
	reply = sms("2")
	m := regexp.MustCompile(`^Cam on ban da bao Dinh Van Tu can giup\. Ma so: (\d+)\. Can bo xa se lien he voi ban\.$`).FindStringSubmatch(reply)
	require.NotNil(t, m, "the caregiver's 2 is the answer: %q", reply)
	var checkins struct {
		Items []struct {
			Answer *string `json:"answer"`
		} `json:"items"`
	}
	s.api("GET", fmt.Sprintf("/cases/%d/checkins", kase.ID), nil, http.StatusOK, &checkins)
	require.NotEmpty(t, checkins.Items)
	require.NotNil(t, checkins.Items[0].Answer)
	require.Equal(t, "need_help", *checkins.Items[0].Answer)
	s.waitStaff(staffPhones, regexp.MustCompile(`^Caseline #(\d+): Dinh Van Tu \`+cared+` can (tro giup|giup)`))
	require.NoError(t, s.proc.stop(t))
}

// waitStaff waits for an SMS to one of phones matching re and returns its first submatch.
func (s *devSystem) waitStaff(phones []string, re *regexp.Regexp) string {
	s.t.Helper()
	var found string
	s.eventually("staff SMS "+re.String(), dispatchSlack, func() (bool, string) {
		var seen []string
		for _, ph := range phones {
			for _, m := range s.messages(ph) {
				if mm := re.FindStringSubmatch(m.Body); mm != nil {
					found = mm[1]
					return true, ""
				}
				seen = append(seen, m.Body)
			}
		}
		return false, strings.Join(seen, "\n")
	})
	return found
}
