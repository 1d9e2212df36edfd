package flows_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// say is one caller turn of a transcript. Text may name fixture ids as {name}.
type say struct {
	text     string
	new      bool   // a fresh dial (USSD session start, call start)
	noInput  bool   // a voice time-out
	outbound string // an outbound call's subject, e.g. "checkin:{checkin}"
	session  string // USSD session id (default "S1")
	dialed   string // how a <Dial> to a person ended (Twilio's DialCallStatus)
}

type scenario struct {
	name    string
	channel care.Channel
	phone   care.Phone
	setup   func(f *fixture)
	turns   []say
}

func dial() say            { return say{new: true} }
func in(text string) say   { return say{text: text} }
func ussd(id string) say   { return say{new: true, session: id} }
func timeout() say         { return say{noInput: true} }
func call(what string) say { return say{outbound: what, new: true} }

// dialEnd is the <Dial> action's request: how the call to a person ended.
func dialEnd(status string) say { return say{dialed: status} }

func withCheckIn(f *fixture)  { f.ids["checkin"] = f.checkIn(f.ids["hoa"], f.ids["hoa_case"]) }
func withReminder(f *fixture) { f.ids["reminder"] = f.reminder() }

// helpEscalation opens an escalation of a help request in commune ("" for none), already
// told at its rung when notified, without the request behind it: all the acknowledgement
// reads.
func (f *fixture) helpEscalation(commune string, notified bool) int64 {
	return f.id(`INSERT INTO escalation (reason, commune, next_level_at, notified) VALUES ('help_request', NULLIF($1, ''), $2, $3) RETURNING id`,
		commune, testStart, notified)
}

// withEmptyCommune adds commune 27003, where no active case manager works.
func withEmptyCommune(f *fixture) {
	f.exec(`INSERT INTO commune (code, name) VALUES ('27003', 'Xã Trống')`)
}

// withRoster puts a duty officer on the service-wide on-call roster.
func withRoster(f *fixture) {
	f.ids["roster"] = f.id(`INSERT INTO case_manager (name, phone, role) VALUES ('Trực', $1, 'duty_officer') RETURNING id`, phoneRoster)
}

// withPINFailures makes Binh's record hold n wrong PINs in a row, typed on another channel.
func withPINFailures(n int) func(f *fixture) {
	return func(f *fixture) { f.exec(`UPDATE person SET pin_failures = $2 WHERE phone = $1`, phoneBinh, n) }
}

// withCaregiverCheckIn makes the stranger Hoa's consenting caregiver and sends Hoa a check-in.
func withCaregiverCheckIn(f *fixture) {
	f.exec(`UPDATE person SET caregiver_name = 'Chị Mai', caregiver_phone = $2, caregiver_consent = true WHERE id = $1`,
		f.ids["hoa"], phoneStranger)
	f.ids["checkin"] = f.checkIn(f.ids["hoa"], f.ids["hoa_case"])
	f.exec(`UPDATE checkin SET status = 'retried', retry_at = due_at WHERE id = $1`, f.ids["checkin"])
}

func withEscalations(f *fixture) {
	f.ids["esc"] = f.id(`INSERT INTO escalation (reason, person_id, case_id, commune, next_level_at) VALUES ('checkin_missed', $1, $2, '27001', $3) RETURNING id`,
		f.ids["hoa"], f.ids["hoa_case"], testStart)
	f.ids["esc_other"] = f.helpEscalation("27002", false)
}

// withClosedCase closes Hoa's case (she moved away) and cancels her appointment, as closing does.
func withClosedCase(f *fixture) {
	f.exec(`UPDATE care_case SET step = 'closed', closed_at = $2, close_reason = 'moved_away' WHERE id = $1`, f.ids["hoa_case"], testStart)
	f.exec(`UPDATE appointment SET status = 'cancelled' WHERE case_id = $1`, f.ids["hoa_case"])
}

// withRevision adds a revision of Hoa's plan waiting for the approver, with a service of its own.
func withRevision(f *fixture) {
	plan := f.id(`INSERT INTO support_plan (case_id, goals, status, created_by, submitted_at) VALUES ($1, '{"học nghề"}', 'submitted', $2, $3) RETURNING id`,
		f.ids["hoa_case"], f.ids["lan"], testStart)
	f.exec(`INSERT INTO plan_service (plan_id, area, description) VALUES ($1, 'education', 'Học may')`, plan)
}

