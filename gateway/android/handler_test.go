package android_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/android"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

const (
	user     = "gateway"
	password = "topSecret"
	lease    = 2 * time.Minute
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// answer stands in for the dialog engine (deduplicating and queueing its replies as it
// does): "BOOM" fails, "STOP" is answered silently, "VI" keeps diacritics; anything else
// gets the main menu.
func answer(in flows.Input) (flows.Reply, error) {
	switch in.Text {
	case "BOOM":
		return flows.Reply{}, errors.New("load session: connection reset")
	case "STOP":
		return flows.Reply{Silent: true}, nil
	case "VI":
		return flows.Reply{Prompt: flows.Prompt{Text: "Đã chọn tiếng Việt."}, Diacritics: true}, nil
	}
	return flows.Reply{Prompt: flows.Prompt{Text: "Chào bạn! Chọn:", Expect: flows.ExpectChoice,
		Options: []flows.Option{{Key: "1", Label: "Đăng ký"}, {Key: "2", Label: "Kế hoạch"}}}}, nil
}

var _ android.Store = (*store.Store)(nil)

const menu = "Chao ban! Chon:\n1 Dang ky\n2 Ke hoach"

type env struct {
	t      *testing.T
	ctx    context.Context
	h      *android.Handler
	s      *store.Store
	fx     *storetest.World // the fixture builder, writing through s
	pool   *pgxpool.Pool
	clock  *caretest.Clock
	engine *gatewaytest.Engine
}

func setup(t *testing.T) *env {
	t.Helper()
	pool := storetest.NewPool(t)
	clock := caretest.NewClock(start)
	s := store.New(pool, clock)
	e := &env{t: t, ctx: context.Background(), s: s, fx: storetest.NewWorld(t, s), pool: pool, clock: clock}
	e.engine = &gatewaytest.Engine{Answer: gatewaytest.AndroidAnswer(e.s, answer)}
	h, err := android.New(android.Deps{Engine: e.engine, Store: e.s, Log: zerolog.Nop(), Password: password, Lease: lease})
	require.NoError(t, err)
	e.h = h
	return e
}

// local writes p as a Vietnamese phone shows it (0…), which the gateway must normalise.
func local(p care.Phone) string { return "0" + strings.TrimPrefix(p.E164(), "+84") }

// do sends a request with the app's credentials and headers and returns the recorded answer.
func (e *env) do(method string, body []byte, mod func(*http.Request)) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.ctx, method, "/android/sms", bytes.NewReader(body))
	r.SetBasicAuth(user, password)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

type msg = map[string]any

// poll POSTs messages and updates and requires a 200 with the protocol's answer.
func (e *env) poll(messages, updates []msg) []map[string]string {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"messages": messages, "updates": updates})
	require.NoError(e.t, err)
	w := e.do(http.MethodPost, body, nil)
	require.Equal(e.t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(e.t, "application/json", w.Header().Get("Content-Type"))
	var resp struct {
		Messages []map[string]string `json:"messages"`
	}
	require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &resp))
	require.NotNil(e.t, resp.Messages, "messages is always a list: %s", w.Body.String())
	return resp.Messages
}

func sms(id string, from care.Phone, content string) msg {
	return msg{"id": id, "from": local(from), "content": content, "sms_sent": 1772442000000, "sms_received": 1772442001000}
}

// requireError checks the app's error shape.
func requireError(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var f struct {
		Error   *bool   `json:"error"`
		Message *string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &f))
	require.NotNil(t, f.Error)
	require.True(t, *f.Error)
	require.NotNil(t, f.Message)
	require.NotEmpty(t, *f.Message)
}

// count counts message rows matching a condition.
func (e *env) count(where string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.pool.QueryRow(e.ctx, "SELECT count(*) FROM message WHERE "+where, args...).Scan(&n))
	return n
}

// queue writes an outbound SMS for the phone, as a worker routing to android does.
func (e *env) queue(key string, to care.Phone, body string) *care.Message {
	e.t.Helper()
	m := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: to, Body: body, Status: care.MsgQueued, IdempotencyKey: key}
	require.NoError(e.t, storetest.LogMessage(e.ctx, e.s, m))
	return m
}

