package android

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/spool"
)

// Defaults for the zero values of Deps.
const (
	DefaultUsername = "gateway" // what the Medic-branded app hard-codes, kept as a familiar default
	DefaultLease    = 5 * time.Minute
	DefaultBatch    = 50
	// DefaultMaxBody is the largest body after gunzip: what the route lets through
	// compressed (gateway.NewHandler), so a poll the app did not compress fits too.
	DefaultMaxBody = gateway.MaxAPIBodyBytes
)

// maxIDLen bounds the app's message ids; they are UUIDs.
const maxIDLen = 128

// Engine runs one inbound turn through the dialog flows. It deduplicates by Input.ProviderID:
// a repeated id gets the first reply again with Reply.Duplicate set.
type Engine interface {
	Handle(ctx context.Context, in flows.Input) (flows.Reply, error)
}

// Store is the phone's outbox in PostgreSQL; store.Store implements it.
type Store interface {
	// UpdateAndroidStatus records status reports (ProviderID, Status, ErrorCode of each
	// message), forwards only, ignoring unknown ids, and returns how many rows changed.
	UpdateAndroidStatus(ctx context.Context, updates []care.Message) (int, error)
	// HandOutAndroid queues messages (once per idempotency key) and returns up to limit
	// outbound android SMS not offered within lease, marking them offered, in one transaction.
	HandOutAndroid(ctx context.Context, queue []care.Message, lease time.Duration, limit int) ([]care.Message, error)
}

// Deps is what a Handler needs. Engine, Store and Password are required.
type Deps struct {
	Engine Engine
	Store  Store
	// Log gets one line per poll, without message bodies or full phone numbers. A logger in
	// the request's context (hlog) is preferred when there is one.
	Log zerolog.Logger
	// Username and Password are the app's HTTP Basic credentials (ANDROID_GATEWAY_USERNAME,
	// ANDROID_GATEWAY_PASSWORD). Username defaults to DefaultUsername.
	Username string
	Password string
	// Lease is how long an outbound SMS handed to the phone waits for its first status report
	// before it is offered again. Default DefaultLease.
	Lease time.Duration
	// Batch is the most outbound SMS handed out per poll. Default DefaultBatch.
	Batch int
	// MaxBody is the largest request body after gunzip. Default DefaultMaxBody; the body
	// as sent is limited by its route (gateway.NewHandler).
	MaxBody int64
	// Spool takes inbound SMS while the database cannot; nil spools nothing.
	Spool *spool.Spool
}

// Handler serves the cht-gateway endpoint, mounted at /android/sms.
type Handler struct {
	engine  Engine
	store   Store
	log     zerolog.Logger
	user    [sha256.Size]byte
	pass    [sha256.Size]byte
	lease   time.Duration
	batch   int
	maxBody int64
	spool   *spool.Spool
}

// New checks d, fills in its defaults and returns the Handler. A missing engine, store or
// password is a care.WiringError: the endpoint is never served without authentication.
func New(d Deps) (*Handler, error) {
	switch {
	case d.Engine == nil:
		return nil, care.Wiring("android gateway", "no dialog engine")
	case d.Store == nil:
		return nil, care.Wiring("android gateway", "no store")
	case d.Password == "":
		return nil, care.Wiring("android gateway", "no password (ANDROID_GATEWAY_PASSWORD)")
	case d.Lease < 0 || d.Batch < 0 || d.MaxBody < 0:
		return nil, care.Wiring("android gateway", "lease, batch and body limit must not be negative")
	}
	if d.Username == "" {
		d.Username = DefaultUsername
	}
	if d.Lease == 0 {
		d.Lease = DefaultLease
	}
	if d.Batch == 0 {
		d.Batch = DefaultBatch
	}
	if d.MaxBody == 0 {
		d.MaxBody = DefaultMaxBody
	}
	return &Handler{
		engine: d.Engine, store: d.Store, log: d.Log,
		user: sha256.Sum256([]byte(d.Username)), pass: sha256.Sum256([]byte(d.Password)),
		lease: d.Lease, batch: d.Batch, maxBody: d.MaxBody, spool: d.Spool,
	}, nil
}

// ServeHTTP answers the app: 401 without the right credentials, GET with the handshake, POST
// with the exchange of messages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.logger(r)
	if !h.authorized(r) {
		log.Warn().Msg("android gateway: wrong or missing credentials")
		w.Header().Set("WWW-Authenticate", `Basic realm="caseline", charset="UTF-8"`)
		h.fail(w, r, gateway.Unauthenticated("wrong or missing credentials"))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, hello{MedicGateway: true})
	case http.MethodPost:
		h.exchange(w, r, log)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.fail(w, r, gateway.Refuse(http.StatusMethodNotAllowed, gateway.CodeMethod, "use GET or POST"))
	}
}

