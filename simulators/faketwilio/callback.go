package faketwilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/caseline/caseline/simulators/phone"
)

// ErrUnknownSid is returned by SendStatus for a sid the fake does not hold.
var ErrUnknownSid = errors.New("unknown sid")

// Sign computes X-Twilio-Signature as Twilio does; it is phone.Sign, the simulators' one
// signer, under the name the fake's callers know.
func Sign(authToken, fullURL string, form url.Values) string {
	return phone.Sign(authToken, fullURL, form)
}

// PostSigned posts form to fullURL with a valid X-Twilio-Signature, as Twilio posts webhooks.
func PostSigned(ctx context.Context, c *http.Client, authToken, fullURL string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fullURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("post signed %s: %w", fullURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(authToken, fullURL, form))
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post signed: %w", err)
	}
	return resp, nil
}

// SendStatus moves the message or call sid to status (e.g. "delivered", "undelivered",
// "completed", "no-answer") and posts a signed status callback to the StatusCallback it was
// created with, the way Twilio does. errorCode, when not 0, goes in ErrorCode. It returns
// the HTTP status the callback got, or 0 when the message has no StatusCallback.
func (s *Server) SendStatus(ctx context.Context, sid, status string, errorCode int) (int, error) {
	form := url.Values{"AccountSid": {s.sid}, "ApiVersion": {apiVersion}}
	if errorCode != 0 {
		form.Set("ErrorCode", strconv.Itoa(errorCode))
	}
	var callback string
	s.mu.Lock()
	found := s.messages.update(func(m *Message) bool {
		if m.Sid != sid {
			return false
		}
		m.Status, m.ErrorCode, callback = status, errorCode, m.StatusCallback
		form.Set("MessageSid", m.Sid)
		form.Set("SmsSid", m.Sid)
		form.Set("MessageStatus", status)
		form.Set("SmsStatus", status)
		form.Set("To", m.To)
		form.Set("From", m.From)
		return true
	}) || s.calls.update(func(c *Call) bool {
		if c.Sid != sid {
			return false
		}
		c.Status, callback = status, c.StatusCallback
		form.Set("CallSid", c.Sid)
		form.Set("CallStatus", status)
		form.Set("Direction", "outbound-api")
		form.Set("To", c.To)
		form.Set("From", c.From)
		return true
	})
	s.mu.Unlock()
	if !found {
		return 0, fmt.Errorf("send status %s: %w", sid, ErrUnknownSid)
	}
	if callback == "" {
		return 0, nil
	}
	resp, err := PostSigned(ctx, s.client, s.token, callback, form)
	if err != nil {
		return 0, fmt.Errorf("send status %s: %w", sid, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// postStatus serves POST /_fake/status?sid=…&status=…[&error_code=…]: it posts the callback
// and answers {"callback_status":…}.
func (s *Server) postStatus(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "status: bad form", http.StatusBadRequest)
		return
	}
	sid, status := r.Form.Get("sid"), r.Form.Get("status")
	if sid == "" || status == "" {
		http.Error(w, "status: sid and status are required", http.StatusBadRequest)
		return
	}
	code := 0
	if v := r.Form.Get("error_code"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			http.Error(w, "status: error_code is not a number", http.StatusBadRequest)
			return
		}
		code = n
	}
	got, err := s.SendStatus(r.Context(), sid, status, code)
	switch {
	case errors.Is(err, ErrUnknownSid):
		http.Error(w, "status: unknown sid", http.StatusNotFound)
	case err != nil:
		http.Error(w, "status: callback failed: "+err.Error(), http.StatusBadGateway)
	default:
		writeJSON(w, http.StatusOK, map[string]int{"callback_status": got})
	}
}