func TestGetHandshake(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.do(http.MethodGet, nil, nil)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.JSONEq(t, `{"medic-gateway": true}`, w.Body.String())
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	e := setup(t)
	from := e.fx.Phone()
	body, err := json.Marshal(map[string]any{"messages": []msg{sms("in-1", from, "DK")}})
	require.NoError(t, err)
	e.queue("reminder:1", e.fx.Phone(), "Lich hen")
	tests := []struct {
		name   string
		method string
		auth   func(*http.Request)
	}{
		{"no credentials on GET", http.MethodGet, func(r *http.Request) { r.Header.Del("Authorization") }},
		{"no credentials", http.MethodPost, func(r *http.Request) { r.Header.Del("Authorization") }},
		{"wrong password", http.MethodPost, func(r *http.Request) { r.SetBasicAuth(user, "topsecret") }},
		{"wrong user", http.MethodPost, func(r *http.Request) { r.SetBasicAuth("admin", password) }},
		{"password as user", http.MethodPost, func(r *http.Request) { r.SetBasicAuth(password, user) }},
		{"empty password", http.MethodPost, func(r *http.Request) { r.SetBasicAuth(user, "") }},
		{"not basic", http.MethodPost, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+password) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.method, body, tt.auth)
			requireError(t, w, http.StatusUnauthorized)
			require.Contains(t, w.Header().Get("WWW-Authenticate"), "Basic")
		})
	}
	require.Empty(t, e.engine.Inputs(), "nothing reached the engine")
	require.Equal(t, 0, e.count("handed_out_at IS NOT NULL"), "nothing was handed out")
	require.Equal(t, 1, e.count("true"), "nothing was written")
}

// The cht-gateway app sends Uri.encode(password) in its Basic header (SimpleJsonClient2.
// uriEncodeAuth): a password full of reserved and non-ASCII characters logs in sent that way,
// and sent as it is.
func TestPasswordAsTheAppSendsIt(t *testing.T) {
	t.Parallel()
	const pass = "Mật khẩu: p@ss/w%rd#1?&=+ đúng"
	// Android's Uri.encode keeps letters, digits and _-!.~'()* and percent-encodes the rest,
	// UTF-8, in upper-case hex.
	const sent = "M%E1%BA%ADt%20kh%E1%BA%A9u%3A%20p%40ss%2Fw%25rd%231%3F%26%3D%2B%20%C4%91%C3%BAng"
	e := setup(t)
	h, err := android.New(android.Deps{Engine: e.engine, Store: e.s, Log: zerolog.Nop(), Password: pass})
	require.NoError(t, err)
	tests := []struct {
		name     string
		user, pw string
		want     int
	}{
		{"percent-encoded as the app sends it", user, sent, http.StatusOK},
		{"as it is", user, pass, http.StatusOK},
		{"encoded twice", user, strings.ReplaceAll(sent, "%", "%25"), http.StatusUnauthorized},
		{"encoded, one character off", user, strings.Replace(sent, "%40", "%41", 1), http.StatusUnauthorized},
		{"decoded differently: + is not a space", user, strings.ReplaceAll(sent, "%20", "+"), http.StatusUnauthorized},
		{"not valid percent-encoding", user, sent + "%G1", http.StatusUnauthorized},
		{"the user name is never decoded", "gate%77ay", sent, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(e.ctx, http.MethodGet, "/android/sms", nil)
			r.SetBasicAuth(tt.user, tt.pw)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(t, tt.want, w.Code, w.Body.String())
		})
	}
}

func TestNewNeedsPasswordEngineStore(t *testing.T) {
	t.Parallel()
	eng := &gatewaytest.Engine{}
	s := store.New(nil, caretest.NewClock(time.Time{}))
	for name, d := range map[string]android.Deps{
		"no password":    {Engine: eng, Store: s},
		"no engine":      {Store: s, Password: password},
		"no store":       {Engine: eng, Password: password},
		"negative lease": {Engine: eng, Store: s, Password: password, Lease: -time.Second},
	} {
		_, err := android.New(d)
		var wiring *care.WiringError
		require.ErrorAs(t, err, &wiring, name)
	}
}

