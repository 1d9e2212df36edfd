package androidgw_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/android"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/simulators/androidgw"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// password is full of what a URL's user info must escape, and of Vietnamese: the app sends
// it percent-encoded.
const password = "Mật khẩu: p@ss/w%rd#1?&=+ đúng"

// echo stands in for the dialog engine: it answers "Da nhan: <text>" (deduplicated and
// queued for the phone gateway as the real one does, by gatewaytest.AndroidAnswer).
func echo(in flows.Input) (flows.Reply, error) {
	return flows.Reply{Prompt: flows.Prompt{Text: "Đã nhận: " + in.Text}}, nil
}

var phones atomic.Int64

func phone() care.Phone { return care.MustParsePhone(fmt.Sprintf("093%07d", phones.Add(1))) }

type env struct {
	ctx   context.Context
	s     *store.Store
	clock *caretest.Clock
	srv   *httptest.Server
}

func setup(t *testing.T) *env {
	t.Helper()
	clock := caretest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s := store.New(storetest.NewPool(t), clock)
	h, err := android.New(android.Deps{Engine: &gatewaytest.Engine{Answer: gatewaytest.AndroidAnswer(s, echo)}, Store: s,
		Log: zerolog.Nop(), Password: password})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{ctx: context.Background(), s: s, clock: clock, srv: srv}
}

func (e *env) gateway(t *testing.T, mod func(*androidgw.Options)) *androidgw.Gateway {
	t.Helper()
	o := androidgw.Options{URL: e.srv.URL + "/android/sms", Password: password, Now: e.clock.Now}
	if mod != nil {
		mod(&o)
	}
	g, err := androidgw.New(o)
	require.NoError(t, err)
	return g
}

func (e *env) status(t *testing.T, id string) care.MessageStatus {
	t.Helper()
	m, err := storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, id)
	require.NoError(t, err)
	return m.Status
}

func TestConversationThroughTheSimulator(t *testing.T) {
	t.Parallel()
	e := setup(t)
	g := e.gateway(t, nil)
	require.NoError(t, g.Check(e.ctx))

	person := phone()
	g.Receive("0"+strings.TrimPrefix(person.E164(), "+84"), "DK")
	require.NoError(t, g.Poll(e.ctx))
	sent := g.Sent()
	require.Len(t, sent, 1, "the reply comes back on the poll that delivered the SMS")
	reply := sent[0]
	require.Equal(t, person.E164(), reply.To)
	require.Equal(t, "Da nhan: DK", reply.Content)
	require.Equal(t, care.MsgQueued, e.status(t, reply.ID))
	inbox, updates := g.Waiting()
	require.Equal(t, 0, inbox)
	require.Equal(t, 3, updates, "UNSENT, PENDING, SENT")

	require.NoError(t, g.Poll(e.ctx))
	require.Equal(t, care.MsgSent, e.status(t, reply.ID))
	require.NoError(t, g.Poll(e.ctx))
	require.Equal(t, care.MsgDelivered, e.status(t, reply.ID))
	require.Equal(t, "DELIVERED", g.Sent()[0].Status)

	// A reminder for a +84 number is routed to the phone, not Twilio, and goes out on the next poll.
	routes, err := care.ParseRoutes("+84=android,*=twilio")
	require.NoError(t, err)
	to := phone()
	reminder := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: routes.Route(to),
		Phone: to, Body: "Nhac lich hen 9:00 mai", Status: care.MsgQueued, IdempotencyKey: "reminder:1:v1:24h"}
	require.Equal(t, care.ProviderAndroid, reminder.Provider)
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, reminder))
	require.NoError(t, g.Poll(e.ctx))
	sent = g.Sent()
	require.Len(t, sent, 2)
	require.Equal(t, androidgw.Sent{ID: store.AndroidMessageID(reminder.ID), To: to.E164(), Content: reminder.Body,
		At: e.clock.Now()}, sent[1])
	require.NoError(t, g.Poll(e.ctx))
	require.NoError(t, g.Poll(e.ctx))
	require.Equal(t, care.MsgDelivered, e.status(t, sent[1].ID))
	inbox, updates = g.Waiting()
	require.Zero(t, inbox+updates, "everything reported")
}

func TestSimulatorReportsFailures(t *testing.T) {
	t.Parallel()
	e := setup(t)
	g := e.gateway(t, func(o *androidgw.Options) {
		o.Fail = func(string) string { return "generic; errorCode=1" }
	})
	g.Receive(phone().E164(), "GIUP")
	require.NoError(t, g.Poll(e.ctx))
	require.NoError(t, g.Poll(e.ctx))
	sent := g.Sent()
	require.Len(t, sent, 1)
	require.Equal(t, "FAILED", sent[0].Status)
	m, err := storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, sent[0].ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgFailed, m.Status)
	require.Equal(t, "generic; errorCode=1", m.ErrorCode)
}

func TestSimulatorKeepsWhatWasRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	bad := e.gateway(t, func(o *androidgw.Options) { o.Password = "wrong" })
	bad.Receive(phone().E164(), "DK")
	err := bad.Poll(e.ctx)
	var se *androidgw.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 401, se.Status)
	require.Equal(t, "wrong or missing credentials", se.Message)
	require.ErrorAs(t, bad.Check(e.ctx), &se)
	inbox, _ := bad.Waiting()
	require.Equal(t, 1, inbox, "a refused SMS is delivered again on the next poll")
}

// Run polls again at once while polls are full, as the app does, so a backlog does not wait
// an interval per poll.
func TestRunDrainsABacklogAtOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	const n = 2*androidgw.MaxMessages + 3
	run := e.gateway(t, func(o *androidgw.Options) { o.Interval = time.Hour })
	for i := range n {
		run.Receive(phone().E164(), fmt.Sprintf("TT %d", i))
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go func() { _ = run.Run(ctx) }()
	require.Eventually(t, func() bool {
		inbox, _ := run.Waiting()
		return inbox == 0 && len(run.Sent()) == n
	}, 10*time.Second, 10*time.Millisecond, "three polls at once, not three hours")
}

func TestRunLoop(t *testing.T) {
	t.Parallel()
	e := setup(t)
	g := e.gateway(t, func(o *androidgw.Options) { o.Interval = 20 * time.Millisecond })
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	g.Receive(phone().E164(), "TT")
	require.Eventually(t, func() bool {
		s := g.Sent()
		return len(s) == 1 && s[0].Status == "DELIVERED"
	}, 10*time.Second, 20*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
}
