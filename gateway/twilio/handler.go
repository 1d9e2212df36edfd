package twilio

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/spool"
)

// Engine runs one inbound turn of a dialog. The flows engine satisfies it.
type Engine interface {
	Handle(ctx context.Context, in flows.Input) (flows.Reply, error)
}

// StatusRecorder records a delivery receipt on the message (or call) the provider knows by
// r.ProviderID, and counts a failure that r.NumberFailed blames on the number; marked reports
// that it made the number unreachable by SMS. It returns a care.Error with code ENOTFOUND
// when no message has that id. The store satisfies it; it should not move a message's status
// backwards (receipts arrive out of order).
type StatusRecorder interface {
	RecordStatus(ctx context.Context, r care.Receipt) (marked bool, err error)
}

// Deps are what the handlers need.
type Deps struct {
	Engine Engine
	Status StatusRecorder
	// PublicBaseURL is the origin Twilio reaches us at (PUBLIC_BASE_URL); voice <Gather>
	// actions point back to it.
	PublicBaseURL string
	// Log is used when the request's context carries no logger.
	Log zerolog.Logger
	// Voices say the voice prompts; an empty one is DefaultVoiceVI or DefaultVoiceEN.
	Voices Voices
	// Spool takes inbound SMS and interrupted calls while the database cannot; nil spools
	// nothing.
	Spool *spool.Spool
	// Audio holds the recorded prompts calls play instead of saying (PROMPT_AUDIO_DIR); nil
	// says everything. Audio serves them.
	Audio *flows.PromptAudio
}

// Handlers serves Twilio's webhooks. Each handler expects RequireSignature in front of it.
type Handlers struct {
	engine   Engine
	status   StatusRecorder
	voiceURL string
	log      zerolog.Logger
	voices   Voices
	phones   *care.PhoneMemo
	spool    *spool.Spool
	audio    *flows.PromptAudio
	audioURL string
}

// New returns the webhook handlers, or an error when a dependency is missing.
func New(d Deps) (*Handlers, error) {
	if d.Engine == nil {
		return nil, care.Wiring("twilio handlers", "no engine")
	}
	if d.Status == nil {
		return nil, care.Wiring("twilio handlers", "no status recorder")
	}
	u, err := url.Parse(d.PublicBaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, care.Wiring("twilio handlers", fmt.Sprintf("public base URL %q is not an absolute http(s) URL", d.PublicBaseURL))
	}
	return &Handlers{
		engine:   d.Engine,
		status:   d.Status,
		voiceURL: strings.TrimRight(d.PublicBaseURL, "/") + "/twilio/voice",
		log:      d.Log,
		voices:   d.Voices,
		phones:   care.NewPhoneMemo(),
		spool:    d.Spool,
		audio:    d.Audio,
		audioURL: strings.TrimRight(d.PublicBaseURL, "/") + AudioPath,
	}, nil
}

// logger returns the request's logger (hlog puts one in the context), or the handlers' own.
func (h *Handlers) logger(ctx context.Context) *zerolog.Logger {
	if l := zerolog.Ctx(ctx); l.GetLevel() != zerolog.Disabled {
		return l
	}
	return &h.log
}

// handle runs the engine and logs its failure; the caller answers with an apology then. A
// call cut off by the database is spooled, to be called back if it was in the help flow.
func (h *Handlers) handle(ctx context.Context, in flows.Input) (flows.Reply, bool) {
	reply, err := h.engine.Handle(ctx, in)
	if err == nil {
		return reply, true
	}
	gateway.TurnFailed(h.logger(ctx), in, err)
	h.spool.Interrupted(ctx, in, "step "+in.ProviderID[strings.LastIndexByte(in.ProviderID, ':')+1:], err)
	return flows.Reply{}, false
}

// parseForm parses a urlencoded body. A body that does not parse is a care.Error naming it;
// invalid UTF-8 and NUL characters in it are cleaned (care.CleanForm), never refused: Twilio
// does not send a refused message again, and the person's words would be lost.
func parseForm(body []byte) (url.Values, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, care.FieldError("body", "not a urlencoded form")
	}
	return care.CleanForm(form), nil
}

// required returns form's value for key, or a care.Error when it is missing.
func required(form url.Values, key string) (string, error) {
	v := strings.TrimSpace(form.Get(key))
	if v == "" {
		return "", care.FieldError(key, "is required")
	}
	return v, nil
}

// phone parses form's key as a phone number.
func phone(form url.Values, key string) (care.Phone, error) {
	return phoneWith(form, key, care.ParsePhone)
}

// phoneWith is phone with parse in place of care.ParsePhone.
func phoneWith(form url.Values, key string, parse func(string) (care.Phone, error)) (care.Phone, error) {
	v, err := required(form, key)
	if err != nil {
		return "", err
	}
	p, err := parse(v)
	if err != nil {
		return "", care.FieldError(key, "not a valid phone number")
	}
	return p, nil
}

// sid checks a Twilio sid ("SM…", "CA…"): letters and digits only, of a sane length.
func sid(form url.Values, key string) (string, error) {
	v, err := required(form, key)
	if err != nil {
		return "", err
	}
	if len(v) > 64 {
		return "", care.FieldError(key, "too long")
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", care.FieldError(key, "not a Twilio sid")
		}
	}
	return v, nil
}
