package twilio

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/simulators/faketwilio"
)

const (
	testToken = "token123"
	// testBase is the public URL Twilio signs; the test server listens elsewhere
	// (127.0.0.1:port), which proves the Host header plays no part.
	testBase = "https://caseline.example.org"
)

// statusCall is one RecordStatus call.
type statusCall = care.Receipt

// receipt is a Twilio receipt on sid.
func receipt(sid string, st care.MessageStatus, code string, numberFailed bool) statusCall {
	return care.Receipt{Provider: care.ProviderTwilio, ProviderID: sid, Status: st, ErrorCode: code, NumberFailed: numberFailed}
}

// fakeStatus records status updates; sids it does not know are ENOTFOUND.
type fakeStatus struct {
	mu    sync.Mutex
	known map[string]bool
	calls []statusCall
	err   error
}

func (s *fakeStatus) RecordStatus(_ context.Context, r care.Receipt) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return false, s.err
	}
	if !s.known[r.ProviderID] {
		return false, care.Errorf(care.ENOTFOUND, "no message %s", r.ProviderID)
	}
	s.calls = append(s.calls, r)
	return false, nil
}

func (s *fakeStatus) recorded() []statusCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]statusCall(nil), s.calls...)
}

// harness is the gateway's Twilio routes behind the signature check, on a test server.
type harness struct {
	engine *gatewaytest.Engine
	status *fakeStatus
	srv    *httptest.Server
}

func setup(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		engine: &gatewaytest.Engine{},
		status: &fakeStatus{known: map[string]bool{"SMknown": true, "CAknown": true}},
	}
	hs, err := New(Deps{Engine: h.engine, Status: h.status, PublicBaseURL: testBase, Log: zerolog.Nop()})
	require.NoError(t, err)
	sig := func(next http.HandlerFunc) http.Handler { return RequireSignature(testToken, testBase, next) }
	mux := http.NewServeMux()
	mux.Handle("POST /twilio/sms", sig(hs.SMS))
	mux.Handle("POST /twilio/sms/status", sig(hs.SMSStatus))
	mux.Handle("POST /twilio/voice", sig(hs.Voice))
	mux.Handle("POST /twilio/voice/status", sig(hs.VoiceStatus))
	h.srv = httptest.NewServer(gateway.LimitBody(gateway.MaxBodyBytes, mux)) // as gateway.NewHandler mounts them
	t.Cleanup(h.srv.Close)
	return h
}

// post sends body to pathQuery signed with sig ("" for none). It returns status and body.
func (h *harness) post(t *testing.T, pathQuery, body, sig string) (int, string, http.Header) {
	t.Helper()
	a := gatewaytest.Do(t, h.srv.Client(), http.MethodPost, h.srv.URL+pathQuery, body, gatewaytest.FormHeader(SignatureHeader, sig))
	return a.Status, a.Body, a.Header
}

// sign is Twilio's signature of form posted to pathQuery under testBase.
func sign(pathQuery string, form url.Values) string {
	return faketwilio.Sign(testToken, testBase+pathQuery, form)
}

// node is parsed XML: compared structurally, so attribute order does not matter.
type node struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []node
}

// parseXML parses an XML document into its root node.
func parseXML(t *testing.T, doc string) node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "parse %q", doc)
		switch tok := tok.(type) {
		case xml.StartElement:
			n := node{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				root = &n
				stack = append(stack, root)
				continue
			}
			parent := stack[len(stack)-1]
			parent.Children = append(parent.Children, n)
			stack = append(stack, &parent.Children[len(parent.Children)-1])
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(tok))
			}
		}
	}
	require.NotNil(t, root, "no root element in %q", doc)
	return *root
}

// requireXML compares two XML documents structurally.
func requireXML(t *testing.T, want, got string) {
	t.Helper()
	require.Equal(t, parseXML(t, want), parseXML(t, got), "got %s", got)
}

// elements lists the elements of doc with any of names, at any depth, in document order.
func elements(t *testing.T, doc string, names ...string) []node {
	t.Helper()
	var out []node
	var walk func(n node)
	walk = func(n node) {
		if slices.Contains(names, n.Name) {
			out = append(out, n)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parseXML(t, doc))
	return out
}
