package androidgw_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/android"
	"github.com/caseline/caseline/simulators/androidgw"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// inline runs each enqueued task at once on the workers' own handlers: the real task code
// without Redis, so the test can step its clock.
type inline struct {
	mux *asynq.ServeMux
	mu  sync.Mutex
	ran []string
}

func (q *inline) Enqueue(ctx context.Context, it care.DueItem) error {
	t, _, err := workers.NewTask(it, time.Minute)
	if err != nil {
		return err
	}
	q.mu.Lock()
	q.ran = append(q.ran, workers.TaskID(it))
	q.mu.Unlock()
	return q.mux.ProcessTask(ctx, t)
}

// TestRegisterBySMSAndARemindThroughTheAndroidGateway runs issue 7's conversation with the
// real dialog engine and workers: a person registers by SMS through the phone gateway, and
// a reminder for a +84 number leaves through the phone, not Twilio.
func TestRegisterBySMSAndAReminderThroughTheAndroidGateway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	clock := caretest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, loc)) // Monday morning in Hà Nội
	s := store.New(storetest.NewPool(t), clock)
	routes, err := care.ParseRoutes("+84=android,*=twilio")
	require.NoError(t, err)

	require.NoError(t, s.CreateCommune(ctx, &care.Commune{Code: "HB01", Name: "Hòa Bình", Province: "Hòa Bình"}))
	manager := &care.CaseManager{Name: "Lan", Phone: "+84901000201", Commune: "HB01", Role: care.RoleCaseManager,
		Language: care.Vietnamese, Active: true}
	require.NoError(t, s.CreateManager(ctx, manager))

	engine := flows.NewEngine(flows.Deps{Turns: s, Clock: clock, Router: routes, Location: loc})
	h, err := android.New(android.Deps{Engine: engine, Store: s, Log: zerolog.Nop(), Password: password})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g, err := androidgw.New(androidgw.Options{URL: srv.URL + "/android/sms", Password: password, Now: clock.Now})
	require.NoError(t, err)

	// The person texts the phone gateway; each reply comes back on the poll that delivered the SMS.
	const from = "0912345678"
	toPerson := func() []androidgw.Sent {
		var out []androidgw.Sent
		for _, m := range g.Sent() {
			if m.To == "+84912345678" {
				out = append(out, m)
			}
		}
		return out
	}
	say := func(text, want string) {
		t.Helper()
		before := len(toPerson())
		g.Receive(from, text)
		require.NoError(t, g.Poll(ctx))
		sent := toPerson()
		require.Len(t, sent, before+1, "one reply to %q", text)
		require.Contains(t, sent[before].Content, want, "reply to %q", text)
	}
	say("DK", "dang ky cho ai")
	say("1", "ho va ten")
	say("Lê Thị Mai", "xa")
	say("HB01", "13 la 1 va 3")
	say("2", "lien lac")
	say("1", "Dong y")
	say("1", "Ma so")

	person, err := storetest.PersonByPhone(ctx, s, "+84912345678")
	require.NoError(t, err)
	require.Equal(t, "Lê Thị Mai", person.Name)
	kase, err := s.OpenCaseOf(ctx, person.ID)
	require.NoError(t, err, "registration opens a case")
	require.Equal(t, manager.ID, kase.ManagerID)

	// The case manager heard of it through the phone gateway too: their number is +84.
	require.NoError(t, g.Poll(ctx))
	toManager := 0
	for _, m := range g.Sent() {
		if m.To == manager.Phone.E164() {
			toManager++
		}
	}
	require.Equal(t, 1, toManager, "the case manager is told of the registration")

	// An appointment tomorrow morning: its 24-hour reminder is due now, and the workers send
	// it. Twilio would fail the test: the only sender they have is one that must not be called.
	appt := &care.Appointment{CaseID: kase.ID, PersonID: person.ID, At: clock.Now().Add(24 * time.Hour),
		Place: "Trạm y tế xã", Status: care.AppointmentScheduled}
	require.NoError(t, s.CreateAppointment(ctx, appt))
	require.NoError(t, s.ScheduleReminders(ctx, appt.ID, care.DefaultReminderPlan(loc)))
	q := &inline{}
	deps := workers.Deps{Store: s, Clock: clock, Router: routes, Location: loc, PublicBaseURL: "http://caseline.test",
		Senders: map[care.Provider]care.Sender{care.ProviderTwilio: refuse{t}}, Enqueuer: q}
	q.mux, err = workers.NewMux(deps)
	require.NoError(t, err)
	d, err := workers.NewDispatcher(deps, q)
	require.NoError(t, err)
	_, err = d.Pass(ctx)
	require.NoError(t, err)

	before := len(g.Sent())
	require.NoError(t, g.Poll(ctx))
	sent := g.Sent()
	require.Len(t, sent, before+1, "the reminder goes out on the next poll")
	require.Equal(t, person.Phone.E164(), sent[before].To)
	require.True(t, strings.HasPrefix(sent[before].Content, "Caseline nhac lich hen"), sent[before].Content)
}

// refuse is a Twilio that fails the test when anything is sent through it.
type refuse struct{ t *testing.T }

func (r refuse) SendSMS(_ context.Context, to care.Phone, _ string) (string, error) {
	r.t.Errorf("SMS to %s went through Twilio", to)
	return "", care.NewProviderError(care.ProviderTwilio, 400, "0", "not expected", false)
}

func (r refuse) Call(_ context.Context, to care.Phone, _ string) (string, error) {
	r.t.Errorf("call to %s went through Twilio", to)
	return "", care.NewProviderError(care.ProviderTwilio, 400, "0", "not expected", false)
}
