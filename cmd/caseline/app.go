package main

import (
	"context"
	"fmt"
	"net/http"
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
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/ussd"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/workers"
)

// twilioTimeout bounds one call to Twilio's REST API. twilio-go takes no context, so this
// is the only bound; it stays below the workers' task timeout.
const twilioTimeout = 10 * time.Second

// gatewayHandler builds the HTTP gateway: every channel and the API on st, /readyz checking
// PostgreSQL and Redis, and /metrics with the process's figures and those read from
// PostgreSQL (what the workers, in whatever process, found).
func gatewayHandler(cfg config, log zerolog.Logger, pool *pgxpool.Pool, rdb *redis.Client, st *store.Store, clock care.Clock) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gateway.GaugeFunc("caseline_help_requests_unrouted",
			"Open help requests whose escalation found nobody at all to tell (no commune staff, no one on call).",
			st.UnroutedHelpRequests, log))
	deps := gateway.Deps{
		Log:     log,
		Metrics: reg,
		Ready: map[string]gateway.Check{
			"postgresql": pool.Ping,
			"redis":      func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		},
	}
	if err := channels(cfg, log, st, clock, &deps); err != nil {
		return nil, err
	}
	return gateway.NewHandler(deps), nil
}

// channels builds the dialog engine and every channel's webhook handler into d.
func channels(cfg config, log zerolog.Logger, st *store.Store, clock care.Clock, d *gateway.Deps) error {
	engine := flows.NewEngine(flows.Deps{
		Turns: st, Clock: clock, Router: cfg.SMSRoutes, Location: cfg.Location,
		EmergencyNumbers: cfg.EmergencyNumbers,
	})
	tw, err := twilio.New(twilio.Deps{
		Engine: engine, Status: st, PublicBaseURL: cfg.PublicBaseURL, Log: log, Voices: cfg.TwilioVoices,
	})
	if err != nil {
		return err
	}
	signed := func(h http.HandlerFunc) http.Handler {
		return twilio.RequireSignature(cfg.TwilioAuthToken, cfg.PublicBaseURL, h)
	}
	d.TwilioSMS, d.TwilioSMSStatus = signed(tw.SMS), signed(tw.SMSStatus)
	d.TwilioVoice, d.TwilioVoiceStatus = signed(tw.Voice), signed(tw.VoiceStatus)
	u, err := ussd.New(ussd.Deps{Engine: engine, Token: cfg.USSDToken, Log: log, Ends: st})
	if err != nil {
		return err
	}
	d.USSD, d.USSDEvents = u, http.HandlerFunc(u.Events)
	if d.Android, err = android.New(android.Deps{
		Engine: engine, Store: st, Log: log, Username: cfg.AndroidUsername, Password: cfg.AndroidPassword,
	}); err != nil {
		return err
	}
	d.API = api.NewHandler(api.Deps{
		Store: st, Reminders: reminderScheduler{st: st, plan: care.DefaultReminderPlan(cfg.Location)},
		Clock: clock, Log: log,
	})
	return nil
}

// workerDeps is what the workers and the dispatcher need.
func workerDeps(cfg config, log zerolog.Logger, st *store.Store, rdb *redis.Client, clock care.Clock) (workers.Deps, error) {
	sender, err := twilio.NewSender(twilio.SenderConfig{
		AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, From: cfg.TwilioFrom,
		CallerID: cfg.TwilioCallerID, APIURL: cfg.TwilioAPIURL, StatusCallbackBase: cfg.PublicBaseURL,
		Timeout: twilioTimeout,
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
		TaskTimeout:   workers.DefaultTaskTimeout,
		Enqueuer:      workers.NewQueue(asynq.NewClientFromRedisClient(rdb), workers.DefaultTaskTimeout),
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