// authorized compares the Basic credentials with the configured ones in constant time. Both
// sides are hashed first so that neither length leaks. The password counts as sent and
// URI-decoded, both compared every time: the cht-gateway app puts Uri.encode(password) in
// its header (SimpleJsonClient2.uriEncodeAuth), so "p@ss word" arrives as "p%40ss%20word",
// while curl and other clients send it as it is.
func (h *Handler) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	decoded, err := url.PathUnescape(pass) // Uri.encode writes a space as %20, never '+'
	if err != nil {
		decoded = pass
	}
	u, p, d := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass)), sha256.Sum256([]byte(decoded))
	password := subtle.ConstantTimeCompare(p[:], h.pass[:]) | subtle.ConstantTimeCompare(d[:], h.pass[:])
	return subtle.ConstantTimeCompare(u[:], h.user[:])&password == 1
}

// logger is the request's logger (hlog) if the middleware set one, else the handler's.
func (h *Handler) logger(r *http.Request) *zerolog.Logger {
	l := zerolog.Ctx(r.Context())
	if l.GetLevel() == zerolog.Disabled {
		l = &h.log
	}
	sub := l.With().Str("channel", string(care.ChannelSMS)).Str("provider", string(care.ProviderAndroid)).Logger()
	return &sub
}

// exchange handles one poll: status reports, then inbound SMS, then the outbound batch.
func (h *Handler) exchange(w http.ResponseWriter, r *http.Request, log *zerolog.Logger) {
	req, err := h.decode(r)
	if err != nil {
		log.Warn().Int("status", gateway.Status(err)).Str("reason", err.Error()).Msg("android gateway: bad request")
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()

	updates := h.updates(req.Updates, log)
	changed := 0
	if len(updates) > 0 {
		n, err := h.store.UpdateAndroidStatus(ctx, updates)
		if err != nil {
			h.internal(w, r, log, err, "record status updates")
			return
		}
		changed = n
	}

	queue := make([]care.Message, 0, len(req.Messages))
	for _, m := range req.Messages {
		out, ok, err := h.inbound(ctx, m, log)
		if err != nil {
			h.internal(w, r, log, err, "spool inbound SMS")
			return
		}
		if ok {
			queue = append(queue, out)
		}
	}

	batch, err := h.store.HandOutAndroid(ctx, queue, h.lease, h.batch)
	if err != nil {
		h.internal(w, r, log, err, "hand out messages")
		return
	}
	resp := response{Messages: make([]outbound, 0, len(batch))}
	for _, m := range batch {
		resp.Messages = append(resp.Messages, outbound{ID: m.ProviderID, To: m.Phone.E164(), Content: m.Body})
	}
	ev := log.Debug()
	if len(req.Messages)+len(req.Updates)+len(resp.Messages) > 0 {
		ev = log.Info() // an idle poll every few seconds is not news
	}
	ev.Int("inbound", len(req.Messages)).Int("updates", len(req.Updates)).Int("changed", changed).
		Int("queued", len(queue)).Int("handed_out", len(resp.Messages)).Msg("android gateway poll")
	writeJSON(w, http.StatusOK, resp)
}

// decode reads the body, gunzipping it if the app compressed it, within the size limit. The
// error says what to answer (gateway.Status) and why.
func (h *Handler) decode(r *http.Request) (req request, err error) {
	var body io.Reader = r.Body // limited by the route (gateway.LimitBody)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return req, gateway.Unreadable(err, "body is not valid gzip")
		}
		defer zr.Close()
		body = zr
	default:
		return req, gateway.Refuse(http.StatusUnsupportedMediaType, "unsupported_encoding", "unsupported Content-Encoding (use gzip or none)")
	}
	// The limit applies again after gunzip: a small compressed body can expand enormously.
	data, err := io.ReadAll(io.LimitReader(body, h.maxBody+1))
	if err != nil {
		return req, gateway.Unreadable(err, "body could not be read (corrupt gzip?)")
	}
	if int64(len(data)) > h.maxBody {
		return req, &http.MaxBytesError{Limit: h.maxBody}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return req, care.Errorf(care.EINVALID, "empty body: expected a JSON object")
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return req, care.Errorf(care.EINVALID, "%s", jsonReason(err))
	}
	return req, nil
}

// jsonReason says what is wrong with a body without echoing it or naming Go types.
func jsonReason(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q has the wrong type (%s)", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("expected a JSON object with messages and updates, got %s", typ.Value)
	}
	return "malformed JSON"
}

