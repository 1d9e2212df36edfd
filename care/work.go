package care

import (
	"context"
	"time"
)

// This file holds what the background workers need: when reminders fall, the shape of one
// piece of timed work as a worker sees it, and the store that locks, hands over and records
// that work in one transaction.

// QuietHours is a nightly span of local time in which nobody is sent a reminder or a
// check-in. Start and End are minutes after local midnight; Start > End wraps midnight
// (21:00–07:00); Start == End means no quiet hours.
type QuietHours struct {
	Start int
	End   int
}

// DefaultQuietHours is PRODUCT.md's: 21:00 to 07:00 local time.
var DefaultQuietHours = QuietHours{Start: 21 * 60, End: 7 * 60}

// DefaultReminderOffsets are PRODUCT.md's: 24 hours and 2 hours before an appointment.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, 2 * time.Hour}

// In reports whether t falls in quiet hours in loc.
func (q QuietHours) In(t time.Time, loc *time.Location) bool {
	if q.Start == q.End {
		return false
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if q.Start < q.End {
		return m >= q.Start && m < q.End
	}
	return m >= q.Start || m < q.End
}

// spanStart returns when the quiet span containing t began; t must be in quiet hours.
func (q QuietHours) spanStart(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	day := lt
	if q.Start > q.End && lt.Hour()*60+lt.Minute() < q.End {
		day = lt.AddDate(0, 0, -1) // after midnight: the span began the evening before
	}
	return time.Date(day.Year(), day.Month(), day.Day(), q.Start/60, q.Start%60, 0, 0, loc)
}

// spanEnd returns when the quiet span containing t ends; t must be in quiet hours.
func (q QuietHours) spanEnd(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	day := lt
	if q.Start > q.End && lt.Hour()*60+lt.Minute() >= q.Start {
		day = lt.AddDate(0, 0, 1) // before midnight: the span ends the next morning
	}
	return time.Date(day.Year(), day.Month(), day.Day(), q.End/60, q.End%60, 0, 0, loc)
}

// ReminderGap is the least time between two reminders of one appointment to a person.
const ReminderGap = time.Hour

// ReminderPlan says when an appointment's reminders go: at offsets before it, in a time
// zone, moved earlier out of quiet hours.
type ReminderPlan struct {
	Offsets  []time.Duration
	Quiet    QuietHours
	Location *time.Location
}

// DefaultReminderPlan returns PRODUCT.md's plan in loc.
func DefaultReminderPlan(loc *time.Location) ReminderPlan {
	return ReminderPlan{Offsets: DefaultReminderOffsets, Quiet: DefaultQuietHours, Location: loc}
}

// DueAt returns when the reminder offset before an appointment at at should go, seen at now;
// false when it should not go at all. A time in quiet hours moves to the minute before they
// began (22:00 goes at 20:59), never later. A time already past goes now, or when quiet
// hours end if it is night now, provided that is still before the appointment.
func (p ReminderPlan) DueAt(at time.Time, offset time.Duration, now time.Time) (time.Time, bool) {
	if offset <= 0 || !at.After(now) {
		return time.Time{}, false
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	due := at.Add(-offset)
	if p.Quiet.In(due, loc) {
		due = p.Quiet.spanStart(due, loc).Add(-time.Minute)
	}
	if due.Before(now) {
		due = now
		if p.Quiet.In(now, loc) {
			due = p.Quiet.spanEnd(now, loc)
		}
	}
	if !due.Before(at) {
		return time.Time{}, false
	}
	return due, true
}

// MaxLead is how long before an appointment its earliest reminder can fall: the largest
// offset plus a whole day for quiet hours to move it earlier.
func (p ReminderPlan) MaxLead() time.Duration {
	var lead time.Duration
	for _, o := range p.Offsets {
		lead = max(lead, o)
	}
	return lead + 24*time.Hour
}

// Next returns the schedule's first occurrence after after (or at it, when inclusive), in loc.
func (s CheckInSchedule) Next(after time.Time, loc *time.Location, inclusive bool) time.Time {
	lt := after.In(loc)
	days := (int(s.Weekday) - int(lt.Weekday()) + 7) % 7
	t := time.Date(lt.Year(), lt.Month(), lt.Day()+days, s.Minute/60, s.Minute%60, 0, 0, loc)
	if t.Before(after) || (!inclusive && t.Equal(after)) {
		t = time.Date(lt.Year(), lt.Month(), lt.Day()+days+7, s.Minute/60, s.Minute%60, 0, 0, loc)
	}
	return t
}

// Outgoing is a message a worker wants sent. It is written to the outbox (a queued message
// row with a unique idempotency key) in the same transaction as the change that calls for
// it; the sender delivers it later.
type Outgoing struct {
	Key      string // idempotency key, e.g. "reminder:42"
	PersonID PersonID
	Phone    Phone
	Channel  Channel // ChannelSMS, or ChannelVoice for a call
	Provider Provider
	// Body is the SMS text; for a call, what it is about ("reminder:42"), from which the
	// gateway renders the call's TwiML.
	Body string
}

// ReminderWork is one reminder as its worker sees it, with the appointment and person.
type ReminderWork struct {
	Reminder    Reminder
	Appointment Appointment
	Person      Person
	// Superseded is true when another reminder of the same appointment makes this one
	// redundant: one closer to the appointment is due, or due within ReminderGap (only the
	// closer one goes), or one went to the person less than ReminderGap ago (after an
	// outage's backlog, say).
	Superseded bool
}

// ReminderResult is what a worker decided about a reminder.
type ReminderResult struct {
	Status WorkStatus // WorkPending leaves the row as it is
	Sent   bool       // stamp sent_at
	// DueAt, when set, moves the reminder (a late one that would fall in quiet hours).
	DueAt    *time.Time
	Messages []Outgoing
}

// CheckInWork is one check-in as its worker sees it.
type CheckInWork struct {
	CheckIn CheckIn
	Person  Person
	Case    Case
}

// CheckInResult is what a worker decided about a check-in.
type CheckInResult struct {
	Status   CheckInStatus // the new status; the current one leaves the row as it is
	Messages []Outgoing
	// Escalation, if set, is opened in the same transaction; a second one for the same
	// check-in and reason is not.
	Escalation *Escalation
}

// CheckInOutcome is what a recorded check-in result wrote.
type CheckInOutcome struct {
	Messages   []MessageID
	Escalation EscalationID // 0 when none was opened
}

// EscalationNotice records that a staff member was told of an escalation at a level.
type EscalationNotice struct {
	EscalationID EscalationID
	Level        EscalationLevel
	ManagerID    ManagerID
	MessageID    MessageID
	At           time.Time
}

// EscalationWork is one escalation as its worker sees it.
type EscalationWork struct {
	Escalation Escalation
	Person     *Person      // nil for an unregistered caller
	Help       *HelpRequest // the help request it is about, if any
	// Phone is the person's or the caller's number, "" when unknown.
	Phone Phone
	// Ladder holds who stands on each rung: the case manager, their supervisor, the commune
	// duty officer; or, on the roster's route, the on-call duty officers in turn. Nil where
	// nobody does.
	Ladder [TopLevel + 1]*CaseManager
	// Route is whose ladder it is (RouteNobody when every rung is empty).
	Route EscalationRoute
	// Notices lists who was told already, at every level; Told is those staff, once each.
	Notices []EscalationNotice
	Told    []CaseManager
	// ResolveNotified is true once everyone told has heard the escalation was resolved.
	ResolveNotified bool
}

// Notice is a staff member to tell of an escalation at a level, and the message telling them.
type Notice struct {
	Level     EscalationLevel
	ManagerID ManagerID
	Message   Outgoing
}

// EscalationResult is what a worker decided about an escalation. The level, notified flag,
// next level time and resolve flag are written as given.
type EscalationResult struct {
	Level           EscalationLevel
	Notified        bool
	NextLevelAt     *time.Time
	ResolveNotified bool
	Notices         []Notice
	Messages        []Outgoing // messages not recorded as notices (the resolution news)
	// Unrouted records that nobody at all could be told: the escalation is counted as
	// unrouted, and looked at again every RerouteEvery, until someone is told (a notice of
	// this result clears the mark) or it is closed.
	Unrouted bool
}

// ClaimOutcome is what claiming an outbound message found.
type ClaimOutcome int

// Claim outcomes.
const (
	ClaimStale   ClaimOutcome = iota // not due, sent already, or claimed by another attempt: do nothing
	ClaimSkipped                     // the person opted out or cannot be reached: marked skipped
	ClaimOK                          // marked sending under a lease: call the provider
)

// WorkKind names a kind of timed work.
type WorkKind string

// Kinds of timed work.
const (
	WorkCheckIn    WorkKind = "checkin"
	WorkEscalation WorkKind = "escalation"
	// WorkReminders and WorkMessages are batches: the due rows of a kind whose ids fall in
	// [ID, ID+N), taken together in one transaction, so a backlog of thousands costs a
	// commit per batch rather than per row.
	WorkReminders WorkKind = "reminders"
	WorkMessages  WorkKind = "messages"
	// WorkUnfinished is a dialog session left in the help flow after its category was
	// chosen: ID is the session's.
	WorkUnfinished WorkKind = "unfinished"
)

// BatchSpan is how many consecutive ids a batch of reminders or messages covers. Batches are
// aligned (ID is a multiple of BatchSpan), so the same rows always make the same batch and
// its task id stays deterministic across dispatcher passes.
const BatchSpan = 256

// BatchOf returns the first id of the batch holding id.
func BatchOf(id int64) int64 { return id - id%BatchSpan }

// QueuedMessage is an outbound message a batch wrote, and who carries it.
type QueuedMessage struct {
	ID       MessageID
	Provider Provider
	// Claimed is the message as written when the writer asked for its provider's messages
	// to be written claimed (see Claim): the writer calls the provider itself. Nil when the
	// message was written queued, or existed already under its idempotency key.
	Claimed *Message
}

// Claim asks a writer of messages to write those of its providers already claimed for
// their first attempt ('sending', leased until now+Lease), saving a claim's write and a
// task's hop: the row is still committed before any provider is called.
type Claim struct {
	Providers []Provider
	Lease     time.Duration
}

// Sent is the provider's id for a claimed attempt of a message.
type Sent struct {
	ID         MessageID
	Attempts   int
	ProviderID string
}

// Check-in stages.
const (
	StageSend     = "send"
	StageRetry    = "retry"
	StageDeadline = "deadline"
)

// Escalation stages.
const (
	StageNotify   = "notify"   // tell level N
	StageResolved = "resolved" // tell everyone told that it is resolved
	StageReroute  = "reroute"  // look again for someone to tell of an unrouted escalation
)

// RerouteEvery is how often an escalation nobody could be told of (unrouted) looks again for
// someone on its ladder: a duty officer added later gets it within this time.
const RerouteEvery = time.Minute

// DueItem is one piece of work due soon, as the dispatcher hands it to the queue.
type DueItem struct {
	Kind  WorkKind
	ID    int64
	Stage string // check-in and escalation stages; a message's provider (for logs)
	N     int    // escalation level, message attempt
	At    time.Time
}

// SessionLife says how long an idle dialog session can still be continued: an SMS
// conversation until the session's time-to-live restarts it, a USSD or voice one until the
// window for resuming a dropped session closes. A help flow idle for longer was dropped.
type SessionLife struct {
	SMS  time.Duration //nolint:staticcheck // ST1011: the channel, not milliseconds
	Dial time.Duration // USSD and voice
}

// Of is how long a session of channel ch lives idle.
func (l SessionLife) Of(ch Channel) time.Duration {
	if ch == ChannelSMS {
		return l.SMS
	}
	return l.Dial
}

// UnfinishedWork is a dialog session marked as holding a help request begun and not filed,
// as the worker reporting unfinished requests sees it.
type UnfinishedWork struct {
	Session DialogSession
	// Since is when the request began (its category was chosen); nil once it was reported,
	// filed or given up.
	Since *time.Time
	// Person is the caller when registered (nil otherwise), CaseID their open case (0 if none).
	Person *Person
	CaseID CaseID
}

// UnfinishedResult is what a worker decided about an unfinished help request. The zero
// value changes nothing (the session can still be continued).
type UnfinishedResult struct {
	// Report, when set, is filed as a help request with its escalation (climbing at
	// NextLevelAt), and the session's mark is cleared: reported once.
	Report      *HelpRequest
	NextLevelAt time.Time
	// Priority is the caller's (a child, a woman), which may make the report urgent.
	Priority Priority
	// Clear clears the session's mark without a report: nothing is pending any more.
	Clear bool
}

// WorkStore is what the workers need from persistence. Each Run method locks one row with
// what it needs, hands it to fn (which decides without I/O) and records fn's result in the
// same transaction; fn's error rolls everything back. A row that no longer exists is
// ENOTFOUND.
type WorkStore interface {
	RunCheckIn(ctx context.Context, id CheckInID, now time.Time, fn func(CheckInWork) (CheckInResult, error)) (CheckInOutcome, error)
	// RunEscalation writes the messages of claim's providers claimed, as RunReminders does.
	RunEscalation(ctx context.Context, id EscalationID, now time.Time, claim Claim, fn func(EscalationWork) (EscalationResult, error)) ([]QueuedMessage, error)
	// RunUnfinished locks dialog session id with its caller and records fn's decision: the
	// escalation of the help request it reported, 0 when it reported none.
	RunUnfinished(ctx context.Context, id int64, now time.Time, fn func(UnfinishedWork) (UnfinishedResult, error)) (EscalationID, error)

	// RunReminders locks every pending reminder due at now with an id in [from, from+span),
	// with its appointment and person, skipping rows another transaction holds: one
	// transaction, one commit, fn called once per reminder. It returns the messages written,
	// those of claim's providers written claimed.
	RunReminders(ctx context.Context, from ReminderID, span int, now time.Time, claim Claim, fn func(ReminderWork) (ReminderResult, error)) ([]QueuedMessage, error)
	// ClaimMessages marks up to limit due messages with ids in [from, from+span) sending for
	// one more attempt, holding them until now+lease, unless their provider is not one of
	// providers (whose messages someone else sends): one statement, skipping rows another
	// transaction holds; messages for people who opted out or cannot be reached are marked
	// skipped and not returned.
	ClaimMessages(ctx context.Context, from MessageID, span int, providers []Provider, now time.Time, lease time.Duration, limit int) ([]*Message, error)
	// RecordSentAll records the provider's id for many claimed attempts in one statement and
	// one commit; a message another attempt took over since is left alone.
	RecordSentAll(ctx context.Context, sent []Sent, now time.Time) error
	// ReleaseMessage gives back a claim made for attempts (attempts-1 made before it) whose
	// provider was never called: queued again, due at now.
	ReleaseMessage(ctx context.Context, id MessageID, attempts int, now time.Time) error
	// RecordRetry puts the message back in the queue, due at at.
	RecordRetry(ctx context.Context, id MessageID, attempts int, code string, at time.Time) error
	// RecordFailure marks the message failed; person, when not "", becomes the person's
	// status (when the message went to the person's own phone); escalate, when set, is opened (once per person while open) in the same transaction.
	RecordFailure(ctx context.Context, id MessageID, attempts int, code string, person PersonStatus, escalate *Escalation, now time.Time) (EscalationID, error)

	// LockDispatch takes the dispatcher's lock, shared by every replica; ok is false when
	// another holds it. unlock releases it.
	LockDispatch(ctx context.Context) (unlock func(), ok bool, err error)
	// MaterialiseCheckIns writes the check-in rows of active schedules falling before until.
	MaterialiseCheckIns(ctx context.Context, now, until time.Time, loc *time.Location, limit int) (int, error)
	// EnsureReminders writes the missing reminder rows of scheduled appointments whose
	// reminders may fall before until.
	EnsureReminders(ctx context.Context, now, until time.Time, plan ReminderPlan, limit int) (int, error)
	// DueWork lists work due before until, at most limit of each kind; outbound messages
	// only for the given providers. Reminders and messages come as batches (WorkReminders,
	// WorkMessages: ID the batch's first id, N its span, At its earliest due row; a batch of
	// messages has its provider as Stage), one item per batch holding a due row.
	DueWork(ctx context.Context, now, until time.Time, providers []Provider, limit int) ([]DueItem, error)
	// RemindDue writes, through tell, the reminders to case managers of periodic reviews
	// come due and of approved plans' services whose due date (in loc) came, once each, at
	// most limit of each kind, and returns how many it wrote.
	RemindDue(ctx context.Context, now time.Time, loc *time.Location, limit int, tell Announcer) (int, error)
	// DueUnfinished lists, earliest first and at most limit, the sessions holding a help
	// request begun whose life (see SessionLife) ends before until, as WorkUnfinished items
	// due when it ends.
	DueUnfinished(ctx context.Context, until time.Time, life SessionLife, limit int) ([]DueItem, error)
	// RecordDispatchPass records that a dispatcher pass ended at at, having taken took.
	RecordDispatchPass(ctx context.Context, at time.Time, took time.Duration) error

	LogUpkeep
}

// LogUpkeep keeps the message log fast and private as it grows (the workers' upkeep job).
// Each method is idempotent: two processes may run it at once.
type LogUpkeep interface {
	// EnsureMessagePartitions makes the message log's partitions of now's month and the
	// next one (UTC months), if missing.
	EnsureMessagePartitions(ctx context.Context, now time.Time) error
	// ClearBodies clears the words (message bodies, the replies kept for repeated webhooks,
	// help request descriptions) older than keep, keeping everything else. An abuse report's
	// words, and those of the conversation that filed it (ReportWindow either side), are kept
	// while its case is open and cleared once it has been closed for keep.
	ClearBodies(ctx context.Context, now time.Time, keep time.Duration) (Cleared, error)
	// ExpireSessions deletes the dialog sessions idle since before, except those holding a
	// help request begun and not yet reported.
	ExpireSessions(ctx context.Context, before time.Time) (int, error)
}

// Cleared says what one ClearBodies run cleared.
type Cleared struct {
	Messages     int // message bodies
	HelpRequests int // help request descriptions
}

// ReportWindow is how far either side of a help request its conversation's messages lie:
// an SMS session lives an hour idle, a USSD or voice session less.
const ReportWindow = time.Hour

// DefaultBodyRetention is how long message bodies are kept by default.
const DefaultBodyRetention = 365 * 24 * time.Hour

// SessionExpiry is how long an idle dialog session is kept: long past the time it can be
// continued (an hour), so a caller's language stays known for a month of silence.
const SessionExpiry = 30 * 24 * time.Hour
