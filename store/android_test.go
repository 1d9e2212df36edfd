package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

const lease = 5 * time.Minute

// androidOut logs an outbound SMS for the Android gateway, as a worker queues one.
func (e *env) androidOut(key string, mod func(*care.Message)) *care.Message {
	e.t.Helper()
	m := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: e.fx.Phone(), Body: "Lich hen " + key, Status: care.MsgQueued, IdempotencyKey: key}
	if mod != nil {
		mod(m)
	}
	require.NoError(e.t, storetest.LogMessage(e.ctx, e.s, m))
	return m
}

// handOut hands out with no new messages and returns the ids handed out.
func (e *env) handOut(limit int) []care.MessageID {
	e.t.Helper()
	got, err := e.s.HandOutAndroid(e.ctx, nil, lease, limit)
	require.NoError(e.t, err)
	return messageIDs(got)
}

func messageIDs(ms []care.Message) []care.MessageID {
	ids := []care.MessageID{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestHandOutAndroid(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	first := e.androidOut("reminder:1", nil)
	e.clock.Advance(time.Second)
	second := e.androidOut("reminder:2", nil)
	later := start.Add(time.Hour)
	scheduled := e.androidOut("reminder:3", func(m *care.Message) { m.NextAttemptAt = &later })
	// None of these are the phone's to send.
	e.androidOut("checkin:1", func(m *care.Message) { m.Provider = care.ProviderTwilio })
	e.androidOut("reminder:4", func(m *care.Message) { m.Status = care.MsgSent; m.ProviderID = "already-sent" })
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, &care.Message{Direction: care.Inbound, Channel: care.ChannelSMS,
		Provider: care.ProviderAndroid, ProviderID: "in-1", Phone: e.fx.Phone(), Body: "DK", Status: care.MsgReceived}))

	now := e.clock.Advance(time.Second)
	reply := care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: w.person.Phone, Body: "Chao ban", Status: care.MsgQueued, IdempotencyKey: "android:in:in-1"}
	got, err := e.s.HandOutAndroid(e.ctx, []care.Message{reply, reply}, lease, 10)
	require.NoError(t, err)
	require.Len(t, got, 3, "the two waiting rows and the reply, once")
	require.Equal(t, []care.MessageID{first.ID, second.ID}, messageIDs(got[:2]))
	r := got[2]
	require.Equal(t, w.person.ID, r.PersonID, "the reply is linked to the person with that phone")
	require.Equal(t, reply.Body, r.Body)
	require.Equal(t, reply.Phone, r.Phone)
	require.Equal(t, now, r.CreatedAt)
	for _, m := range got {
		require.Equal(t, store.AndroidMessageID(m.ID), m.ProviderID)
		require.Equal(t, care.MsgQueued, m.Status)
		require.Equal(t, 1, m.Attempts)
		require.Equal(t, now, m.UpdatedAt)
		stored, err := storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, m.ProviderID)
		require.NoError(t, err)
		require.Equal(t, m, *stored)
	}

	// Leased: not offered again, and queueing the same reply again adds nothing.
	again, err := e.s.HandOutAndroid(e.ctx, []care.Message{reply}, lease, 10)
	require.NoError(t, err)
	require.Empty(t, again)
	e.clock.Advance(lease - time.Second)
	require.Empty(t, e.handOut(10), "still leased a second before the time-out")

	// The phone confirmed one; the others are offered again with the same ids.
	n, err := e.s.UpdateAndroidStatus(e.ctx, []care.Message{{ProviderID: got[0].ProviderID, Status: care.MsgSending}})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	e.clock.Advance(time.Second)
	reoffer, err := e.s.HandOutAndroid(e.ctx, nil, lease, 10)
	require.NoError(t, err)
	require.Equal(t, []care.MessageID{second.ID, r.ID}, messageIDs(reoffer))
	require.Equal(t, got[1].ProviderID, reoffer[0].ProviderID)
	require.Equal(t, 2, reoffer[0].Attempts)

	// A message scheduled for later waits for its time.
	e.clock.Advance(time.Hour)
	require.Equal(t, []care.MessageID{second.ID, scheduled.ID}, e.handOut(2), "oldest first, up to the limit")
	require.Equal(t, []care.MessageID{r.ID}, e.handOut(2))
}

