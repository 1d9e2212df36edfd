package workers_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// conversation talks to the real flows engine over the test's store and clock, as the SMS
// webhook would.
type conversation struct {
	e      *env
	engine *flows.Engine
	seq    atomic.Int64
}

func (e *env) conversation() *conversation {
	return &conversation{e: e, engine: flows.NewEngine(flows.Deps{Turns: e.st, Clock: e.clock, Location: e.loc})}
}

func (c *conversation) sms(from care.Phone, text string) flows.Reply {
	c.e.t.Helper()
	r, err := c.engine.Handle(c.e.ctx, flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: from,
		Text: text, ProviderID: fmt.Sprintf("SMin%05d", c.seq.Add(1))})
	require.NoError(c.e.t, err, text)
	return r
}

func (e *env) status(p person) string {
	return e.str(`SELECT status FROM person WHERE id = $1`, p.ID)
}

// TestCancelKeepsTheRemindersComing has a person type HUY (and its spellings) inside several
// flows, then MENU: they get the main menu each time, stay active, and their next reminder
// goes out.
func TestCancelKeepsTheRemindersComing(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	c := e.conversation()
	for _, in := range [][2]string{{"GIUP", "HUY"}, {"DK", "Hủy"}, {"NGUNG NHAN TIN", "huỷ"}, {"GIUP", "dừng"}} {
		c.sms(p.Phone, in[0])
		r := c.sms(p.Phone, in[1])
		require.True(t, strings.HasPrefix(flows.SMSText(r.Prompt, false), "Da huy. Caseline"), "%v: %q", in, r.Prompt.Text)
		r = c.sms(p.Phone, "MENU")
		require.True(t, strings.HasPrefix(flows.SMSText(r.Prompt, false), "Caseline"), "%v: %q", in, r.Prompt.Text)
		require.Equal(t, "active", e.status(p), "%v", in)
		e.clock.Set(e.clock.Now().Add(time.Minute))
	}
	appt := start.Add(30 * time.Hour) // Tuesday 14:00
	e.appointment(p, appt, "Trạm y tế xã")
	e.at(appt.Add(-24 * time.Hour))
	got := e.sender.to(p.Phone)
	require.Len(t, got, 1, "the reminder goes out")
	require.True(t, strings.HasPrefix(got[0].Body, "Caseline nhac lich hen ngay 03/03 luc 14:00"), got[0].Body)
	require.Empty(t, e.sender.to(e.mgr.Phone), "nobody was told of an opt-out that did not happen")
}

// TestOptOutReachesTheCaseManager: the explicit opt-out, once confirmed, and STOP at once,
// each reach the person's case manager by SMS; the person gets no more reminders.
func TestOptOutReachesTheCaseManager(t *testing.T) {
	e := setup(t)
	confirmed := e.person("deaf", "vi", false)
	stopped := e.person("", "en", false)
	c := e.conversation()

	c.sms(confirmed.Phone, "ngừng nhận tin")
	require.Equal(t, "active", e.status(confirmed), "not before the confirmation")
	c.sms(confirmed.Phone, "1")
	require.Equal(t, "opted_out", e.status(confirmed))
	c.sms(stopped.Phone, "STOP")
	require.Equal(t, "opted_out", e.status(stopped), "STOP needs no confirmation")

	e.at(e.clock.Now())
	got := e.sender.to(e.mgr.Phone)
	require.Len(t, got, 2, "%+v", got)
	var bodies []string
	for _, d := range got {
		bodies = append(bodies, d.Body)
	}
	require.Contains(t, strings.Join(bodies, "\n"), "Nguyen Van An "+string(confirmed.Phone)+" da ngung nhan moi tin nhan Caseline. Tra loi XN")
	require.Contains(t, strings.Join(bodies, "\n"), "Nguyen Van An "+string(stopped.Phone)+" da ngung nhan moi tin nhan Caseline. Tra loi XN")
	require.Empty(t, e.sender.to(e.sup.Phone), "the normal SLA: the supervisor is not told yet")

	appt := start.Add(30 * time.Hour)
	e.appointment(confirmed, appt, "Trạm y tế xã")
	e.at(appt.Add(-24 * time.Hour))
	require.Empty(t, e.sender.to(confirmed.Phone), "no reminder after opting out")

	// Not acknowledged in a day: it climbs like any other escalation.
	e.at(e.clock.Now().Add(care.DefaultSLA.Normal + time.Minute))
	require.NotEmpty(t, e.sender.to(e.sup.Phone))
}
