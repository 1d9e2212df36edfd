package main

import (
	"context"
	"fmt"
	"net/http"
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
// (what the workers, in whatever process, found).
func newRegistry(st *store.Store, log zerolog.Logger) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gateway.GaugeFunc("caseline_help_requests_unrouted",
			"Open help requests whose escalation found nobody at all to tell (no commune staff, no one on call).",
			st.UnroutedHelpRequests, log))
	return reg
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
func addGateway(cfg config, log zerolog.Logger, st *store.Store, sp *spool.Spool, clock care.Clock, d *gateway.Deps) (*flows.Engine, error) {
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
func channels(cfg config, log zerolog.Logger, st *store.Store, sp *spool.Spool, clock care.Clock, d *gateway.Deps) (*flows.Engine, error) {
	engine := flows.NewEngine(flows.Deps{
		Turns: st, Clock: clock, Router: cfg.SMSRoutes, Location: cfg.Location,
		EmergencyNumbers: cfg.EmergencyNumbers,
	})
	tw, err := twilio.New(twilio.Deps{
		Engine: engine, Status: st, PublicBaseURL: cfg.PublicBaseURL, Log: log, Voices: cfg.TwilioVoices, Spool: sp,
	})
	if err != nil {
		return nil, err
	}
	signed := func(h http.HandlerFunc) http.Handler {
		return twilio.RequireSignature(cfg.TwilioAuthToken, cfg.PublicBaseURL, h)
	}
	d.TwilioSMS, d.TwilioSMSStatus = signed(tw.SMS), signed(tw.SMSStatus)
	d.TwilioVoice, d.TwilioVoiceStatus = signed(tw.Voice), signed(tw.VoiceStatus)
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
	news := flows.NewNews(cfg.SMSRoutes, cfg.Location)
	d.API = api.NewHandler(api.Deps{Store: st, Reminders: reminders, News: news, Clock: clock, Log: log, Compose: compose})
	d.Console = console.New(console.Deps{
		Store: st, Reminders: reminders, Router: cfg.SMSRoutes, Compose: compose, News: news, Clock: clock, Log: log,
		Secure: strings.HasPrefix(cfg.PublicBaseURL, "https://"), Location: cfg.Location,
	})
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
		Enqueuer:      workers.NewQueue(asynq.NewClientFromRedisClient(rdb), cfg.TaskTimeout),
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

func (r reminderScheduler) Cancel(ctx context.Context, id care.AppointmentID) error {
	return r.st.CancelReminders(ctx, id)
}