func TestPostMessagesAndUpdates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	// A reminder the phone was given on an earlier poll, and one still waiting.
	sentEarlier := e.queue("reminder:1", e.fx.Phone(), "Nhac lich hen")
	first := e.poll(nil, nil)
	require.Len(t, first, 1)
	earlierID := first[0]["id"]
	require.Equal(t, store.AndroidMessageID(sentEarlier.ID), earlierID)
	e.clock.Advance(time.Second)
	waiting := e.queue("checkin:7", e.fx.Phone(), "Ban khoe khong? 1 Khoe 2 Can giup")

	a, b := e.fx.Phone(), e.fx.Phone()
	e.clock.Advance(time.Second)
	got := e.poll(
		[]msg{sms("in-a", a, "MENU"), sms("in-b", b, "VI")},
		[]msg{{"id": earlierID, "status": "SENT"}},
	)

	require.Equal(t, []flows.Input{
		{Channel: care.ChannelSMS, Provider: care.ProviderAndroid, Phone: a, ProviderID: "in-a", Text: "MENU"},
		{Channel: care.ChannelSMS, Provider: care.ProviderAndroid, Phone: b, ProviderID: "in-b", Text: "VI"},
	}, e.engine.Inputs())

	replyA, err := storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, got[1]["id"])
	require.NoError(t, err)
	replyB, err := storetest.MessageByProviderID(e.ctx, e.s, care.ProviderAndroid, got[2]["id"])
	require.NoError(t, err)
	require.Equal(t, []map[string]string{
		{"id": store.AndroidMessageID(waiting.ID), "to": waiting.Phone.E164(), "content": waiting.Body},
		{"id": store.AndroidMessageID(replyA.ID), "to": a.E164(), "content": menu},
		{"id": store.AndroidMessageID(replyB.ID), "to": b.E164(), "content": "Đã chọn tiếng Việt."},
	}, got, "oldest first; replies laid out as SMS, diacritics only where the reply keeps them")
	require.Equal(t, "reply:android:in-a", replyA.IdempotencyKey, "the engine's own reply row is what goes out")
	require.Equal(t, care.MsgQueued, replyA.Status)

	earlier, err := storetest.Message(e.ctx, e.s, sentEarlier.ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgSent, earlier.Status)

	// Delivery and failure reports move the rows on.
	e.poll(nil, []msg{
		{"id": earlierID, "status": "DELIVERED"},
		{"id": got[0]["id"], "status": "FAILED", "reason": "generic-failure"},
		{"id": got[1]["id"], "status": "PENDING"},
	})
	for id, want := range map[care.MessageID]care.MessageStatus{
		sentEarlier.ID: care.MsgDelivered, waiting.ID: care.MsgFailed, replyA.ID: care.MsgSending, replyB.ID: care.MsgQueued,
	} {
		m, err := storetest.Message(e.ctx, e.s, id)
		require.NoError(t, err)
		require.Equal(t, want, m.Status, "message %d", id)
	}
	failed, err := storetest.Message(e.ctx, e.s, waiting.ID)
	require.NoError(t, err)
	require.Equal(t, "generic-failure", failed.ErrorCode)
}

