package workers_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/workers"
)

// upkeep returns the upkeep job of e on a clock of its own, reading now.
func (e *env) upkeep(now time.Time) (*workers.Upkeep, *caretest.Clock) {
	e.t.Helper()
	ck := caretest.NewClock(now)
	d := e.deps
	d.Clock = ck
	u, err := workers.NewUpkeep(d)
	require.NoError(e.t, err)
	return u, ck
}

// message logs an inbound SMS from p with body, at at; it returns its id.
func (e *env) message(p care.Phone, providerID, body string, at time.Time) int64 {
	e.t.Helper()
	return e.int64(`
		INSERT INTO message (direction, channel, provider, provider_id, phone, body, status, created_at, updated_at)
		VALUES ('in', 'sms', 'twilio', $1, $2, $3, 'received', $4, $4) RETURNING id`, providerID, p, body, at)
}

func TestUpkeepClearsOldBodiesAndKeepsTheRest(t *testing.T) {
	e := setup(t)
	year := care.DefaultBodyRetention
	u, _ := e.upkeep(start)
	p := e.w.Phone()
	old := e.message(p, "SMold", "toi bi dau chan", start.Add(-year-24*time.Hour))
	recent := e.message(p, "SMrecent", "cam on", start.Add(-year+24*time.Hour))
	help := e.int64(`INSERT INTO help_request (phone, category, description, channel, created_at)
		VALUES ($1, 'health', 'dau chan', 'sms', $2) RETURNING id`, p, start.Add(-year-time.Hour))
	newHelp := e.int64(`INSERT INTO help_request (phone, category, description, channel, created_at)
		VALUES ($1, 'device', 'xe lan hong', 'sms', $2) RETURNING id`, p, start.Add(-time.Hour))

	st, err := u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Cleared.Messages)
	require.Equal(t, 1, st.Cleared.HelpRequests)

	require.Equal(t, "", e.str(`SELECT body FROM message WHERE id = $1`, old), "a body older than the retention is gone")
	require.Equal(t, "SMold|+"+string(p)[1:]+"|received|in",
		e.str(`SELECT provider_id || '|' || phone || '|' || status || '|' || direction FROM message WHERE id = $1`, old),
		"its metadata is kept")
	require.Equal(t, "cam on", e.str(`SELECT body FROM message WHERE id = $1`, recent))
	require.Equal(t, "", e.str(`SELECT description FROM help_request WHERE id = $1`, help))
	require.Equal(t, "health", e.str(`SELECT category FROM help_request WHERE id = $1`, help))
	require.Equal(t, "xe lan hong", e.str(`SELECT description FROM help_request WHERE id = $1`, newHelp))

	// Again: nothing more to do; a day on, the message that was recent is old too.
	st, err = u.Pass(e.ctx)
	require.NoError(t, err)
	require.Zero(t, st.Cleared)
	u2, _ := e.upkeep(start.Add(2 * 24 * time.Hour))
	st, err = u2.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Cleared.Messages)
	require.Equal(t, "", e.str(`SELECT body FROM message WHERE id = $1`, recent))
}