func scenarios() []scenario {
	sms, ussdCh, voice := care.ChannelSMS, care.ChannelUSSD, care.ChannelVoice
	return []scenario{
		{name: "menu", channel: sms, phone: phoneStranger, turns: []say{in("xin chào"), in("7"), in("MENU"), in("2")}},
		{name: "menu", channel: ussdCh, phone: phoneStranger, turns: []say{dial(), in("7"), in("2")}},
		{name: "menu", channel: voice, phone: phoneHoa, turns: []say{dial(), in("*"), in("9"), timeout(), timeout(), timeout(), in("2"), in("0")}},
		{name: "register", channel: sms, phone: phoneStranger, turns: []say{in("DK"), in("1"), in("Lê Văn Cường"), in("hoa binh"), in("1 3"), in("1"), in("1")}},
		{name: "register_behalf", channel: sms, phone: phoneStranger, turns: []say{in("dang ky"), in("2"), in("0901"), in("0987000002"),
			in("6"), in("1"), in("Lê Thị Dung"), in("xyz"), in("27001"), in("9"), in("2 5"), in("2"), in("1")}},
		{name: "register_behalf", channel: ussdCh, phone: phoneStranger, turns: []say{dial(), in("1"), in("2"), in("0987000002"),
			in("2"), in("Lê Thị Dung"), in("27001"), in("2"), in("1"), in("1")}},
		// A number registered already is said at once, whoever registers it.
		{name: "register_taken", channel: sms, phone: phoneStranger, turns: []say{in("DK"), in("2"), in(string(phoneHoa))}},
		{name: "register_taken", channel: ussdCh, phone: phoneHoa, turns: []say{dial(), in("1"), in("1")}},
		{name: "register", channel: ussdCh, phone: phoneStranger, turns: []say{dial(), in("1"), in("1"), in("Lê Văn Cường"), in("27001"), in("13"), in("1"), in("2")}},
		{name: "register", channel: voice, phone: phoneStranger, turns: []say{dial(), in("1"), in("1"), in("27001")}},
		{name: "plan", channel: sms, phone: phoneHoa, turns: []say{in("TT")}},
		{name: "plan_pin", channel: sms, phone: phoneBinh, turns: []say{in("tt"), in("0000"), in("1234")}},
		// Five wrong PINs lock plan status; the lockout holds on the next try, and on USSD.
		{name: "plan_lockout", channel: sms, phone: phoneBinh, turns: []say{in("tt"), in("1111"), in("2222"), in("3333"),
			in("4444"), in("5555"), in("TT"), in("GIUP")}},
		{name: "plan_lockout", channel: ussdCh, phone: phoneBinh, setup: withPINFailures(4),
			turns: []say{dial(), in("2"), in("9999"), ussd("S2"), in("2")}},
		{name: "plan_lockout", channel: voice, phone: phoneBinh, setup: withPINFailures(4),
			turns: []say{dial(), in("2"), in("9999")}},
		{name: "plan_unregistered", channel: sms, phone: phoneStranger, turns: []say{in("STATUS")}},
		{name: "plan_revision", channel: sms, phone: phoneHoa, setup: withRevision, turns: []say{in("TT")}},
		{name: "plan_closed", channel: sms, phone: phoneHoa, setup: withClosedCase, turns: []say{in("TT"), in("GIUP")}},
		{name: "plan_closed", channel: ussdCh, phone: phoneHoa, setup: withClosedCase, turns: []say{dial(), in("2")}},
		{name: "plan_closed", channel: voice, phone: phoneHoa, setup: withClosedCase, turns: []say{call("closed:{hoa_case}"), in("1"), in("2")}},
		{name: "plan", channel: ussdCh, phone: phoneHoa, turns: []say{dial(), in("2"), in("9"), in("0"), in("9")}},
		{name: "plan", channel: voice, phone: phoneBinh, turns: []say{dial(), in("2"), in("1234"), in("1"), in("2")}},
		{name: "help", channel: sms, phone: phoneHoa, turns: []say{in("giúp"), in("1"), in("Cần xe lăn mới"), in("2")}},
		{name: "help_abuse", channel: sms, phone: phoneHoa, turns: []say{in("GIUP"), in("5"), in("1"), in("TT")}},
		{name: "help_abuse_unregistered", channel: ussdCh, phone: phoneStranger, setup: withRoster,
			turns: []say{dial(), in("3"), in("5"), in("1"), in("1"), in("2")}},
		{name: "help_commune", channel: sms, phone: phoneStranger, turns: []say{in("GIUP"), in("2"), in("1"), in("xyz"), in("hoa binh"), in("2")}},
		{name: "help_unrouted", channel: sms, phone: phoneStranger, turns: []say{in("GIUP"), in("1"), in("1"), in("1"), in("1")}},
		{name: "help_callback", channel: ussdCh, phone: phoneHoa, turns: []say{dial(), in("3"), in("6"), in("1"), in("1")}},
		{name: "help", channel: voice, phone: phoneStranger, turns: []say{dial(), in("3"), in("8"), in("8"), in("1"), in("27001"), in("1")}},
		{name: "checkin", channel: sms, phone: phoneHoa, setup: withCheckIn, turns: []say{in("2"), in("1"), in("1"), in("2")}},
		{name: "checkin", channel: ussdCh, phone: phoneHoa, setup: withCheckIn, turns: []say{dial(), in("5"), in("1")}},
		{name: "checkin", channel: voice, phone: phoneHoa, setup: withCheckIn, turns: []say{call("checkin:{checkin}"), in("1")}},
		// Hoa's consenting caregiver answers the check-in sent to her (its retry reaches them).
		{name: "checkin_caregiver", channel: sms, phone: phoneStranger, setup: withCaregiverCheckIn, turns: []say{in("2"), in("2")}},
		{name: "checkin_caregiver_fine", channel: sms, phone: phoneStranger, setup: withCaregiverCheckIn, turns: []say{in("1")}},
		{name: "checkin_caregiver", channel: ussdCh, phone: phoneStranger, setup: withCaregiverCheckIn, turns: []say{dial(), in("5"), in("2")}},
		{name: "reminder", channel: sms, phone: phoneHoa, setup: withReminder, turns: []say{in("1")}},
		{name: "reminder", channel: ussdCh, phone: phoneHoa, setup: withReminder, turns: []say{dial(), in("5"), in("2")}},
		{name: "reminder", channel: voice, phone: phoneHoa, setup: withReminder, turns: []say{call("reminder:{reminder}"), in("2")}},
		{name: "language", channel: sms, phone: phoneStranger, turns: []say{in("menu"), in("4"), in("VI"), in("en")}},
		{name: "language", channel: ussdCh, phone: phoneStranger, turns: []say{dial(), in("4"), in("4")}},
		{name: "language", channel: voice, phone: phoneStranger, turns: []say{dial(), in("4"), in("4")}},
		{name: "optout", channel: sms, phone: phoneHoa, turns: []say{in("GIUP"), in("HUY"), in("NGUNG NHAN TIN"), in("2"),
			in("ngừng nhận tin"), in("3"), in("1"), in("hello"), in("GIUP"), in("Hủy"), in("BAT DAU"), in("STOP"), in("START")}},
		{name: "resume", channel: ussdCh, phone: phoneStranger, turns: []say{ussd("S1"), in("3"), in("1"), ussd("S2"), in("1"), in("Đau lưng"), in("27001"), in("2")}},
		{name: "resume", channel: voice, phone: phoneStranger, turns: []say{dial(), in("1"), dial(), in("2")}},
		{name: "ack", channel: sms, phone: phoneLan, setup: withEscalations, turns: []say{in("XN {esc}"), in("xn {esc}"), in("ACK {esc_other}")}},
		{name: "ack_not_staff", channel: sms, phone: phoneStranger, setup: withEscalations, turns: []say{in("XN {esc}")}},
		{name: "person", channel: voice, phone: phoneStranger, setup: withRoster,
			turns: []say{dial(), timeout(), timeout(), timeout(), in("1"), dialEnd("no-answer")}},
		{name: "person_answered", channel: voice, phone: phoneHoa, turns: []say{dial(), in("0"), dialEnd("completed")}},
		{name: "person_unrouted", channel: voice, phone: phoneStranger, turns: []say{dial(), in("0"), dial(), timeout(), timeout(), timeout(), in("1")}},
	}
}

