package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/android"
	"github.com/caseline/caseline/gateway/api"
	"github.com/caseline/caseline/gateway/console"
	"github.com/caseline/caseline/gateway/spool"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/ussd"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/workers"
)

// twilioTimeout bounds one call to Twilio's REST API. twilio-go takes no context, so this
// is the only bound; it stays well below the workers' task timeout (a third of it at most).
func twilioTimeout(task time.Duration) time.Duration { return min(10*time.Second, task/3) }

// newRegistry is what /metrics serves: the process's figures and those read from PostgreSQL
// at each scrape (what the workers, in whatever process, found), under the gateway's short
// timeout. Those queries read small indexed sets (see store/metrics.go), so a scrape stays
// cheap however large the message log grows.
func newRegistry(st *store.Store, log zerolog.Logger) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gateway.GaugeFunc("caseline_help_requests_unrouted",
			"Open help requests whose escalation found nobody at all to tell (no commune staff, no one on call).",
			st.UnroutedHelpRequests, log),
		escalationMetrics(st, log), outboxMetrics(st, log), dispatcherMetrics(st, log), messageMetrics(st, log))
	return reg
}

// escalationLevels are the ladder's rungs, as labels: each is reported, at zero when empty,
// so a dashboard never shows "no data" for a quiet ladder.
var escalationLevels = []string{"0", "1", "2"}

func escalationMetrics(st *store.Store, log zerolog.Logger) prometheus.Collector {
	open := prometheus.NewDesc("caseline_escalations_open",
		"Open (unacknowledged) escalations, by level of the ladder (0 case manager, 1 supervisor, 2 duty officer) and urgency.",
		[]string{"level", "urgency"}, nil)
	overdue := prometheus.NewDesc("caseline_escalations_overdue",
		"Open escalations past their rung's deadline, by level: at level 2 nobody acknowledged in time; below it, the climb is late.",
		[]string{"level"}, nil)
	return gateway.Scraped([]*prometheus.Desc{open, overdue}, func(ctx context.Context, emit gateway.Emit) error {
		counts, err := st.OpenEscalations(ctx)
		if err != nil {
			return err
		}
		for _, level := range escalationLevels {
			for _, urgency := range []string{"urgent", "normal"} {
				emit(open, sampleOf(counts, level, urgency), level, urgency)
			}
		}
		late, err := st.OverdueEscalations(ctx)
		if err != nil {
			return err
		}
		for _, level := range escalationLevels {
			emit(overdue, sampleOf(late, level), level)
		}
		return nil
	}, log)
}

// sampleOf is the value of the sample with labels, 0 when there is none.
func sampleOf(samples []store.Sample, labels ...string) float64 {
	for _, s := range samples {
		if slices.Equal(s.Labels, labels) {
			return s.Value
		}
	}
	return 0
}

func outboxMetrics(st *store.Store, log zerolog.Logger) prometheus.Collector {
	pending := prometheus.NewDesc("caseline_outbox_pending",
		"Outbound messages waiting to be sent: queued (due now or retrying later) or being sent.", nil, nil)
	oldest := prometheus.NewDesc("caseline_outbox_oldest_due_seconds",
		"How long the outbound message waiting longest has been due (0 when none is).", nil, nil)
	return gateway.Scraped([]*prometheus.Desc{pending, oldest}, func(ctx context.Context, emit gateway.Emit) error {
		n, age, err := st.Outbox(ctx)
		if err != nil {
			return err
		}
		emit(pending, float64(n))
		emit(oldest, age)
		return nil
	}, log)
}

func dispatcherMetrics(st *store.Store, log zerolog.Logger) prometheus.Collector {
	lag := prometheus.NewDesc("caseline_dispatcher_lag_seconds",
		"Time since the dispatcher (any work process) last finished a pass; it runs every 5 s.", nil, nil)
	took := prometheus.NewDesc("caseline_dispatcher_pass_seconds",
		"How long the dispatcher's last pass took.", nil, nil)
	return gateway.Scraped([]*prometheus.Desc{lag, took}, func(ctx context.Context, emit gateway.Emit) error {
		ago, d, ok, err := st.DispatchPass(ctx)
		if err != nil || !ok {
			return err // none yet: left out, and an alert on absent() can say so
		}
		emit(lag, ago)
		emit(took, d)
		return nil
	}, log)
}

func messageMetrics(st *store.Store, log zerolog.Logger) prometheus.Collector {
	recent := prometheus.NewDesc("caseline_messages_last_hour",
		"Messages logged in the last hour (SMS, USSD hops, voice turns), by direction, channel, provider and the status they have now.",
		[]string{"direction", "channel", "provider", "status"}, nil)
	return gateway.Scraped([]*prometheus.Desc{recent}, func(ctx context.Context, emit gateway.Emit) error {
		counts, err := st.RecentMessages(ctx)
		if err != nil {
			return err
		}
		for _, c := range counts {
			emit(recent, c.Value, c.Labels...)
		}
		return nil
	}, log)
}

// httpDeps is what every process answers on LISTEN_ADDR: /healthz, /readyz checking
// PostgreSQL and Redis, and /metrics serving reg. The gateway's routes are added to it by
// addGateway.
func httpDeps(log zerolog.Logger, reg *prometheus.Registry, pool *pgxpool.Pool, rdb redis.UniversalClient) gateway.Deps {
	return gateway.Deps{
		Log:     log,
		Metrics: reg,
		Ready: map[string]gateway.Check{
			"postgresql": pool.Ping,
			"redis":      func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		},
	}
}