func TestHandOutAndroidRejects(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ok := care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: e.fx.Phone(), Body: "x", Status: care.MsgQueued, IdempotencyKey: "k"}
	tests := []struct {
		name  string
		queue []care.Message
		limit int
		lease time.Duration
	}{
		{"twilio message", []care.Message{func() care.Message { m := ok; m.Provider = care.ProviderTwilio; return m }()}, 10, lease},
		{"inbound message", []care.Message{func() care.Message { m := ok; m.Direction = care.Inbound; return m }()}, 10, lease},
		{"no idempotency key", []care.Message{func() care.Message { m := ok; m.IdempotencyKey = ""; return m }()}, 10, lease},
		{"already sent", []care.Message{func() care.Message { m := ok; m.Status = care.MsgSent; return m }()}, 10, lease},
		{"bad phone", []care.Message{func() care.Message { m := ok; m.Phone = "0901"; return m }()}, 10, lease},
		{"no limit", nil, 0, lease},
		{"no lease", nil, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.s.HandOutAndroid(e.ctx, tt.queue, tt.lease, tt.limit)
			requireCode(t, care.EINVALID, err)
		})
	}
	got, err := e.s.HandOutAndroid(e.ctx, nil, lease, 10)
	require.NoError(t, err)
	require.Empty(t, got, "a refused batch queues nothing")
}

func TestHandOutAndroidConcurrentPollsShareNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	const rows = 30
	for i := range rows {
		e.androidOut(fmt.Sprintf("bulk:%d", i), nil)
	}
	var mu sync.Mutex
	seen := map[care.MessageID]int{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			got, err := e.s.HandOutAndroid(e.ctx, nil, lease, rows)
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			for _, m := range got {
				seen[m.ID]++
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, rows)
	for id, n := range seen {
		require.Equal(t, 1, n, "message %d handed out %d times", id, n)
	}
}

func TestUpdateAndroidStatus(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.androidOut("reminder:1", nil)
	other := e.androidOut("reminder:2", nil)
	handed, err := e.s.HandOutAndroid(e.ctx, nil, lease, 10)
	require.NoError(t, err)
	require.Len(t, handed, 2)
	id, otherID := handed[0].ProviderID, handed[1].ProviderID
	// A Twilio row that happens to carry the same provider id is not the phone's.
	twilio := e.androidOut("reminder:3", func(x *care.Message) {
		x.Provider, x.ProviderID, x.Status = care.ProviderTwilio, id, care.MsgSent
	})

	steps := []struct {
		name    string
		updates []care.Message
		changed int
		status  care.MessageStatus
		code    string
	}{
		{"pending", []care.Message{{ProviderID: id, Status: care.MsgSending}}, 1, care.MsgSending, ""},
		{"pending again is harmless", []care.Message{{ProviderID: id, Status: care.MsgSending}}, 0, care.MsgSending, ""},
		{"sent and delivered in one batch", []care.Message{{ProviderID: id, Status: care.MsgDelivered}, {ProviderID: id, Status: care.MsgSent}}, 1, care.MsgDelivered, ""},
		{"a late sent never moves back", []care.Message{{ProviderID: id, Status: care.MsgSent}}, 0, care.MsgDelivered, ""},
		{"failed after delivered is ignored", []care.Message{{ProviderID: id, Status: care.MsgFailed, ErrorCode: "radio-off"}}, 0, care.MsgDelivered, ""},
		{"unknown ids and statuses are ignored", []care.Message{{ProviderID: "nope", Status: care.MsgSent}, {ProviderID: id, Status: "lost"}, {Status: care.MsgSent}}, 0, care.MsgDelivered, ""},
	}
	for _, st := range steps {
		at := e.clock.Advance(time.Minute)
		before, err := storetest.Message(e.ctx, e.s, m.ID)
		require.NoError(t, err)
		n, err := e.s.UpdateAndroidStatus(e.ctx, st.updates)
		require.NoError(t, err, st.name)
		require.Equal(t, st.changed, n, st.name)
		got, err := storetest.Message(e.ctx, e.s, m.ID)
		require.NoError(t, err)
		require.Equal(t, st.status, got.Status, st.name)
		require.Equal(t, st.code, got.ErrorCode, st.name)
		if st.changed > 0 {
			require.Equal(t, at, got.UpdatedAt, st.name)
		} else {
			require.Equal(t, before.UpdatedAt, got.UpdatedAt, "%s: nothing written", st.name)
		}
	}

	long := strings.Repeat("é", 300)
	n, err := e.s.UpdateAndroidStatus(e.ctx, []care.Message{{ProviderID: otherID, Status: care.MsgFailed, ErrorCode: long}})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err := storetest.Message(e.ctx, e.s, other.ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgFailed, got.Status)
	require.Equal(t, strings.Repeat("é", 200), got.ErrorCode)

	tw, err := storetest.Message(e.ctx, e.s, twilio.ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgSent, tw.Status, "other providers' rows are never touched")
}