// TestGoldenTranscripts replays every flow on every channel it runs on, in both languages,
// against testdata/<flow>_<channel>_<language>.txt (-update rewrites them).
func TestGoldenTranscripts(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		for _, lang := range []care.Language{care.Vietnamese, care.English} {
			name := fmt.Sprintf("%s_%s_%s", sc.name, sc.channel, lang)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := setup(t)
				if sc.setup != nil {
					sc.setup(f)
				}
				speak(f, sc.phone, lang)
				got := transcript(f, sc)
				path := filepath.Join("testdata", name+".txt")
				if *update {
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
					return
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "run go test ./flows -run TestGoldenTranscripts -update")
				require.Equal(t, string(want), got)
			})
		}
	}
}

// speak makes phone's conversations start in lang.
func speak(f *fixture, phone care.Phone, lang care.Language) {
	f.exec(`UPDATE person SET language = $2 WHERE phone = $1`, phone, lang)
	f.exec(`UPDATE case_manager SET language = $2 WHERE phone = $1`, phone, lang)
	f.exec(`INSERT INTO dialog_session (channel, key, phone, language, updated_at) VALUES ('sms', 'seed', $1, $2, $3)`,
		phone, lang, testStart.Add(-48*60*60*1e9))
}

func transcript(f *fixture, sc scenario) string {
	var b strings.Builder
	session := "S1"
	for _, s := range sc.turns {
		text := s.text
		for k, v := range f.ids {
			text = strings.ReplaceAll(text, "{"+k+"}", fmt.Sprint(v))
		}
		outbound := s.outbound
		for k, v := range f.ids {
			outbound = strings.ReplaceAll(outbound, "{"+k+"}", fmt.Sprint(v))
		}
		if s.session != "" {
			session = s.session
		}
		input := flows.Input{Channel: sc.channel, Provider: care.ProviderTwilio, Phone: sc.phone, Text: text,
			New: s.new, NoInput: s.noInput, Outbound: outbound, DialStatus: s.dialed}
		key := string(sc.phone)
		if sc.channel == care.ChannelUSSD {
			input.Provider, input.SessionKey, key = care.ProviderAfricasTalking, session, session
		}
		switch {
		case s.noInput:
			b.WriteString("> (no input)\n")
		case s.dialed != "":
			b.WriteString("> (the dial ends: " + s.dialed + ")\n")
		case outbound != "":
			b.WriteString("> (we call: " + outbound + ")\n")
		case s.new && sc.channel == care.ChannelUSSD:
			b.WriteString("> (dial *123# session " + session + ")\n")
		case s.new:
			b.WriteString("> (call)\n")
		default:
			b.WriteString("> " + text + "\n")
		}
		r := f.turn(input)
		for _, l := range lines(render(sc.channel, r)) {
			b.WriteString("< " + l + "\n")
		}
		b.WriteString("= " + f.session(sc.channel, key) + "\n\n")
		f.clock.Advance(30e9)
	}
	return b.String()
}

