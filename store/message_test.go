package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestMessageRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	retry := start.Add(30 * time.Second)
	tests := []struct {
		name string
		m    care.Message
	}{
		{"inbound from a registered person", care.Message{Direction: care.Inbound, Channel: care.ChannelSMS,
			Provider: care.ProviderAndroid, ProviderID: "android-17", Phone: w.person.Phone, PersonID: w.person.ID,
			Body: "GIUP", Status: care.MsgReceived}},
		{"inbound USSD hop from a stranger", care.Message{Direction: care.Inbound, Channel: care.ChannelUSSD,
			Provider: care.ProviderAfricasTalking, ProviderID: "ATUid_1:2", Phone: e.fx.Phone(), Body: "1*2", Status: care.MsgReceived}},
		{"outbound queued, no provider id yet", care.Message{Direction: care.Outbound, Channel: care.ChannelSMS,
			Provider: care.ProviderTwilio, Phone: w.person.Phone, PersonID: w.person.ID, Body: "Lich hen ngay mai",
			Status: care.MsgQueued, IdempotencyKey: "reminder:1:v1:24h", Attempts: 2, NextAttemptAt: &retry, ErrorCode: "30003"}},
		{"outbound call", care.Message{Direction: care.Outbound, Channel: care.ChannelVoice, Provider: care.ProviderTwilio,
			ProviderID: "CA123", Phone: w.person.Phone, Status: care.MsgSent, IdempotencyKey: "checkin:4:call"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			require.NoError(t, storetest.LogMessage(e.ctx, e.s, &m))
			require.NotZero(t, m.ID)
			require.Equal(t, start, m.CreatedAt)
			require.Equal(t, start, m.UpdatedAt)
			got, err := storetest.Message(e.ctx, e.s, m.ID)
			require.NoError(t, err)
			require.Equal(t, &m, got)
			if m.ProviderID != "" {
				got, err = storetest.MessageByProviderID(e.ctx, e.s, m.Provider, m.ProviderID)
				require.NoError(t, err)
				require.Equal(t, &m, got)
			}
		})
	}
}
func TestMessageErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	first := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
		ProviderID: "SM1", Phone: e.fx.Phone(), Status: care.MsgSent, IdempotencyKey: "key-1"}
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, first))
	valid := func() *care.Message {
		return &care.Message{Direction: care.Inbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
			Phone: e.fx.Phone(), Status: care.MsgReceived}
	}
	tests := []struct {
		name   string
		change func(m *care.Message)
		code   string
	}{
		{"duplicate provider id", func(m *care.Message) { m.ProviderID = "SM1" }, care.ECONFLICT},
		{"duplicate idempotency key", func(m *care.Message) {
			m.Direction, m.Status, m.IdempotencyKey = care.Outbound, care.MsgQueued, "key-1"
		}, care.ECONFLICT},
		{"outbound without idempotency key", func(m *care.Message) { m.Direction, m.Status = care.Outbound, care.MsgQueued }, care.EINVALID},
		{"status the schema refuses", func(m *care.Message) { m.Status = "lost" }, care.EINVALID},
		{"provider the schema refuses", func(m *care.Message) { m.Provider = "pigeon" }, care.EINVALID},
		{"direction the schema refuses", func(m *care.Message) { m.Direction = "up" }, care.EINVALID},
		{"negative attempts", func(m *care.Message) { m.Attempts = -1 }, care.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			requireCode(t, tt.code, storetest.LogMessage(e.ctx, e.s, m))
		})
	}
	// The same provider id from another provider is another message.
	other := valid()
	other.Provider, other.ProviderID = care.ProviderAndroid, "SM1"
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, other))

	_, err := storetest.Message(e.ctx, e.s, 424242)
	requireCode(t, care.ENOTFOUND, err)
	_, err = storetest.MessageByProviderID(e.ctx, e.s, care.ProviderTwilio, "SM404")
	requireCode(t, care.ENOTFOUND, err)
	_, err = storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, "")
	requireCode(t, care.ENOTFOUND, err)
}

func TestRecordStatusOnlyMovesForwards(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
		ProviderID: "SM0001", Phone: e.fx.Phone(), Body: "x", Status: care.MsgSent, IdempotencyKey: "k-receipt"}
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, m))
	status := func() (care.MessageStatus, string) {
		got, err := storetest.Message(e.ctx, e.s, m.ID)
		require.NoError(t, err)
		return got.Status, got.ErrorCode
	}
	steps := []struct {
		in         care.MessageStatus
		code       string
		want       care.MessageStatus
		wantCode   string
		reasonText string
	}{
		{care.MsgSending, "", care.MsgSent, "", "a late 'sending' does not move a sent message back"},
		{care.MsgDelivered, "", care.MsgDelivered, "", "delivered moves it forwards"},
		{care.MsgSent, "", care.MsgDelivered, "", "a late 'sent' changes nothing"},
		{care.MsgFailed, "30003", care.MsgDelivered, "", "failed after delivered changes nothing"},
	}
	record := func(p care.Provider, id string, st care.MessageStatus, code string) error {
		_, err := e.s.RecordStatus(e.ctx, care.Receipt{Provider: p, ProviderID: id, Status: st, ErrorCode: code})
		return err
	}
	for _, s := range steps {
		require.NoError(t, record(care.ProviderTwilio, "SM0001", s.in, s.code), s.reasonText)
		got, code := status()
		require.Equal(t, s.want, got, s.reasonText)
		require.Equal(t, s.wantCode, code, s.reasonText)
	}

	f := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
		ProviderID: "SM0002", Phone: e.fx.Phone(), Body: "y", Status: care.MsgSent, IdempotencyKey: "k-receipt-2"}
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, f))
	require.NoError(t, record(care.ProviderTwilio, "SM0002", care.MsgFailed, "30003"))
	got, err := storetest.Message(e.ctx, e.s, f.ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgFailed, got.Status)
	require.Equal(t, "30003", got.ErrorCode)

	requireCode(t, care.ENOTFOUND, record(care.ProviderTwilio, "SMunknown", care.MsgDelivered, ""))
	requireCode(t, care.ENOTFOUND, record(care.ProviderAndroid, "SM0001", care.MsgDelivered, ""))
	requireCode(t, care.EINVALID, record(care.ProviderTwilio, "SM0001", care.MsgQueued, ""))
}

