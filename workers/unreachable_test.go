package workers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store/storetest"
)

// Two SMS in a row that the carrier fails for the number's sake (Twilio 30003, as a status
// callback records them) make the number unreachable by SMS: the case manager is told; a
// feature-phone user then gets reminders by call; a deaf person is never called, and their
// consenting caregiver is told instead.
func TestNumbersThatTakeNoSMS(t *testing.T) {
	e := setup(t)
	deaf := e.person("deaf", "vi", true)
	feature := e.person("", "en", false)
	for _, p := range []person{deaf, feature} {
		for i := range care.SMSFailureLimit {
			id := fmt.Sprintf("SMold%d%d", p.ID, i)
			require.NoError(t, storetest.LogMessage(e.ctx, e.st, &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS,
				Provider: care.ProviderTwilio, ProviderID: id, Phone: p.Phone, PersonID: p.ID, Body: "x",
				Status: care.MsgSent, IdempotencyKey: "old:" + id}))
			marked, err := e.st.RecordStatus(e.ctx, care.Receipt{Provider: care.ProviderTwilio, ProviderID: id,
				Status: care.MsgFailed, ErrorCode: "30003", NumberFailed: true})
			require.NoError(t, err)
			require.Equal(t, i == care.SMSFailureLimit-1, marked)
		}
	}

	e.at(start)
	var told []string
	for _, d := range e.sender.to(e.mgr.Phone) {
		told = append(told, d.Body)
	}
	require.Len(t, told, 2, "the case manager hears of both: %q", told)
	for _, b := range told {
		require.Regexp(t, `^Caseline #\d+: Nguyen Van An \+849\d+ khong nhan duoc tin nhan\. Tra loi XN \d+$`, b,
			"the case manager learns the number takes no SMS, and can phone")
	}
	helper := e.sender.to(deaf.Helper)
	require.Len(t, helper, 1, "the deaf person's caregiver is told")
	require.Equal(t, "Caseline: chung toi chua gui duoc tin nhan cho Nguyen Van An. Nho ban bao Nguyen Van An lien he can bo xa.", helper[0].Body)
	require.False(t, helper[0].Call)
	m := flows.MeasureSMS(helper[0].Body)
	require.Equal(t, flows.GSM7, m.Encoding)
	require.Equal(t, 1, m.Segments)

	appt := start.Add(72 * time.Hour)
	e.appointment(deaf, appt, "Trạm y tế xã")
	e.appointment(feature, appt, "Commune health station")
	e.at(appt.Add(-24 * time.Hour))
	for _, d := range e.sender.to(deaf.Phone) {
		require.False(t, d.Call, "a deaf person is never called")
	}
	require.Len(t, e.sender.to(deaf.Phone), 1, "the reminder still goes by SMS: the number may come back")
	calls := e.sender.to(feature.Phone)
	require.Len(t, calls, 1)
	require.True(t, calls[0].Call, "a number that takes no SMS is called")
	require.True(t, strings.Contains(calls[0].Body, "about=reminder"), calls[0].Body)
}