// render shows a reply as the channel's renderer would lay it out.
func render(ch care.Channel, r flows.Reply) string {
	if r.Silent {
		return "(no reply)"
	}
	p := r.Prompt
	switch ch {
	case care.ChannelSMS:
		return flows.SMSText(p, false)
	case care.ChannelUSSD:
		if p.End {
			return "END " + flows.USSDText(p)
		}
		return "CON " + flows.USSDText(p)
	}
	var parts []string
	if r.Slow {
		parts = append(parts, "(slow)")
	}
	parts = append(parts, "Say: "+p.Text)
	for _, o := range p.Options {
		voice := ""
		if o.Language != "" {
			voice = " (" + string(o.Language) + " voice)"
		}
		parts = append(parts, fmt.Sprintf("  press %s: %s%s", o.Key, o.Label, voice))
	}
	if len(r.Keys) > 0 {
		var keys []string
		for _, k := range r.Keys {
			keys = append(keys, k.Key+" "+k.Label)
		}
		parts = append(parts, "  and the keys: "+strings.Join(keys, ", "))
	}
	if p.Person != "" {
		parts = append(parts, "(dial "+p.Person.E164()+")")
	}
	if p.End {
		parts = append(parts, "(hang up)")
	}
	return strings.Join(parts, "\n")
}
