package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/android"
	"github.com/caseline/caseline/gateway/api"
	"github.com/caseline/caseline/gateway/spool"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/ussd"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/workers"
)

// twilioTimeout bounds one call to Twilio's REST API. twilio-go takes no context, so this
// is the only bound; it stays well below the workers' task timeout (a third of it at most).
func twilioTimeout(task time.Duration) time.Duration { return min(10*time.Second, task/3) }

// channels builds the dialog engine and every channel's webhook handler into d, each with the
// spool sp; it returns the engine, which the spool's replayer runs too.
func channels(cfg config, log zerolog.Logger, st *store.Store, sp *spool.Spool, d *gateway.Deps) (*flows.Engine, error) {
	engine := flows.NewEngine(flows.Deps{
		Turns: st, Clock: care.SystemClock{}, Router: cfg.SMSRoutes, Location: cfg.Location,
	})
	tw, err := twilio.New(twilio.Deps{
		Engine: engine, Status: st, PublicBaseURL: cfg.PublicBaseURL, Log: log, VoiceKeys: engine.VoiceKeys, Spool: sp,
	})
	if err != nil {
		return nil, err
	}
	signed := func(h http.HandlerFunc) http.Handler {
		return twilio.RequireSignature(cfg.TwilioAuthToken, cfg.PublicBaseURL, h)
	}
	d.TwilioSMS, d.TwilioSMSStatus = signed(tw.SMS), signed(tw.SMSStatus)
	d.TwilioVoice, d.TwilioVoiceStatus = signed(tw.Voice), signed(tw.VoiceStatus)
	if d.USSD, err = ussd.New(ussd.Deps{Engine: engine, Token: cfg.USSDToken, Log: log, Spool: sp}); err != nil {
		return nil, err
	}
	if d.Android, err = android.New(android.Deps{
		Engine: engine, Store: st, Log: log, Username: cfg.AndroidUsername, Password: cfg.AndroidPassword, Spool: sp,
	}); err != nil {
		return nil, err
	}
	d.API = api.NewHandler(api.Deps{
		Store: st, Reminders: reminderScheduler{st: st, plan: care.DefaultReminderPlan(cfg.Location)},
		Clock: care.SystemClock{}, Log: log,
	})
	return engine, nil
}

// workerDeps is what the workers and the dispatcher need.
func workerDeps(cfg config, log zerolog.Logger, st *store.Store, rdb *redis.Client) (workers.Deps, error) {
	sender, err := twilio.NewSender(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioFrom,
		cfg.TwilioAPIURL, cfg.PublicBaseURL, twilioTimeout(cfg.TaskTimeout))
	if err != nil {
		return workers.Deps{}, fmt.Errorf("twilio sender: %w", err)
	}
	return workers.Deps{
		Store:         st,
		Senders:       map[care.Provider]care.Sender{care.ProviderTwilio: sender},
		Router:        cfg.SMSRoutes,
		Clock:         care.SystemClock{},
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