func TestUpkeepKeepsAnAbuseReportWhileItsCaseIsOpen(t *testing.T) {
	e := setup(t)
	year := care.DefaultBodyRetention
	u, ck := e.upkeep(start)
	who := e.person("deaf", "vi", false)
	filed := start.Add(-year - 30*24*time.Hour)
	before := e.message(who.Phone, "SM1", "bi danh", filed.Add(-10*time.Minute))
	after := e.message(who.Phone, "SM2", "2", filed.Add(5*time.Minute))
	earlier := e.message(who.Phone, "SM3", "MENU", filed.Add(-3*time.Hour))
	other := e.message(e.w.Phone(), "SM4", "GIUP", filed.Add(-5*time.Minute))
	report := e.int64(`INSERT INTO help_request (person_id, phone, category, description, channel, created_at)
		VALUES ($1, $2, 'abuse', 'chong toi danh toi', 'sms', $3) RETURNING id`, who.ID, who.Phone, filed)
	body := func(id int64) string { return e.str(`SELECT body FROM message WHERE id = $1`, id) }

	_, err := u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "bi danh", body(before), "the report's conversation is kept while the case is open")
	require.Equal(t, "2", body(after))
	require.Equal(t, "chong toi danh toi", e.str(`SELECT description FROM help_request WHERE id = $1`, report))
	require.Equal(t, "", body(earlier), "outside the report's conversation: cleared")
	require.Equal(t, "", body(other), "another number's message: cleared")

	// Closed now: kept for the retention after the closing, then cleared.
	e.exec(`UPDATE care_case SET step = 'closed', closed_at = $2, close_reason = 'goals_met' WHERE id = $1`, who.Case, ck.Now())
	_, err = u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "bi danh", body(before), "closed less than the retention ago: kept")
	ck.Advance(year - time.Hour)
	_, err = u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "bi danh", body(before))
	ck.Advance(2 * time.Hour)
	st, err := u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Cleared.HelpRequests)
	require.Equal(t, "", body(before), "closed for the retention: cleared")
	require.Equal(t, "", body(after))
	require.Equal(t, "", e.str(`SELECT description FROM help_request WHERE id = $1`, report))
	require.Equal(t, "abuse", e.str(`SELECT category FROM help_request WHERE id = $1`, report), "the case history stays")
}

func TestUpkeepMakesNextMonthsPartitionAhead(t *testing.T) {
	e := setup(t)
	// A message of May arrives before May has a partition: the default partition
	// takes it, so the insert never fails.
	may := time.Date(2026, 5, 10, 9, 0, 0, 0, time.UTC)
	early := e.message(e.w.Phone(), "SMmay", "som", may)
	require.Equal(t, "message_default", e.str(`SELECT tableoid::regclass::text FROM message WHERE id = $1`, early))

	u, ck := e.upkeep(time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC))
	_, err := u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "message_2026_04", e.str(`SELECT coalesce(to_regclass('message_2026_04')::text, 'missing')`),
		"next month's partition exists after the job")
	april := e.message(e.w.Phone(), "SMapr", "xin chao", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	require.Equal(t, "message_2026_04", e.str(`SELECT tableoid::regclass::text FROM message WHERE id = $1`, april))
	_, err = u.Pass(e.ctx)
	require.NoError(t, err, "the job is idempotent")

	// In April the job makes May's, moving the early message out of the default partition.
	ck.Set(time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC))
	_, err = u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "message_2026_05", e.str(`SELECT tableoid::regclass::text FROM message WHERE id = $1`, early))
	require.Equal(t, "som", e.str(`SELECT body FROM message WHERE id = $1`, early))

	// Dedupe holds across partitions and after the move: the same provider id is refused.
	_, err = e.pool.Exec(e.ctx, `INSERT INTO message (direction, channel, provider, provider_id, phone, body, status, created_at)
		VALUES ('in', 'sms', 'twilio', 'SMmay', '+84900000001', 'again', 'received', $1)`, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	require.ErrorContains(t, err, "message_provider_id_unique")
}

func TestUpkeepExpiresIdleSessions(t *testing.T) {
	e := setup(t)
	u, _ := e.upkeep(start)
	session := func(key string, idle time.Duration, helpStarted bool) {
		var help any
		if helpStarted {
			help = start.Add(-idle)
		}
		e.exec(`INSERT INTO dialog_session (channel, key, phone, updated_at, help_started_at) VALUES ('sms', $1, $2, $3, $4)`,
			key, e.w.Phone(), start.Add(-idle), help)
	}
	session("idle", care.SessionExpiry+time.Hour, false)
	session("recent", care.SessionExpiry-time.Hour, false)
	session("help", care.SessionExpiry+time.Hour, true)
	st, err := u.Pass(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Sessions)
	require.Equal(t, "help,recent", e.str(`SELECT string_agg(key, ',' ORDER BY key) FROM dialog_session`))
}