// Two SMS in a row that fail for the number's sake make it unreachable by SMS and open an
// "unreachable" escalation for the case manager, once; a delivery between resets the count,
// and one after clears the mark; other numbers and calls count for nothing.
func TestCarrierFailuresMarkTheNumber(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	caregiver := e.fx.Phone()
	n := 0
	send := func(to care.Phone, ch care.Channel) string {
		n++
		id := fmt.Sprintf("SM%04d", n)
		m := &care.Message{Direction: care.Outbound, Channel: ch, Provider: care.ProviderTwilio, ProviderID: id,
			Phone: to, PersonID: w.person.ID, Body: "x", Status: care.MsgSent, IdempotencyKey: "k-" + id}
		require.NoError(t, storetest.LogMessage(e.ctx, e.s, m))
		return id
	}
	receipt := func(id string, st care.MessageStatus, code string, numberFailed bool) bool {
		marked, err := e.s.RecordStatus(e.ctx, care.Receipt{Provider: care.ProviderTwilio, ProviderID: id,
			Status: st, ErrorCode: code, NumberFailed: numberFailed})
		require.NoError(t, err)
		return marked
	}
	person := func() *care.Person {
		p, err := e.s.Person(e.ctx, w.person.ID)
		require.NoError(t, err)
		return p
	}
	unreachable := func() []*care.Escalation {
		open, _, err := e.s.ListEscalations(e.ctx, care.EscalationFilter{}, care.Page{Limit: 50})
		require.NoError(t, err)
		var out []*care.Escalation
		for _, x := range open {
			if x.Reason == care.ReasonUnreachable {
				out = append(out, x)
			}
		}
		return out
	}

	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30003", true), "one failure is not two")
	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgDelivered, "", false), "a delivery between")
	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30003", true), "so this is the first in a row")
	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30008", false), "not the number's fault: counts for nothing")
	require.False(t, receipt(send(caregiver, care.ChannelSMS), care.MsgFailed, "30005", true), "the caregiver's number is not the person's")
	require.False(t, receipt(send(w.person.Phone, care.ChannelVoice), care.MsgFailed, "30003", true), "a call is not an SMS")
	require.Nil(t, person().SMSUnreachableAt)
	require.Empty(t, unreachable())

	at := e.clock.Advance(time.Minute)
	second := send(w.person.Phone, care.ChannelSMS)
	require.True(t, receipt(second, care.MsgFailed, "30005", true), "two in a row")
	p := person()
	require.NotNil(t, p.SMSUnreachableAt)
	require.Equal(t, at, *p.SMSUnreachableAt)
	require.Equal(t, care.ChannelVoice, p.ReachBy(), "reminders go by call now")
	require.Equal(t, care.PersonActive, p.Status, "calls still reach them")
	esc := unreachable()
	require.Len(t, esc, 1, "the case manager is told")
	require.Equal(t, w.person.ID, esc[0].PersonID)
	require.Equal(t, w.kase.ID, esc[0].CaseID)
	require.Equal(t, w.commune, esc[0].Commune)
	require.False(t, esc[0].Notified, "the dispatcher has it notified")

	require.False(t, receipt(second, care.MsgFailed, "30005", true), "a repeated callback changes nothing")
	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30003", true), "a third marks nothing new")
	require.Len(t, unreachable(), 1, "and opens nothing new")
	require.Equal(t, at, *person().SMSUnreachableAt)

	require.False(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgDelivered, "", false))
	require.Nil(t, person().SMSUnreachableAt, "a delivered SMS shows the number takes them again")
	require.Equal(t, care.ChannelSMS, person().ReachBy())

	// Marked again, then a new number starts clean.
	receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30003", true)
	require.True(t, receipt(send(w.person.Phone, care.ChannelSMS), care.MsgFailed, "30003", true))
	p = person()
	p.Phone = e.fx.Phone()
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, p))
	require.Nil(t, p.SMSUnreachableAt)
	require.Nil(t, person().SMSUnreachableAt)
	p.Name = "Nguyễn Văn Bình"
	require.False(t, receipt(send(p.Phone, care.ChannelSMS), care.MsgFailed, "30003", true), "the new number's count starts at 0")
	require.True(t, receipt(send(p.Phone, care.ChannelSMS), care.MsgFailed, "30003", true))
	require.Len(t, unreachable(), 1, "the escalation still open covers it")
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, p))
	require.NotNil(t, p.SMSUnreachableAt, "an edit that keeps the number keeps the mark")
}
