package ussd

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/spool"
)

// maxField bounds each form field; Africa's Talking's are far shorter.
const maxField = 1024

// Engine runs one inbound turn of a dialog. The flows engine satisfies it.
type Engine interface {
	Handle(ctx context.Context, in flows.Input) (flows.Reply, error)
}

// Ends records how USSD sessions ended; the store satisfies it. A session recorded already
// is left as it was (the aggregator may notify twice).
type Ends interface {
	RecordUSSDEnd(ctx context.Context, e *care.USSDSessionEnd) error
}

// Deps are what the handler needs.
type Deps struct {
	Engine Engine
	// Token is the shared secret the aggregator's callback URL carries (?token=…).
	Token string
	// Log is used when the request's context carries no logger.
	Log zerolog.Logger
	// Ends records the end-of-session notifications Events serves; nil answers them 503.
	Ends Ends
	// Spool keeps hops cut off by the database, to call back a caller who was asking for
	// help; nil keeps nothing.
	Spool *spool.Spool
}

// Handler serves POST /ussd/africastalking, and its Events method the end-of-session
// notifications.
type Handler struct {
	engine Engine
	token  []byte
	log    zerolog.Logger
	phones *care.PhoneMemo
	ends   Ends
	spool  *spool.Spool
}

// New returns the USSD handler, or an error when the engine or the token is missing.
func New(d Deps) (*Handler, error) {
	if d.Engine == nil {
		return nil, care.Wiring("ussd handler", "no engine")
	}
	if d.Token == "" {
		return nil, care.Wiring("ussd handler", "no token")
	}
	return &Handler{engine: d.Engine, token: []byte(d.Token), log: d.Log, phones: care.NewPhoneMemo(), ends: d.Ends,
		spool: d.Spool}, nil
}

// apology closes a session that could not be handled; the language is unknown then.
func apology() string { return "END " + gateway.ApologyText("\n") }

// ServeHTTP answers one USSD hop with "CON …" or "END …".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := h.admit(w, r)
	if !ok {
		return
	}
	in, err := decodeWith(body, h.phones.Parse)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	ctx := r.Context()
	answer := apology()
	reply, err := h.engine.Handle(ctx, in)
	if err != nil {
		gateway.TurnFailed(h.logger(ctx), in, err)
		form, _ := url.ParseQuery(string(body)) // parsed once already
		h.spool.Interrupted(ctx, in, form.Get("text"), err)
	} else {
		answer = reply.Text // laid out by the engine, as the message log keeps it
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, answer)
}

// admit lets in a POST carrying the token and returns its body; otherwise it has answered
// 405, 403 (and nothing is recorded), 413 or 400.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		gateway.Text(w, r, gateway.MethodNotAllowed())
		return nil, false
	}
	token := r.URL.Query().Get("token")
	if subtle.ConstantTimeCompare([]byte(token), h.token) != 1 {
		gateway.Text(w, r, care.Errorf(care.EUNAUTHORIZED, "invalid token"))
		return nil, false
	}
	body, err := gateway.ReadBody(r)
	if err != nil {
		gateway.Text(w, r, err)
		return nil, false
	}
	return body, true
}

func (h *Handler) logger(ctx context.Context) *zerolog.Logger {
	if l := zerolog.Ctx(ctx); l.GetLevel() != zerolog.Disabled {
		return l
	}
	return &h.log
}

// decode turns an Africa's Talking form body into an Input. The hop is the number of inputs
// in text, so a repeated hop (the aggregator retrying) has the same ProviderID.
func decode(body []byte) (flows.Input, error) { return decodeWith(body, care.ParsePhone) }

// decodeWith is decode parsing the caller's number with parse.
func decodeWith(body []byte, parse func(string) (care.Phone, error)) (flows.Input, error) {
	form, session, p, err := decodeSession(body, parse, "serviceCode", "networkCode", "text")
	if err != nil {
		return flows.Input{}, err
	}
	text := form.Get("text")
	in := flows.Input{
		Channel:    care.ChannelUSSD,
		Provider:   care.ProviderAfricasTalking,
		Phone:      p,
		SessionKey: session,
		New:        text == "",
		ProviderID: session + ":0",
	}
	if text != "" {
		inputs := strings.Split(text, "*")
		in.Text = inputs[len(inputs)-1]
		in.ProviderID = session + ":" + strconv.Itoa(len(inputs))
	}
	return in, nil
}

// decodeSession reads what every Africa's Talking USSD request carries: a urlencoded form
// (invalid UTF-8 and NUL characters cleaned, never refused), a printable sessionId and the
// caller's phoneNumber (parsed with parse). Those and the other fields named must be at most
// maxField bytes long.
func decodeSession(body []byte, parse func(string) (care.Phone, error), fields ...string) (url.Values, string, care.Phone, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "", "", care.FieldError("body", "not a urlencoded form")
	}
	form = care.CleanForm(form) // the caller cannot be asked again: keep what they typed
	for _, key := range append([]string{"sessionId", "phoneNumber"}, fields...) {
		if len(form.Get(key)) > maxField {
			return nil, "", "", care.FieldError(key, "too long")
		}
	}
	session := strings.TrimSpace(form.Get("sessionId"))
	if session == "" {
		return nil, "", "", care.FieldError("sessionId", "is required")
	}
	if strings.ContainsFunc(session, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return nil, "", "", care.FieldError("sessionId", "not printable ASCII")
	}
	number := strings.TrimSpace(form.Get("phoneNumber"))
	if number == "" {
		return nil, "", "", care.FieldError("phoneNumber", "is required")
	}
	p, err := parse(number)
	if err != nil {
		return nil, "", "", care.FieldError("phoneNumber", "not a valid phone number")
	}
	return form, session, p, nil
}