// statuses maps the app's report to a message status. UNSENT (the app has the message but has
// not tried yet) changes nothing.
var statuses = map[string]care.MessageStatus{
	"PENDING":   care.MsgSending,
	"SENT":      care.MsgSent,
	"DELIVERED": care.MsgDelivered,
	"FAILED":    care.MsgFailed,
}

// updates turns the app's status reports into the store's form, skipping unusable ones.
func (h *Handler) updates(in []update, log *zerolog.Logger) []care.Message {
	out := make([]care.Message, 0, len(in))
	for _, u := range in {
		st, ok := statuses[strings.ToUpper(strings.TrimSpace(u.Status))]
		if u.ID == "" || len(u.ID) > maxIDLen || !ok {
			if !strings.EqualFold(u.Status, "UNSENT") {
				log.Warn().Int("id_len", len(u.ID)).Str("status", truncate(u.Status, 16)).Msg("android gateway: status update skipped")
			}
			continue
		}
		out = append(out, care.Message{ProviderID: u.ID, Status: st, ErrorCode: u.Reason})
	}
	return out
}

// inbound runs one SMS through the engine. The engine writes the reply itself, in the same
// transaction as the turn, as an outbound row for this gateway (provider android, status
// queued) — so a reply is never lost between the turn and its queueing, nor queued twice for
// a repeated id. When the database cannot take the turn, the spool takes the SMS and inbound
// returns the neutral "received" reply to queue; when the engine refuses it, an apology. Both
// are keyed by the inbound id so a repeat cannot queue them twice. A message that cannot be
// read is skipped (the others still count). An error means the SMS was neither handled nor
// spooled: the poll must fail, so that the app sends it again.
func (h *Handler) inbound(ctx context.Context, m inbound, log *zerolog.Logger) (care.Message, bool, error) {
	if m.ID == "" || len(m.ID) > maxIDLen || !care.TextOK(m.ID) {
		log.Warn().Int("id_len", len(m.ID)).Msg("android gateway: inbound SMS without a usable id skipped")
		return care.Message{}, false, nil
	}
	phone, err := care.ParsePhone(m.From)
	if err != nil {
		log.Warn().Str("id", m.ID).Stringer("from", care.Phone(m.From)).Msg("android gateway: inbound SMS from an unreadable number skipped")
		return care.Message{}, false, nil
	}
	reply, spooled, err := h.spool.Turn(ctx, h.engine, flows.Input{
		// Text that cannot be stored is cleaned, never refused: the app does not send it again.
		Channel: care.ChannelSMS, Provider: care.ProviderAndroid, Phone: phone, ProviderID: m.ID, Text: care.CleanText(m.Content),
	})
	switch {
	case errors.Is(err, spool.ErrUnsaved):
		return care.Message{}, false, err
	case err != nil && ctx.Err() != nil:
		return care.Message{}, false, nil // the app went away; it sends the SMS again
	case err != nil:
		log.Error().Err(err).Str("id", m.ID).Stringer("phone", phone).Msg("android gateway: engine failed; apologising")
		return replyMessage(phone, m.ID, gateway.ApologyText(" ")), true, nil
	case spooled:
		return replyMessage(phone, m.ID, flows.StripDiacritics(spool.Received)), true, nil
	}
	if reply.Duplicate {
		log.Debug().Str("id", m.ID).Stringer("phone", phone).Msg("android gateway: repeated inbound SMS")
	}
	return care.Message{}, false, nil
}

// replyMessage is the outbound row answering inbound SMS id.
func replyMessage(to care.Phone, id, body string) care.Message {
	return care.Message{
		Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: to, Body: body, Status: care.MsgQueued, IdempotencyKey: ReplyKey(id),
	}
}

// ReplyKey is the idempotency key of the apology for the app's inbound SMS id when the engine
// failed on it: one per inbound message, however often the app sends it.
func ReplyKey(id string) string { return "android:reply:" + id }

// internal answers a failure of ours (the database away, most often): logged in full, shown
// to the app without internals, as 503 so that it tries again later. The app retries the
// whole poll, which is safe: every part of it is idempotent.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, log *zerolog.Logger, err error, op string) {
	log.Error().Err(err).Msg("android gateway: " + op)
	h.fail(w, r, gateway.Refuse(http.StatusServiceUnavailable, gateway.CodeUnavailable, "internal error, try again later"))
}

// fail answers err in the app's error shape, with the status and the client-safe message
// of the gateway's one policy.
func (h *Handler) fail(w http.ResponseWriter, _ *http.Request, err error) {
	status, body := gateway.Answer(err)
	writeJSON(w, status, failure{Error: true, Message: body.Message})
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// truncate cuts s to at most n bytes for a log field.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