func TestEmptyPollsAndNullLists(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, body := range []string{`{}`, `{"messages": null, "updates": null}`, `{"messages": [], "updates": [], "extra": 1}`} {
		w := e.do(http.MethodPost, []byte(body), nil)
		require.Equal(t, http.StatusOK, w.Code, body)
		require.JSONEq(t, `{"messages": []}`, w.Body.String(), body)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestGzipPost(t *testing.T) {
	t.Parallel()
	e := setup(t)
	from := e.fx.Phone()
	body, err := json.Marshal(map[string]any{"messages": []msg{sms("gz-1", from, "MENU")}})
	require.NoError(t, err)
	w := e.do(http.MethodPost, gzipped(t, body), func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") })
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var resp struct{ Messages []map[string]string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
	require.Len(t, resp.Messages, 1)
	require.Equal(t, from.E164(), resp.Messages[0]["to"])
	require.Equal(t, menu, resp.Messages[0]["content"])

	// A gzip bomb: a small body that expands past the limit after gunzip.
	bomb := gzipped(t, append([]byte(`{"messages":[],"pad":"`), bytes.Repeat([]byte("a"), 2*android.DefaultMaxBody)...))
	require.Less(t, len(bomb), android.DefaultMaxBody/100)
	w = e.do(http.MethodPost, bomb, func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") })
	requireError(t, w, http.StatusRequestEntityTooLarge)

	w = e.do(http.MethodPost, []byte("not gzip at all"), func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") })
	requireError(t, w, http.StatusBadRequest)
	w = e.do(http.MethodPost, gzipped(t, body)[:20], func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") })
	requireError(t, w, http.StatusBadRequest)
	require.Len(t, e.engine.Inputs(), 1, "only the good request reached the engine")
}

func TestDuplicateInboundQueuesOneReply(t *testing.T) {
	t.Parallel()
	e := setup(t)
	from := e.fx.Phone()
	first := e.poll([]msg{sms("dup-1", from, "MENU"), sms("dup-1", from, "MENU")}, nil)
	require.Len(t, first, 1)
	e.clock.Advance(time.Second)
	again := e.poll([]msg{sms("dup-1", from, "MENU")}, nil)
	require.Empty(t, again, "the reply is leased, not queued a second time")

	calls := e.engine.Inputs()
	require.Len(t, calls, 3)
	require.Equal(t, 1, e.count("direction = 'out' AND phone = $1", from.E164()), "one reply for one inbound id")
	require.Equal(t, 1, e.count("idempotency_key = $1", "reply:android:dup-1"), "the engine's reply row")

	e.clock.Advance(lease)
	reoffered := e.poll([]msg{sms("dup-1", from, "MENU")}, nil)
	require.Equal(t, first, reoffered, "after the lease the same reply, same id, comes again")
}

func TestDuplicateStatusUpdateHarmless(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.queue("reminder:9", e.fx.Phone(), "Nhac")
	out := e.poll(nil, nil)
	require.Len(t, out, 1)
	id := out[0]["id"]
	e.poll(nil, []msg{{"id": id, "status": "DELIVERED"}})
	delivered, err := storetest.Message(e.ctx, e.s, m.ID)
	require.NoError(t, err)
	require.Equal(t, care.MsgDelivered, delivered.Status)

	e.clock.Advance(time.Minute)
	e.poll(nil, []msg{{"id": id, "status": "DELIVERED"}, {"id": id, "status": "SENT"}, {"id": id, "status": "DELIVERED"},
		{"id": "never-handed-out", "status": "SENT"}, {"id": id, "status": "UNSENT"}, {"id": id, "status": "WHATEVER"}})
	after, err := storetest.Message(e.ctx, e.s, m.ID)
	require.NoError(t, err)
	require.Equal(t, delivered, after, "repeats, late reports and unknown ids change nothing")
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	e := setup(t)
	big := append([]byte(`{"messages":[],"pad":"`), bytes.Repeat([]byte("a"), android.DefaultMaxBody)...)
	big = append(big, `"}`...)
	tests := []struct {
		name   string
		method string
		body   []byte
		mod    func(*http.Request)
		status int
	}{
		{"not JSON", http.MethodPost, []byte("messages=1"), nil, http.StatusBadRequest},
		{"truncated JSON", http.MethodPost, []byte(`{"messages":[{"id":"x"`), nil, http.StatusBadRequest},
		{"trailing garbage", http.MethodPost, []byte(`{} {}`), nil, http.StatusBadRequest},
		{"array instead of object", http.MethodPost, []byte(`[]`), nil, http.StatusBadRequest},
		{"messages not a list", http.MethodPost, []byte(`{"messages":{"id":"x"}}`), nil, http.StatusBadRequest},
		{"id not a string", http.MethodPost, []byte(`{"messages":[{"id":7,"from":"0901234567","content":"x"}]}`), nil, http.StatusBadRequest},
		{"empty body", http.MethodPost, nil, nil, http.StatusBadRequest},
		{"too large", http.MethodPost, big, nil, http.StatusRequestEntityTooLarge},
		{"unknown encoding", http.MethodPost, []byte(`{}`), func(r *http.Request) { r.Header.Set("Content-Encoding", "br") }, http.StatusUnsupportedMediaType},
		{"wrong method", http.MethodPut, []byte(`{}`), nil, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.method, tt.body, tt.mod)
			requireError(t, w, tt.status)
			require.NotContains(t, w.Body.String(), "android.", "no Go internals")
		})
	}
	require.Empty(t, e.engine.Inputs())
}

func TestLeaseReoffersUnconfirmed(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.queue("reminder:a", e.fx.Phone(), "A")
	b := e.queue("reminder:b", e.fx.Phone(), "B")
	out := e.poll(nil, nil)
	require.Len(t, out, 2)
	require.Empty(t, e.poll(nil, nil), "handed out: not offered on the next poll")

	e.clock.Advance(lease - time.Second)
	require.Empty(t, e.poll([]msg{}, []msg{{"id": store.AndroidMessageID(a.ID), "status": "PENDING"}}), "not before the time-out")
	e.clock.Advance(time.Second)
	again := e.poll(nil, nil)
	require.Equal(t, []map[string]string{out[1]}, again, "only the unconfirmed one, under the same id")
	require.Equal(t, store.AndroidMessageID(b.ID), again[0]["id"])

	e.poll(nil, []msg{{"id": again[0]["id"], "status": "SENT"}})
	e.clock.Advance(10 * lease)
	require.Empty(t, e.poll(nil, nil), "confirmed messages are never offered again")
}

// idTo is the id of the message handed out to p.
func idTo(out []map[string]string, p care.Phone) string {
	for _, m := range out {
		if m["to"] == p.E164() {
			return m["id"]
		}
	}
	return ""
}

func TestBadMessagesDoNotLoseTheOthers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	good, boom := e.fx.Phone(), e.fx.Phone()
	out := e.poll([]msg{
		{"id": "bad-from", "from": "not a number", "content": "MENU"},
		{"id": "", "from": local(good), "content": "MENU"},
		{"id": strings.Repeat("x", 500), "from": local(good), "content": "MENU"},
		sms("boom", boom, "BOOM"),
		sms("stop", good, "STOP"),
		sms("good", good, "MENU"),
	}, nil)
	require.Len(t, e.engine.Inputs(), 3, "only readable messages reach the engine")
	require.ElementsMatch(t, []map[string]string{
		{"id": idTo(out, boom), "to": boom.E164(), "content": gateway.ApologyText(" ")},
		{"id": idTo(out, good), "to": good.E164(), "content": menu},
	}, out, "an engine failure gets an apology; a silent reply nothing")
	require.Equal(t, 0, e.count("idempotency_key = $1", android.ReplyKey("stop")))
}

// A message with a NUL character or bytes that are not UTF-8 is answered as any other, its
// text cleaned before anything stores it.
func TestTextThatCannotBeStoredIsCleanedNotRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.fx.Phone()
	w := e.do(http.MethodPost, []byte("{\"messages\":[{\"id\":\"in-x\",\"from\":\""+local(a)+"\",\"content\":\"MENU\\u0000 \xff\"}]}"), nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, []flows.Input{
		{Channel: care.ChannelSMS, Provider: care.ProviderAndroid, Phone: a, ProviderID: "in-x", Text: "MENU \uFFFD"},
	}, e.engine.Inputs())
}

// A store failure is 503 (try again later), never 500: the app sends the whole poll again.
func TestStoreFailureIsA503WithoutInternals(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.pool.Close()
	for _, body := range []string{`{"updates":[{"id":"x","status":"SENT"}]}`, `{}`} {
		w := e.do(http.MethodPost, []byte(body), nil)
		requireError(t, w, http.StatusServiceUnavailable)
		require.JSONEq(t, `{"error": true, "message": "internal error, try again later"}`, w.Body.String())
	}
}

func TestLogsCarryNoBodiesOrNumbers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var buf gatewaytest.Logs
	h, err := android.New(android.Deps{Engine: e.engine, Store: e.s, Password: password,
		Log: zerolog.New(&buf).Level(zerolog.DebugLevel)})
	require.NoError(t, err)
	e.h = h
	from, boom := e.fx.Phone(), e.fx.Phone()
	e.poll([]msg{sms("log-1", from, "MENU"), sms("log-1", from, "MENU"), sms("log-2", boom, "BOOM"),
		{"id": "log-3", "from": "+84 secret", "content": "MENU"}}, []msg{{"id": "x", "status": "NOPE"}})
	out := buf.String()
	require.Contains(t, out, "android gateway poll")
	require.Contains(t, out, "engine failed")
	for _, secret := range []string{"MENU", "Chao", "BOOM", from.E164(), local(from), boom.E164(), "secret"} {
		require.NotContains(t, out, secret)
	}
}
