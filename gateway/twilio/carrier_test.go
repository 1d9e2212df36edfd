package twilio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/simulators/faketwilio"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// Twilio reports a number that takes no SMS only in status callbacks: two 30003s in a row,
// posted signed by the fake Twilio to the gateway, make the number unreachable by SMS in the
// database and open the escalation that tells the case manager. (The workers' tests show the
// case manager told and a deaf person never called.)
func TestCarrierFailuresThroughStatusCallbacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(storetest.NewPool(t), caretest.NewClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)))
	require.NoError(t, st.CreateCommune(ctx, &care.Commune{Code: "27001", Name: "Xã Hòa Bình", Province: "Hà Giang"}))
	mgr := &care.CaseManager{Name: "Chị Lan", Phone: "+84901000001", Commune: "27001", Role: care.RoleCaseManager,
		Language: care.Vietnamese, Active: true}
	require.NoError(t, st.CreateManager(ctx, mgr))
	p := &care.Person{Phone: to, Name: "Nguyễn Thị Hoa", Commune: "27001", Language: care.Vietnamese,
		Profile: []care.Disability{care.Deaf}, Channel: care.ChannelSMS, Status: care.PersonActive}
	require.NoError(t, st.CreatePerson(ctx, p))
	kase := &care.Case{PersonID: p.ID, ManagerID: mgr.ID, Commune: "27001", Step: care.StepAssessment}
	require.NoError(t, st.OpenCase(ctx, kase))

	base := statusGateway(t, st)
	fake := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: token})
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	s, err := twilio.NewSender(twilio.SenderConfig{AccountSID: sid, AuthToken: token, From: from,
		APIURL: api.URL, StatusCallbackBase: base, Timeout: 5 * time.Second})
	require.NoError(t, err)

	for i, key := range []string{"reminder:1", "checkin:1"} {
		msgSid, err := s.SendSMS(ctx, to, "Caseline")
		require.NoError(t, err)
		require.NoError(t, storetest.LogMessage(ctx, st, &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS,
			Provider: care.ProviderTwilio, ProviderID: msgSid, Phone: to, PersonID: p.ID, Body: "Caseline",
			Status: care.MsgSent, IdempotencyKey: key}))
		code, err := fake.SendStatus(ctx, msgSid, "undelivered", 30003)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)
		got, err := st.Person(ctx, p.ID)
		require.NoError(t, err)
		if i == 0 {
			require.Nil(t, got.SMSUnreachableAt, "one failure could be a phone switched off")
			continue
		}
		require.NotNil(t, got.SMSUnreachableAt, "two in a row: the number takes no SMS")
		require.Equal(t, care.ChannelSMS, got.ReachBy(), "a deaf person is still never called")
	}
	open, _, err := st.ListEscalations(ctx, care.EscalationFilter{}, care.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, care.ReasonUnreachable, open[0].Reason)
	require.Equal(t, kase.ID, open[0].CaseID)
	require.False(t, open[0].Notified, "the dispatcher's next pass tells the case manager")
}