// addGateway adds the gateway to d: every channel and the API on st, with the spool sp (nil
// spools nothing) and, with one, its readiness ("degraded: spooling" while it holds
// messages). It returns the dialog engine, which the spool's replayer runs too.
func addGateway(cfg config, log zerolog.Logger, st *store.Store, sp *spool.Spool, clock care.Clock, d *gateway.Deps) (gateway.Engine, error) {
	if sp != nil {
		d.Ready["spool"] = func(context.Context) error {
			if sp.Depth() > 0 {
				return gateway.Degraded("spooling")
			}
			return nil
		}
	}
	return channels(cfg, log, st, sp, clock, d)
}

// channels builds the dialog engine and every channel's webhook handler into d, each with the
// spool sp; it returns the engine.
func channels(cfg config, log zerolog.Logger, st *store.Store, sp *spool.Spool, clock care.Clock, d *gateway.Deps) (gateway.Engine, error) {
	engine := gateway.TimedEngine(flows.NewEngine(flows.Deps{
		Turns: st, Clock: clock, Router: cfg.SMSRoutes, Location: cfg.Location,
		EmergencyNumbers: cfg.EmergencyNumbers, Prompts: cfg.Prompts,
	}), d.Metrics)
	tw, err := twilio.New(twilio.Deps{
		Engine: engine, Status: st, PublicBaseURL: cfg.PublicBaseURL, Log: log, Voices: cfg.TwilioVoices, Spool: sp,
		Audio: cfg.PromptAudio,
	})
	if err != nil {
		return nil, err
	}
	signed := func(h http.HandlerFunc) http.Handler {
		return twilio.RequireSignature(cfg.TwilioAuthToken, cfg.PublicBaseURL, h)
	}
	d.TwilioSMS, d.TwilioSMSStatus = signed(tw.SMS), signed(tw.SMSStatus)
	d.TwilioVoice, d.TwilioVoiceStatus = signed(tw.Voice), signed(tw.VoiceStatus)
	d.TwilioAudio = http.HandlerFunc(tw.Audio)
	u, err := ussd.New(ussd.Deps{Engine: engine, Token: cfg.USSDToken, Log: log, Ends: st, Spool: sp})
	if err != nil {
		return nil, err
	}
	d.USSD, d.USSDEvents = u, http.HandlerFunc(u.Events)
	if d.Android, err = android.New(android.Deps{
		Engine: engine, Store: st, Log: log, Username: cfg.AndroidUsername, Password: cfg.AndroidPassword, Spool: sp,
	}); err != nil {
		return nil, err
	}
	reminders := reminderScheduler{st: st, plan: care.DefaultReminderPlan(cfg.Location)}
	compose := flows.ComposeStaffSMS(cfg.SMSRoutes)
	news := flows.NewNews(cfg.SMSRoutes, cfg.Location).Using(cfg.Prompts)
	if d.API, err = api.NewHandler(api.Deps{Store: st, Reminders: reminders, News: news, Clock: clock, Log: log, Compose: compose}); err != nil {
		return nil, err
	}
	if d.Console, err = console.New(console.Deps{
		Store: st, Reminders: reminders, Router: cfg.SMSRoutes, Compose: compose, News: news, Clock: clock, Log: log,
		Secure: strings.HasPrefix(cfg.PublicBaseURL, "https://"), Location: cfg.Location,
	}); err != nil {
		return nil, err
	}
	return engine, nil
}

// workerDeps is what the workers and the dispatcher need.
func workerDeps(cfg config, log zerolog.Logger, st *store.Store, rdb *redis.Client, clock care.Clock) (workers.Deps, error) {
	sender, err := twilio.NewSender(twilio.SenderConfig{
		AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, From: cfg.TwilioFrom,
		CallerID: cfg.TwilioCallerID, APIURL: cfg.TwilioAPIURL, StatusCallbackBase: cfg.PublicBaseURL,
		Timeout: twilioTimeout(cfg.TaskTimeout),
	})
	if err != nil {
		return workers.Deps{}, fmt.Errorf("twilio sender: %w", err)
	}
	return workers.Deps{
		Store:         st,
		Senders:       map[care.Provider]care.Sender{care.ProviderTwilio: sender},
		Router:        cfg.SMSRoutes,
		Clock:         clock,
		Log:           log,
		Location:      cfg.Location,
		Reminders:     care.DefaultReminderPlan(cfg.Location),
		PublicBaseURL: cfg.PublicBaseURL,
		RateLimit:     cfg.SendRateLimit,
		Redis:         rdb,
		TaskTimeout:   cfg.TaskTimeout,
		BodyRetention: cfg.BodyRetention,
		Enqueuer:      workers.NewQueue(asynq.NewClientFromRedisClient(rdb), cfg.TaskTimeout),
		News:          flows.NewNews(cfg.SMSRoutes, cfg.Location).Using(cfg.Prompts),
	}, nil
}

// reminderScheduler lets the API keep an appointment's reminders in step with it.
type reminderScheduler struct {
	st   *store.Store
	plan care.ReminderPlan
}

func (r reminderScheduler) Schedule(ctx context.Context, id care.AppointmentID) error {
	return r.st.ScheduleReminders(ctx, id, r.plan)
}
