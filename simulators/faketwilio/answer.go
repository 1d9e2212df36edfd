package faketwilio

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseline/caseline/gateway/twilio/tts"
)

// Said is a <Say> Twilio spoke on a call.
type Said struct {
	Text     string `json:"text"`
	Voice    string `json:"voice"`
	Language string `json:"language"`
}

// Alert is what Twilio's debugger logs (its Monitor alerts) when a call's TwiML cannot run as
// written.
type Alert struct {
	CallSid     string    `json:"call_sid"`
	ErrorCode   int       `json:"error_code"`
	LogLevel    string    `json:"log_level"` // "error" or "warning"
	Message     string    `json:"message"`
	MoreInfo    string    `json:"more_info"`
	RequestURL  string    `json:"request_url"`
	DateCreated time.Time `json:"date_created"`
}

// Answered is what became of a call's TwiML when the call was answered: the HTTP status of
// the fetch, what was said, and the alerts.
type Answered struct {
	HTTPStatus int      `json:"http_status"`
	Said       []Said   `json:"said"`
	Played     []Played `json:"played"`
	Alerts     []Alert  `json:"alerts"`
}

// Played is a <Play> Twilio fetched and played on a call.
type Played struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
}

// Twilio's debugger codes the fake raises, https://www.twilio.com/docs/api/errors.
const (
	errRetrieval = 11200 // HTTP retrieval failure: the answer URL did not answer 2xx
	errParse     = 12100 // Document parse failure: not TwiML
	// errSayVoice is "Say: Invalid voice value". Twilio's <Say> docs warn that a voice and a
	// language that do not go together "may result in error and <Say> instruction failure";
	// 13511 is the warning its dictionary has for a <Say> voice, so the fake raises it for a
	// voice Twilio does not have and for one that does not speak the <Say>'s language, and
	// says nothing for that <Say>.
	errSayVoice = 13511
	// errContentType is "Invalid Content-Type": a <Play> URL that answered something Twilio
	// cannot play (its <Play> takes audio/mpeg, audio/wav and the other audio/* types).
	errContentType = 12300
)

// ErrNoURL is returned by Answer for a call created with Twiml or an ApplicationSid: the fake
// only fetches answer URLs.
var ErrNoURL = errors.New("call has no answer URL")

// Answer answers call sid, as its callee picking up would: Twilio fetches the call's TwiML
// from its Url (a POST signed like every Twilio webhook, with CallStatus in-progress and
// Direction outbound-api) and runs it. The fake checks every <Say> of the document against
// Twilio's voices (package tts): one Twilio would not speak is not said and raises alert
// 13511; a fetch that fails raises 11200, a document that is not TwiML 12100. The alerts are
// kept (Alerts, GET /_fake/alerts) and the result is stored on the call. The call is then in
// progress; its status callbacks are the test's to send (SendStatus).
func (s *Server) Answer(ctx context.Context, sid string) (Answered, error) {
	s.mu.Lock()
	var call Call
	found := s.calls.update(func(c *Call) bool {
		if c.Sid != sid {
			return false
		}
		c.Status, call = "in-progress", *c
		return true
	})
	s.mu.Unlock()
	if !found {
		return Answered{}, fmt.Errorf("answer %s: %w", sid, ErrUnknownSid)
	}
	if call.URL == "" {
		return Answered{}, fmt.Errorf("answer %s: %w", sid, ErrNoURL)
	}
	form := url.Values{
		"AccountSid": {s.sid}, "ApiVersion": {apiVersion}, "CallSid": {sid}, "CallStatus": {"in-progress"},
		"Direction": {"outbound-api"}, "From": {call.From}, "To": {call.To}, "Caller": {call.From}, "Called": {call.To},
	}
	var a Answered
	alert := func(code int, level, msg string) {
		a.Alerts = append(a.Alerts, Alert{CallSid: sid, ErrorCode: code, LogLevel: level, Message: msg,
			MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), RequestURL: call.URL,
			DateCreated: s.now().UTC()})
	}
	resp, err := PostSigned(ctx, s.client, s.token, call.URL, form)
	if err != nil {
		alert(errRetrieval, "error", "HTTP retrieval failure: "+err.Error())
	} else {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
		a.HTTPStatus = resp.StatusCode
		switch {
		case rerr != nil || resp.StatusCode < 200 || resp.StatusCode > 299:
			alert(errRetrieval, "error", fmt.Sprintf("HTTP retrieval failure: status %d", resp.StatusCode))
		default:
			a.Said, a.Played = s.run(ctx, body, alert)
		}
	}
	s.mu.Lock()
	s.calls.update(func(c *Call) bool {
		if c.Sid != sid {
			return false
		}
		c.Answered = &a
		return true
	})
	for _, al := range a.Alerts {
		s.alerts.push(al)
	}
	s.mu.Unlock()
	return a, nil
}

