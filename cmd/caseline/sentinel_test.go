package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/simulators/faketwilio"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// TestWorkSurvivesASentinelFailover runs `caseline work` on REDIS_URL=redis-sentinel://…
// against a real master, replica and three Sentinels, kills the master (SIGKILL) while
// appointment reminders are falling due, and checks that every reminder — due before the
// failover, during it, or made while no master answered — reaches its phone at the fake
// Twilio exactly once, with the process never stopping.
func TestWorkSurvivesASentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: Redis processes and a failover")
	}
	sentinel := storetest.NewSentinel(t)
	db := storetest.NewDatabase(t)
	fake := faketwilio.New(faketwilio.Options{AccountSID: "AC123", AuthToken: "testtoken"})
	twilioAPI := httptest.NewServer(fake)
	t.Cleanup(twilioAPI.Close)
	// Noon somewhere: quiet hours hold no reminder back whenever the test runs.
	zone := noonZone(time.Now())
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)

	ctx := t.Context()
	pool, err := store.Open(ctx, db, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool, care.SystemClock{})
	world, err := seedDemo(ctx, st, loc, time.Now())
	require.NoError(t, err)
	plan := care.DefaultReminderPlan(loc)
	// remind gives a new person an appointment whose 24-hour reminder falls due at due.
	people := 0
	remind := func(due time.Time) care.Phone {
		t.Helper()
		people++
		consent := time.Now()
		p := &care.Person{Phone: care.Phone(fmt.Sprintf("+8491300%04d", people)), Name: fmt.Sprintf("Người %d", people),
			Commune: demoCommune, Language: care.Vietnamese, Profile: []care.Disability{care.Deaf},
			Channel: care.ChannelSMS, ConsentAt: &consent, Status: care.PersonActive}
		require.NoError(t, st.CreatePerson(ctx, p))
		c := &care.Case{PersonID: p.ID, ManagerID: world.ManagerID, Commune: demoCommune}
		require.NoError(t, st.OpenCase(ctx, c))
		a := &care.Appointment{CaseID: c.ID, PersonID: p.ID, At: due.Add(24 * time.Hour), Place: "Trạm y tế xã",
			Purpose: "Khám", Status: care.AppointmentScheduled}
		require.NoError(t, st.CreateAppointment(ctx, a))
		require.NoError(t, st.ScheduleReminders(ctx, a.ID, plan))
		return p.Phone
	}
	sent := func(phones []care.Phone) (count, reached int) {
		for _, ph := range phones {
			n := len(fake.Messages(ph.E164()))
			count += n
			if n > 0 {
				reached++
			}
		}
		return count, reached
	}

	// Due one every 300 ms from 2 s on: the dispatcher queues them in Redis (it looks two
	// minutes ahead) well before the master dies among them.
	var before []care.Phone
	for i := range 30 {
		before = append(before, remind(time.Now().Add(2*time.Second+time.Duration(i)*300*time.Millisecond)))
	}
	p := start(t, testEnv(t, db, map[string]string{
		"REDIS_URL":      sentinel.URL(0),
		"TWILIO_API_URL": twilioAPI.URL,
		"TIMEZONE":       zone,
		"LOG_LEVEL":      "info",
	}), "work")
	p.logs.waitFor(t, "started")
	require.Eventually(t, func() bool { _, reached := sent(before); return reached >= 3 }, 30*time.Second, 50*time.Millisecond,
		"the first reminders go out before the failover")

	old := sentinel.KillMaster()
	_, reachedAtKill := sent(before)
	// Made while no master answers: only the dispatcher, reading PostgreSQL, can queue them.
	var during []care.Phone
	for i := range 10 {
		during = append(during, remind(time.Now().Add(time.Duration(i)*200*time.Millisecond)))
	}
	newMaster := sentinel.WaitForNewMaster(old, 30*time.Second)
	failedOver := time.Now()
	t.Logf("master %s killed with %d of %d reminders sent; %s promoted", old, reachedAtKill, len(before), newMaster)
	require.Less(t, reachedAtKill, len(before), "reminders were still due when the master died")

	all := append(append([]care.Phone(nil), before...), during...)
	require.Eventually(t, func() bool { _, reached := sent(all); return reached == len(all) }, 90*time.Second, 100*time.Millisecond,
		"every reminder reaches its phone after the failover")
	// A dispatcher pass and then some: time for a duplicate to show.
	time.Sleep(7 * time.Second)
	count, _ := sent(all)
	require.Equal(t, len(all), count, "each reminder is sent once")
	late := 0
	for _, ph := range all {
		if m := fake.Messages(ph.E164()); m[0].DateCreated.After(failedOver) {
			late++
		}
	}
	require.Positive(t, late, "some reminders went out through the new master")

	select {
	case err := <-p.done:
		t.Fatalf("work stopped during the failover: %v; logs:\n%s", err, p.logs.String())
	default:
	}
	// go-redis's own report of the switch is in the process's JSON log.
	switched := false
	for _, l := range p.logs.lines(t) {
		if l["component"] == "redis" && strings.Contains(fmt.Sprint(l["message"]), newMaster) {
			switched = true
		}
	}
	require.True(t, switched, "the log says which master the client switched to")

	status, body := get(t, p.addr(t)+"/readyz")
	require.Equal(t, http.StatusOK, status, "readyz follows the new master: %s", body)
	require.NoError(t, p.stop(t))
}
