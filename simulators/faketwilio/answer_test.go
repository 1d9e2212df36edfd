package faketwilio_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/caseline/caseline/simulators/faketwilio"
)

// twimlServer answers every POST with doc (status code when not 200), after checking the
// request's signature with twilio-go's validator; it records the forms it got.
func twimlServer(t *testing.T, code int, doc string) (*httptest.Server, func() []url.Values) {
	t.Helper()
	var mu sync.Mutex
	var forms []url.Values
	rv := client.NewRequestValidator(token)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		if !rv.ValidateBody(srv.URL+r.URL.RequestURI(), body, r.Header.Get("X-Twilio-Signature")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		form, err := url.ParseQuery(string(body))
		require.NoError(t, err)
		mu.Lock()
		forms = append(forms, form)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, doc)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []url.Values {
		mu.Lock()
		defer mu.Unlock()
		return append([]url.Values(nil), forms...)
	}
}

func TestAnswerRunsTheCallsTwiML(t *testing.T) {
	t.Parallel()
	const vi = `<Say voice="Google.vi-VN-Standard-A" language="vi-VN">Xin chào.</Say>`
	tests := []struct {
		name   string
		code   int
		doc    string
		said   []string
		alerts []int
	}{
		{"every say in a voice that speaks its language", 200,
			`<Response><Gather action="/v">` + vi + `<Say voice="Polly.Joanna" language="en-US">Hello.</Say></Gather></Response>`,
			[]string{"Xin chào.", "Hello."}, nil},
		{"Vietnamese in Twilio's default voice", 200, `<Response><Say language="vi-VN">Xin chào.</Say>` + vi + `</Response>`,
			[]string{"Xin chào."}, []int{13511}},
		{"Vietnamese in an English voice", 200, `<Response><Gather><Say voice="Polly.Joanna" language="vi-VN">Xin chào.</Say></Gather></Response>`,
			nil, []int{13511}},
		{"a voice Twilio does not have", 200, `<Response><Say voice="alice" language="vi-VN">Xin chào.</Say></Response>`,
			nil, []int{13511}},
		{"no voice, no language: man in English", 200, `<Response><Say>Hello.</Say></Response>`, []string{"Hello."}, nil},
		{"the answer URL fails", 500, `oops`, nil, []int{11200}},
		{"not TwiML", 200, `<html>hi</html>`, nil, []int{12100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, faketwilio.Options{})
			gw, forms := twimlServer(t, tt.code, tt.doc)
			_, c := h.do(t, http.MethodPost, callsPath, sid, token, url.Values{"To": {to}, "From": {from}, "Url": {gw.URL + "/twilio/voice?about=reminder:7"}})
			callSid := c["sid"].(string)
			a, err := h.fake.Answer(context.Background(), callSid)
			require.NoError(t, err)
			require.Equal(t, tt.code, a.HTTPStatus)
			var said []string
			for _, s := range a.Said {
				said = append(said, s.Text)
			}
			require.Equal(t, tt.said, said)
			var codes []int
			for _, al := range a.Alerts {
				codes = append(codes, al.ErrorCode)
				require.Equal(t, callSid, al.CallSid)
			}
			require.Equal(t, tt.alerts, codes)
			require.Len(t, h.fake.Alerts(callSid), len(tt.alerts), "the alerts are kept")

			got := forms()
			require.Len(t, got, 1, "the TwiML is fetched once, signed as Twilio signs")
			require.Equal(t, callSid, got[0].Get("CallSid"))
			require.Equal(t, "outbound-api", got[0].Get("Direction"))
			require.Equal(t, "in-progress", got[0].Get("CallStatus"))
			require.Equal(t, to, got[0].Get("To"))
			require.Equal(t, from, got[0].Get("From"))
			call := h.fake.Calls(to)[0]
			require.Equal(t, "in-progress", call.Status)
			require.Equal(t, &a, call.Answered)
		})
	}
}

func TestAnswerEndpoints(t *testing.T) {
	t.Parallel()
	h := setup(t, faketwilio.Options{})
	gw, _ := twimlServer(t, 200, `<Response><Say language="vi-VN">Xin chào.</Say></Response>`)
	_, c := h.do(t, http.MethodPost, callsPath, sid, token, url.Values{"To": {to}, "From": {from}, "Url": {gw.URL + "/twilio/voice"}})
	callSid := c["sid"].(string)

	resp, err := h.srv.Client().Post(h.srv.URL+"/_fake/answer?sid="+callSid, "", nil)
	require.NoError(t, err)
	var a faketwilio.Answered
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Len(t, a.Alerts, 1)
	require.Equal(t, 13511, a.Alerts[0].ErrorCode)
	require.Empty(t, a.Said, "Twilio does not say what its voice cannot")

	resp, err = h.srv.Client().Get(h.srv.URL + "/_fake/alerts")
	require.NoError(t, err)
	var list struct{ Alerts []faketwilio.Alert }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.Len(t, list.Alerts, 1)
	require.Equal(t, "warning", list.Alerts[0].LogLevel)

	resp, err = h.srv.Client().Post(h.srv.URL+"/_fake/answer?sid=CAnope", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
	_, err = h.fake.Answer(context.Background(), "CAnope")
	require.ErrorIs(t, err, faketwilio.ErrUnknownSid)
}

// TestAnswerFetchesWhatItPlays: a <Play> is fetched like Twilio fetches media; audio is
// played, a failed fetch (11200) or a page that is not audio (12300) is not.
func TestAnswerFetchesWhatItPlays(t *testing.T) {
	t.Parallel()
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/vi/bye.mp3":
			w.Header().Set("Content-Type", "audio/mpeg")
			_, _ = io.WriteString(w, "ID3 recording")
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(media.Close)
	h := setup(t, faketwilio.Options{})
	gw, _ := twimlServer(t, 200, `<Response><Gather><Play>`+media.URL+`/vi/bye.mp3</Play>`+
		`<Say voice="Google.vi-VN-Standard-A" language="vi-VN">bấm 1.</Say></Gather>`+
		`<Play>`+media.URL+`/vi/gone.mp3</Play><Play>`+media.URL+`/page</Play></Response>`)
	_, c := h.do(t, http.MethodPost, callsPath, sid, token, url.Values{"To": {to}, "From": {from}, "Url": {gw.URL + "/twilio/voice"}})
	a, err := h.fake.Answer(context.Background(), c["sid"].(string))
	require.NoError(t, err)
	require.Equal(t, []faketwilio.Played{{URL: media.URL + "/vi/bye.mp3", ContentType: "audio/mpeg", Bytes: 13}}, a.Played)
	require.Len(t, a.Said, 1)
	var codes []int
	for _, al := range a.Alerts {
		codes = append(codes, al.ErrorCode)
	}
	require.Equal(t, []int{11200, 12300}, codes)
}