// twimlNode is any TwiML element with the attributes and text a check reads.
type twimlNode struct {
	XMLName  xml.Name
	Voice    string      `xml:"voice,attr"`
	Language string      `xml:"language,attr"`
	Text     string      `xml:",chardata"`
	Children []twimlNode `xml:",any"`
}

// run reads a TwiML document and returns what Twilio would say and play of it, raising an
// alert for what it would not. A <Play> is fetched (a plain GET, as Twilio fetches media):
// one that does not answer 2xx raises 11200, one that is not audio 12300, and neither is
// played.
func (s *Server) run(ctx context.Context, doc []byte, alert func(code int, level, msg string)) ([]Said, []Played) {
	var root twimlNode
	if err := xml.Unmarshal(doc, &root); err != nil || root.XMLName.Local != "Response" {
		alert(errParse, "error", "Document parse failure: not a <Response> document")
		return nil, nil
	}
	var said []Said
	var played []Played
	var walk func(n twimlNode)
	walk = func(n twimlNode) {
		if n.XMLName.Local == "Play" {
			if p, ok := s.fetchMedia(ctx, strings.TrimSpace(n.Text), alert); ok {
				played = append(played, p)
			}
			return
		}
		if n.XMLName.Local == "Say" {
			sd := Said{Text: strings.TrimSpace(n.Text), Voice: n.Voice, Language: n.Language}
			if sd.Voice == "" {
				sd.Voice = tts.DefaultVoice
			}
			if sd.Language == "" {
				sd.Language = tts.DefaultLanguage
			}
			switch {
			case !tts.Known(sd.Voice):
				alert(errSayVoice, "warning", fmt.Sprintf("Say: Invalid voice value %q", sd.Voice))
			case !tts.Speaks(sd.Voice, sd.Language):
				alert(errSayVoice, "warning", fmt.Sprintf("Say: voice %q does not speak language %q", sd.Voice, sd.Language))
			default:
				said = append(said, sd)
			}
			return
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return said, played
}

// fetchMedia GETs a <Play>'s URL as Twilio would before playing it.
func (s *Server) fetchMedia(ctx context.Context, u string, alert func(code int, level, msg string)) (Played, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		alert(errRetrieval, "error", "Play: HTTP retrieval failure: "+err.Error())
		return Played{}, false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		alert(errRetrieval, "error", "Play: HTTP retrieval failure: "+err.Error())
		return Played{}, false
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxMedia))
	ct := resp.Header.Get("Content-Type")
	switch {
	case err != nil || resp.StatusCode < 200 || resp.StatusCode > 299:
		alert(errRetrieval, "error", fmt.Sprintf("Play: HTTP retrieval failure: status %d for %s", resp.StatusCode, u))
		return Played{}, false
	case !strings.HasPrefix(ct, "audio/"):
		alert(errContentType, "error", fmt.Sprintf("Play: Invalid Content-Type %q for %s", ct, u))
		return Played{}, false
	}
	return Played{URL: u, ContentType: ct, Bytes: int(n)}, true
}

// maxMedia bounds what the fake reads of one <Play>'s media.
const maxMedia = 32 << 20

// Alerts returns the alerts raised, oldest first; only those of call sid when sid is not "".
func (s *Server) Alerts(sid string) []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return filter(s.alerts.all(), func(a Alert) bool { return sid == "" || a.CallSid == sid })
}

// postAnswer serves POST /_fake/answer?sid=CA…: it answers the call and answers with what
// became of its TwiML.
func (s *Server) postAnswer(w http.ResponseWriter, r *http.Request) {
	sid := r.URL.Query().Get("sid")
	if sid == "" {
		http.Error(w, "answer: sid is required", http.StatusBadRequest)
		return
	}
	a, err := s.Answer(r.Context(), sid)
	switch {
	case errors.Is(err, ErrUnknownSid):
		http.Error(w, "answer: unknown sid", http.StatusNotFound)
	case err != nil:
		http.Error(w, "answer: "+err.Error(), http.StatusConflict)
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"alerts": nonNil(s.Alerts(r.URL.Query().Get("sid")))})
}
