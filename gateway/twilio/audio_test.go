package twilio

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/simulators/faketwilio"
)

// audioGateway serves the voice webhook and the recordings of dir (vi/invalid.mp3 and
// vi/opt_register.wav are written to it) on a test server whose URL is the public base, as
// a deployment does; engine answers every turn.
func audioGateway(t *testing.T, engine *gatewaytest.Engine) (*httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "vi"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vi", "invalid.mp3"), []byte("ID3 mời bạn chọn lại"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vi", "opt_register.wav"), []byte("RIFF đăng ký"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("no"), 0o644))
	audio, problems, err := flows.ScanPromptAudio(os.DirFS(dir), flows.ShippedPrompts())
	require.NoError(t, err)
	require.Len(t, problems, 1, "secret.txt is refused by the check, and never served")
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	hs, err := New(Deps{Engine: engine, Status: &fakeStatus{}, PublicBaseURL: srv.URL, Log: zerolog.Nop(), Audio: audio})
	require.NoError(t, err)
	mux.Handle("POST /twilio/voice", RequireSignature(testToken, srv.URL, http.HandlerFunc(hs.Voice)))
	mux.HandleFunc("GET /twilio/voice/audio/{lang}/{file}", hs.Audio)
	return srv, dir
}

// spoken lists a document's <Say> and <Play> in order, as "say: text" and "play: url".
func spoken(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	for _, n := range elements(t, doc, "Say", "Play") {
		out = append(out, strings.ToLower(n.Name)+": "+n.Text)
	}
	return out
}

func TestRecordedPromptsArePlayedAndTheRestSaid(t *testing.T) {
	t.Parallel()
	engine := &gatewaytest.Engine{Reply: flows.Reply{Step: 2, Prompt: flows.Prompt{
		Language: care.Vietnamese, Expect: flows.ExpectChoice,
		Text: "Mời bạn chọn lại. Caseline - hỗ trợ người khuyết tật: Mời bạn chọn lại.",
		Options: []flows.Option{{Key: "1", Label: "Đăng ký nhận hỗ trợ"}, {Key: "2", Label: "Xem kế hoạch hỗ trợ"},
			{Key: "4", Label: "English", Language: care.English}},
	}}}
	srv, _ := audioGateway(t, engine)
	fake := faketwilio.New(faketwilio.Options{AccountSID: "AC123", AuthToken: testToken})
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	s, err := NewSender(SenderConfig{AccountSID: "AC123", AuthToken: testToken, From: "+84901000000",
		APIURL: api.URL, StatusCallbackBase: srv.URL, Timeout: 5e9})
	require.NoError(t, err)
	callSid, err := s.Call(context.Background(), "+84912000001", srv.URL+"/twilio/voice?about=reminder:7")
	require.NoError(t, err)
	a, err := fake.Answer(context.Background(), callSid)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, a.HTTPStatus)
	require.Empty(t, a.Alerts, "Twilio fetched and played every recording")
	base := srv.URL + AudioPath
	require.Equal(t, []faketwilio.Played{
		{URL: base + "vi/invalid.mp3", ContentType: "audio/mpeg", Bytes: len("ID3 mời bạn chọn lại")},
		{URL: base + "vi/invalid.mp3", ContentType: "audio/mpeg", Bytes: len("ID3 mời bạn chọn lại")},
		{URL: base + "vi/opt_register.wav", ContentType: "audio/wav", Bytes: len("RIFF đăng ký")},
	}, a.Played)

	// The order: what is recorded played, the rest said, as the prompt runs.
	form := url.Values{"CallSid": {"CA1"}, "From": {"+84912000001"}, "To": {"+84901000000"}, "Direction": {"inbound"}}
	doc := gatewaytest.Do(t, srv.Client(), http.MethodPost, srv.URL+"/twilio/voice", form.Encode(),
		gatewaytest.FormHeader(SignatureHeader, faketwilio.Sign(testToken, srv.URL+"/twilio/voice", form))).Body
	require.Equal(t, []string{
		"play: " + base + "vi/invalid.mp3",
		"say: Caseline - hỗ trợ người khuyết tật:",
		"play: " + base + "vi/invalid.mp3",
		"play: " + base + "vi/opt_register.wav",
		"say: bấm 1. Xem kế hoạch hỗ trợ, bấm 2.",
		"say: For English, press 4.",
	}, spoken(t, doc))
}

func TestAudioIsServedCachedAndNothingElse(t *testing.T) {
	t.Parallel()
	srv, _ := audioGateway(t, &gatewaytest.Engine{})
	get := func(path string, header ...string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := get(AudioPath + "vi/invalid.mp3")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "audio/mpeg", resp.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=86400", resp.Header.Get("Cache-Control"))
	etag, modified := resp.Header.Get("Etag"), resp.Header.Get("Last-Modified")
	require.NotEmpty(t, etag)
	require.NotEmpty(t, modified)
	require.Equal(t, http.StatusNotModified, get(AudioPath+"vi/invalid.mp3", "If-None-Match", etag).StatusCode)
	require.Equal(t, http.StatusNotModified, get(AudioPath+"vi/invalid.mp3", "If-Modified-Since", modified).StatusCode)
	require.Equal(t, http.StatusPartialContent, get(AudioPath+"vi/invalid.mp3", "Range", "bytes=0-2").StatusCode)
	for _, path := range []string{
		AudioPath + "vi/invalid.wav",       // not the file there is
		AudioPath + "en/invalid.mp3",       // no English recording
		AudioPath + "vi/",                  // no listing
		AudioPath + "vi",                   // nor of the folder
		AudioPath + "x/secret.txt",         // a file that is no prompt's
		AudioPath + "vi/..%2Fsecret.txt",   // climbing out
		AudioPath + "..%2F..%2Fetc/passwd", // further
		AudioPath + "vi/reg_done.mp3",      // a prompt that cannot be recorded
	} {
		require.Equal(t, http.StatusNotFound, get(path).StatusCode, path)
	}
}
