package phone

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	twclient "github.com/twilio/twilio-go/client"
)

const (
	testToken     = "authtoken123"
	testUSSDToken = "ussdsecret"
	testNumber    = "+84901234567"
)

var sidPattern = map[string]*regexp.Regexp{
	"MessageSid": regexp.MustCompile(`^SM[0-9a-f]{32}$`),
	"CallSid":    regexp.MustCompile(`^CA[0-9a-f]{32}$`),
}

// fakeService is a minimal Caseline: it answers SMS with TwiML, calls with a voice menu and
// USSD with CON/END screens, and rejects Twilio requests whose signature twilio-go's own
// RequestValidator does not accept.
type fakeService struct {
	t         *testing.T
	publicURL string // what signatures are checked against; the server's URL when empty

	mu       sync.Mutex
	texts    []string // USSD text of each hop
	noinputs int
	calls    map[string]bool // CallSids seen
	problems []string        // protocol violations seen by the handlers
}

func (f *fakeService) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// signed checks the request's signature as the gateway does: public URL plus request URI.
func (f *fakeService) signed(w http.ResponseWriter, r *http.Request, base string) bool {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	params := map[string]string{}
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	if f.publicURL != "" {
		base = f.publicURL
	}
	rv := twclient.NewRequestValidator(testToken)
	if !rv.Validate(base+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature")) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return false
	}
	for field, re := range sidPattern {
		if v, ok := params[field]; ok && !re.MatchString(v) {
			f.problem("%s %q is not Twilio-shaped", field, v)
		}
	}
	return true
}

func twiml(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response>%s</Response>`, body)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (f *fakeService) handler(base *string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /twilio/sms", func(w http.ResponseWriter, r *http.Request) {
		if !f.signed(w, r, *base) {
			return
		}
		if r.PostForm.Get("From") != testNumber && r.PostForm.Get("From") != "+84912000111" {
			f.problem("From %q", r.PostForm.Get("From"))
		}
		switch body := r.PostForm.Get("Body"); strings.ToUpper(body) {
		case "DK":
			twiml(w, `<Message>Tên của bạn là gì?</Message>`)
		case "MULTI":
			twiml(w, `<Message>một</Message><Message><Body>hai &amp; ba</Body></Message>`)
		case "QUIET":
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Response/>`)
		case "BROKEN":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			twiml(w, "<Message>echo "+esc(body)+"</Message>")
		}
	})
	mux.HandleFunc("POST /twilio/voice", func(w http.ResponseWriter, r *http.Request) {
		if !f.signed(w, r, *base) {
			return
		}
		sid := r.PostForm.Get("CallSid")
		f.mu.Lock()
		if f.calls == nil {
			f.calls = map[string]bool{}
		}
		f.calls[sid] = true
		f.mu.Unlock()
		menu := `<Gather input="dtmf" numDigits="1" timeout="12" action="%s"><Say language="vi-VN" voice="Google.vi-VN-Wavenet-A">Nhấn 1 để nghe kế hoạch, nhấn 0 để gặp cán bộ.</Say></Gather><Redirect>%s</Redirect>`
		digits, hasDigits := r.PostForm["Digits"]
		switch {
		case r.URL.Query().Get("dialed") == "1":
			status := r.PostForm.Get("DialCallStatus")
			if hasDigits || r.PostForm.Get("DialCallSid") == "" || r.PostForm.Get("DialCallDuration") == "" {
				f.problem("a dial action without DialCallSid and DialCallDuration, or with Digits")
			}
			if status == "completed" {
				twiml(w, `<Hangup/>`)
				return
			}
			twiml(w, `<Say>Chưa có ai nghe máy: `+esc(status)+`.</Say><Hangup/>`)
		case r.URL.Query().Get("noinput") == "1":
			f.mu.Lock()
			f.noinputs++
			f.mu.Unlock()
			if hasDigits {
				f.problem("a no-input redirect carried Digits")
			}
			// A relative action and redirect, resolved against this document's URL.
			twiml(w, `<Say>Xin lỗi, tôi chưa nghe thấy.</Say>`+fmt.Sprintf(menu, "voice?step=2", "voice?noinput=1"))
		case !hasDigits:
			if r.URL.Query().Get("step") != "" {
				f.problem("a gather action without Digits")
			}
			// Absolute URLs at the public origin, as the gateway renders them, when one is set.
			twiml(w, `<Say>Chào mừng đến Caseline.</Say>`+fmt.Sprintf(menu, f.publicURL+"/twilio/voice?step=1", f.publicURL+"/twilio/voice?noinput=1"))
		case digits[0] == "1":
			twiml(w, `<Say>Bạn có hẹn ngày mai lúc 9 giờ.</Say><Hangup/>`)
		case digits[0] == "0":
			twiml(w, `<Say>Đang nối máy.</Say><Dial>+84912345678</Dial>`)
		case digits[0] == "8":
			// A relative action, as Twilio resolves it against the document's URL.
			twiml(w, `<Say>Đang gọi cán bộ.</Say><Dial timeout="25" action="voice?dialed=1" method="POST">+84912345679</Dial>`)
		case digits[0] == "9":
			twiml(w, `<Redirect method="GET">/twilio/voice?again=1</Redirect>`)
		default:
			twiml(w, `<Say>Không hợp lệ.</Say>`)
		}
	})
	mux.HandleFunc("GET /twilio/voice", func(w http.ResponseWriter, r *http.Request) {
		if !f.signed(w, r, *base) {
			return
		}
		if r.URL.Query().Get("CallSid") == "" {
			f.problem("GET redirect without CallSid in the query")
		}
		twiml(w, `<Say>Lại từ đầu.</Say><Hangup/>`)
	})
	mux.HandleFunc("POST /ussd/africastalking", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != testUSSDToken {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, k := range []string{"sessionId", "serviceCode", "phoneNumber", "networkCode"} {
			if r.PostForm.Get(k) == "" {
				f.problem("ussd without %s", k)
			}
		}
		text := r.PostForm.Get("text")
		f.mu.Lock()
		f.texts = append(f.texts, text)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		switch {
		case text == "":
			fmt.Fprint(w, "CON Chào mừng\n1 Đăng ký\n2 Kế hoạch của tôi")
		case text == "2":
			fmt.Fprint(w, "END Bạn chưa đăng ký.")
		case strings.Count(text, "*") >= 2:
			fmt.Fprintf(w, "END Cảm ơn. text=%s", text)
		default:
			fmt.Fprintf(w, "CON Bước tiếp theo. text=%s", text)
		}
	})
	return mux
}

// setup starts a fake service and returns it with options for a phone that talks to it.
func setup(t *testing.T) (*fakeService, Options) {
	t.Helper()
	f := &fakeService{t: t}
	var base string
	srv := httptest.NewServer(f.handler(&base))
	base = srv.URL
	t.Cleanup(func() {
		srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		require.Empty(t, f.problems, "protocol problems seen by the fake service")
	})
	return f, Options{
		BaseURL:   srv.URL,
		AuthToken: testToken,
		Number:    testNumber,
		USSDToken: testUSSDToken,
	}
}
