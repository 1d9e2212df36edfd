package workers

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// Deps is what the workers and the dispatcher need. Zero values take the defaults noted.
type Deps struct {
	Store care.WorkStore // required
	// Senders carry outbound messages, by provider. Messages of a provider without a sender
	// (an Android SIM gateway polls for its own) are left to it.
	Senders map[care.Provider]care.Sender
	// Router picks the provider of an SMS to a number; nil sends everything through Twilio.
	// Calls always go through Twilio.
	Router care.Router
	Clock  care.Clock // default care.SystemClock
	Log    zerolog.Logger

	SLA care.SLA // default care.DefaultSLA
	// Reminders: offsets default to 24h and 2h; zero quiet hours default to 21:00–07:00
	// (any other Start == End, such as {1, 1}, means none).
	Reminders care.ReminderPlan
	Location  *time.Location // default Asia/Ho_Chi_Minh; also the reminder plan's when it has none
	// PublicBaseURL is where providers reach the gateway; a call's TwiML comes from
	// PublicBaseURL + "/twilio/voice?about=reminder:42". Required.
	PublicBaseURL string

	// RateLimit is messages per second per provider across every worker process sharing
	// Redis; 0 is no limit. A limit needs Redis.
	RateLimit float64
	// Redis holds the rate limiters' shared state (the task queue's Redis).
	Redis redis.UniversalClient
	// TaskTimeout bounds one task (default DefaultTaskTimeout); keep it above the
	// providers' HTTP timeout.
	TaskTimeout time.Duration
	// Lease is how long a message stays 'sending' before another attempt may take it
	// (default twice TaskTimeout). A worker that dies mid-send is retried after it.
	Lease time.Duration
	// Backoff says how long to wait after the nth failed attempt (default 30s doubling to 1h).
	Backoff func(attempts int) time.Duration
	// MaxAttempts is how many retryable failures a message gets before it fails (default 8).
	MaxAttempts int

	// SessionLife is how long an idle dialog session can still be continued; a help flow
	// dropped after its category is reported unfinished once its session's life is over.
	// Zero values take the dialog engine's defaults (flows.DefaultSessionTTL for SMS,
	// flows.DefaultResumeWindow for USSD and voice); keep them equal to the engine's.
	SessionLife care.SessionLife

	// News words the reminders of reviews and services come due (default flows.NewNews on
	// Router and Location).
	News care.Announcer

	// Enqueuer, when set, lets handlers queue follow-up work (messages to send, escalations to
	// notify) as soon as they commit; without it the next dispatcher pass picks them up.
	Enqueuer Enqueuer

	// BodyRetention is how long message bodies are kept (default care.DefaultBodyRetention);
	// UpkeepInterval how often the upkeep job runs (default an hour).
	BodyRetention  time.Duration
	UpkeepInterval time.Duration

	// DispatchInterval is how often the dispatcher runs (default 5s), DispatchWindow how far
	// ahead it looks (default 2m), DispatchLimit the most items of each kind per pass
	// (default 5000): rows of check-ins and escalations, batches of care.BatchSpan ids of
	// reminders and messages (so a pass can move 1,280,000 of those).
	DispatchInterval time.Duration
	DispatchWindow   time.Duration
	DispatchLimit    int
}

// withDefaults fills zero values and checks what has no default.
func (d Deps) withDefaults() (Deps, error) {
	if d.Store == nil {
		return d, care.Wiring("workers", "a store is required")
	}
	if d.Clock == nil {
		d.Clock = care.SystemClock{}
	}
	if d.SLA.Urgent <= 0 {
		d.SLA.Urgent = care.DefaultSLA.Urgent
	}
	if d.SLA.Normal <= 0 {
		d.SLA.Normal = care.DefaultSLA.Normal
	}
	if d.Location == nil {
		loc, err := time.LoadLocation(care.DefaultTimeZone)
		if err != nil {
			return d, fmt.Errorf("workers: load time zone: %w", err)
		}
		d.Location = loc
	}
	if d.Reminders.Location == nil {
		d.Reminders.Location = d.Location
	}
	if d.News == nil {
		d.News = flows.NewNews(d.Router, d.Location)
	}
	if len(d.Reminders.Offsets) == 0 {
		d.Reminders.Offsets = care.DefaultReminderOffsets
	}
	if d.Reminders.Quiet == (care.QuietHours{}) {
		d.Reminders.Quiet = care.DefaultQuietHours
	}
	u, err := url.Parse(d.PublicBaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return d, care.Wiring("workers", fmt.Sprintf("public base url %q: calls need an absolute URL for their TwiML", d.PublicBaseURL))
	}
	d.PublicBaseURL = strings.TrimRight(d.PublicBaseURL, "/")
	if d.RateLimit < 0 {
		return d, care.Wiring("workers", "rate limit must not be negative")
	}
	if d.RateLimit > 0 && d.Redis == nil {
		return d, care.Wiring("workers", "a rate limit needs Redis, which all workers share it through")
	}
	if d.TaskTimeout <= 0 {
		d.TaskTimeout = DefaultTaskTimeout
	}
	if d.Lease <= 0 {
		d.Lease = 2 * d.TaskTimeout
	}
	if d.Lease <= d.TaskTimeout {
		return d, care.Wiring("workers", "the message lease must exceed the task timeout")
	}
	if d.SessionLife.SMS <= 0 {
		d.SessionLife.SMS = flows.DefaultSessionTTL
	}
	if d.SessionLife.Dial <= 0 {
		d.SessionLife.Dial = flows.DefaultResumeWindow
	}
	if d.Backoff == nil {
		d.Backoff = DefaultBackoff
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 8
	}
	if d.BodyRetention <= 0 {
		d.BodyRetention = care.DefaultBodyRetention
	}
	if d.UpkeepInterval <= 0 {
		d.UpkeepInterval = time.Hour
	}
	if d.DispatchInterval <= 0 {
		d.DispatchInterval = 5 * time.Second
	}
	if d.DispatchWindow <= 0 {
		d.DispatchWindow = 2 * time.Minute
	}
	if d.DispatchLimit <= 0 {
		d.DispatchLimit = 5000
	}
	return d, nil
}

// DefaultBackoff waits 30 s after the first failed attempt, doubling up to an hour.
func DefaultBackoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// providers lists the providers with a sender, the ones whose messages this process sends.
func (d Deps) providers() []care.Provider {
	out := make([]care.Provider, 0, len(d.Senders))
	for p := range d.Senders {
		out = append(out, p)
	}
	return out
}

// smsProvider picks the provider of an SMS to phone.
func (d Deps) smsProvider(phone care.Phone) care.Provider {
	if d.Router != nil {
		if p := d.Router.Route(phone); p.Valid() {
			return p
		}
	}
	return care.ProviderTwilio
}
