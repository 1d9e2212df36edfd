package flows_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// Fixture phones.
const (
	phoneLan      = care.Phone("+84901000001") // case manager, commune 27001, fewer open cases
	phoneMinh     = care.Phone("+84901000002") // case manager, commune 27001
	phoneTam      = care.Phone("+84901000003") // case manager, commune 27002
	phoneHoa      = care.Phone("+84912000001") // registered, open case with Lan, a plan, an appointment
	phoneBinh     = care.Phone("+84912000002") // registered, PIN 1234
	phoneStranger = care.Phone("+84987000001") // not registered
	phoneRoster   = care.Phone("+84901000009") // on-call roster (withRoster)
)

// testStart is 09:00 in Hanoi.
var testStart = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

type fixture struct {
	t      *testing.T
	pool   *pgxpool.Pool
	store  *store.Store
	engine *flows.Engine
	clock  *caretest.Clock
	seq    atomic.Int64
	ids    map[string]int64
}

// setup gives a test its own database with two communes, three case managers, and two
// registered people (Hoa with a case in step 3, a plan and an appointment; Binh with a PIN).
func setup(t *testing.T) *fixture {
	t.Helper()
	pool := storetest.NewPool(t)
	c := caretest.NewClock(testStart)
	st := store.New(pool, c)
	f := &fixture{t: t, pool: pool, store: st, clock: c, ids: map[string]int64{},
		engine: flows.NewEngine(flows.Deps{Turns: st, Clock: c})}
	pin, err := care.HashPIN("1234")
	require.NoError(t, err)
	ctx, w := context.Background(), storetest.NewWorld(t, st)
	for code, name := range map[care.CommuneCode]string{"27001": "Hòa Bình", "27002": "Tân An"} {
		require.NoError(t, st.CreateCommune(ctx, &care.Commune{Code: code, Name: name}))
	}
	staff := func(name string, phone care.Phone, commune care.CommuneCode, lang care.Language) int64 {
		return int64(w.Staff(commune, care.RoleCaseManager, 0, func(m *care.CaseManager) {
			m.Name, m.Phone, m.Language = name, phone, lang
		}).ID)
	}
	f.ids["lan"] = staff("Lan", phoneLan, "27001", care.Vietnamese)
	f.ids["minh"] = staff("Minh", phoneMinh, "27001", care.Vietnamese)
	f.ids["tam"] = staff("Tâm", phoneTam, "27002", care.English)
	person := func(name string, phone care.Phone, with func(*care.Person)) int64 {
		return int64(w.Person("27001", func(p *care.Person) {
			p.Name, p.Phone = name, phone
			if with != nil {
				with(p)
			}
		}).ID)
	}
	f.ids["hoa"] = person("Nguyễn Thị Hoa", phoneHoa, func(p *care.Person) { at := testStart; p.ConsentAt = &at })
	f.ids["binh"] = person("Trần Văn Bình", phoneBinh, func(p *care.Person) { p.PINHash = pin })
	// No door opens a case further on than assessment: these are written where the tests
	// need them.
	f.ids["hoa_case"] = f.id(`INSERT INTO care_case (person_id, manager_id, commune, step) VALUES ($1, $2, '27001', 'implementation') RETURNING id`, f.ids["hoa"], f.ids["lan"])
	f.ids["binh_case"] = f.id(`INSERT INTO care_case (person_id, manager_id, commune, step) VALUES ($1, $2, '27001', 'planning') RETURNING id`, f.ids["binh"], f.ids["minh"])
	// Minh has more open cases, so new registrations in 27001 go to Lan.
	extra := person("Khác", "+84912000099", nil)
	require.NoError(t, st.OpenCase(ctx, &care.Case{PersonID: care.PersonID(extra), ManagerID: care.ManagerID(f.ids["minh"]), Commune: "27001"}))
	// Approved by Lan herself, which no door allows (approving takes an approver).
	plan := f.id(`INSERT INTO support_plan (case_id, goals, status, created_by, approved_by, approved_at) VALUES ($1, '{"đi lại"}', 'approved', $2, $2, $3) RETURNING id`,
		f.ids["hoa_case"], f.ids["lan"], testStart)
	f.exec(`INSERT INTO plan_service (plan_id, area, description, provider, status) VALUES
		($1, 'health', 'Xe lăn', 'Trạm y tế', 'in_progress'),
		($1, 'health', 'Phục hồi chức năng', 'Bệnh viện huyện', 'planned'),
		($1, 'livelihood', 'Vay vốn sinh kế', 'Ngân hàng CSXH', 'done')`, plan)
	appt := &care.Appointment{CaseID: care.CaseID(f.ids["hoa_case"]), PersonID: care.PersonID(f.ids["hoa"]),
		At: testStart.Add(26 * time.Hour), Place: "Trạm y tế xã Hòa Bình", Purpose: "khám"}
	require.NoError(t, st.CreateAppointment(ctx, appt))
	f.ids["appt"] = int64(appt.ID)
	return f
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	_, err := f.pool.Exec(context.Background(), sql, args...)
	require.NoError(f.t, err)
}

func (f *fixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	require.NoError(f.t, f.pool.QueryRow(context.Background(), sql, args...).Scan(&id))
	return id
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// checkIn makes a sent check-in for a person and returns its id.
func (f *fixture) checkIn(person, caseID int64) int64 {
	f.t.Helper()
	ctx := context.Background()
	sched := &care.CheckInSchedule{CaseID: care.CaseID(caseID), Weekday: time.Monday, Minute: 9 * 60, Active: true}
	require.NoError(f.t, f.store.CreateSchedule(ctx, sched))
	now := f.clock.Now()
	c := &care.CheckIn{ScheduleID: sched.ID, CaseID: sched.CaseID, PersonID: care.PersonID(person), DueAt: now.Add(-time.Hour),
		RetryAt: now.Add(23 * time.Hour), DeadlineAt: now.Add(47 * time.Hour), Status: care.CheckInSent}
	require.NoError(f.t, storetest.CreateCheckIn(ctx, f.store, c))
	return int64(c.ID)
}

// reminder makes a sent reminder of Hoa's appointment and returns its id. No door writes
// one sent without sending it.
func (f *fixture) reminder() int64 {
	return f.id(`INSERT INTO reminder (appointment_id, version, offset_minutes, due_at, status, sent_at)
		VALUES ($1, 1, 1440, $2, 'done', $2) RETURNING id`, f.ids["appt"], f.clock.Now().Add(-10*time.Minute))
}

// sms sends one SMS turn.
func (f *fixture) sms(phone care.Phone, text string) flows.Reply {
	f.t.Helper()
	return f.turn(flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: phone, Text: text})
}

// turn runs in with a fresh ProviderID unless it has one.
func (f *fixture) turn(in flows.Input) flows.Reply {
	f.t.Helper()
	if in.ProviderID == "" {
		in.ProviderID = fmt.Sprintf("P%06d", f.seq.Add(1))
	}
	r, err := f.engine.Handle(context.Background(), in)
	require.NoError(f.t, err)
	return r
}

// session returns the flow and state of a session ("" when idle).
func (f *fixture) session(ch care.Channel, key string) string {
	f.t.Helper()
	d, err := f.store.DialogSession(context.Background(), ch, key)
	require.NoError(f.t, err)
	if d.Flow == "" {
		return "idle"
	}
	return d.Flow + "/" + d.State
}

func smsText(r flows.Reply) string {
	if r.Silent {
		return "(silent)"
	}
	return flows.SMSText(r.Prompt, false)
}

func lines(s string) []string { return strings.Split(s, "\n") }
