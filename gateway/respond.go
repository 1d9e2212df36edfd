package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// MaxBodyBytes is the largest body a webhook, probe or console form may send; larger ones
// get 413. Every provider's webhook fits in a few kilobytes.
const MaxBodyBytes = 64 << 10

// MaxAPIBodyBytes is the largest body the case-manager API and the Android gateway read.
const MaxAPIBodyBytes = 1 << 20

// Codes of the answers the gateway gives beyond care's closed set.
const (
	CodeUnauthenticated = "unauthenticated"    // 401: no credentials, or unknown ones
	CodeForbidden       = "forbidden"          // 403: the caller may not (care's EUNAUTHORIZED)
	CodeTooLarge        = "too_large"          // 413
	CodeMethod          = "method_not_allowed" // 405
	CodeUnavailable     = "unavailable"        // 503: a dependency is down; the client retries
)

// internalMessage is all a client learns about an internal error.
const internalMessage = "internal error"

// ErrorBody is the JSON shape of every error the service answers.
type ErrorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// HTTPError is an error that carries its own answer: what care's codes cannot say (401,
// 405, 503) and 400s about several fields at once. Its message is safe for the client.
type HTTPError struct {
	Status int
	Body   ErrorBody
}

// Error describes the answer, for logs and tests.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Body.Error, e.Body.Message)
}

// Refuse returns an HTTPError answering status with code and msg.
func Refuse(status int, code, msg string) error {
	return &HTTPError{Status: status, Body: ErrorBody{Error: code, Message: msg}}
}

// Unauthenticated is 401: the caller did not say who it is, or not in a way we know.
func Unauthenticated(msg string) error {
	return Refuse(http.StatusUnauthorized, CodeUnauthenticated, msg)
}

// TryLater is 503: a dependency cannot take the request now; the client sends it again.
func TryLater() error {
	return Refuse(http.StatusServiceUnavailable, CodeUnavailable, "try again later")
}

// MethodNotAllowed is 405; the caller sets the Allow header.
func MethodNotAllowed() error {
	return Refuse(http.StatusMethodNotAllowed, CodeMethod, "method not allowed")
}

// Invalid is a 400 naming each field at fault with its reason.
func Invalid(fields map[string]string) error {
	return &HTTPError{Status: http.StatusBadRequest, Body: ErrorBody{Error: care.EINVALID, Message: "invalid input", Fields: fields}}
}

// Status returns the HTTP status for err: the one mapping from care's error codes to HTTP.
// An HTTPError answers its own; a body over the limit (*http.MaxBytesError) is 413; an
// error without a code is 500. EUNAUTHORIZED is 403 whatever the door: the caller is known
// and may not (a webhook's bad signature or token, a staff member outside their commune's
// role); 401 is only for a caller not known at all (Unauthenticated).
func Status(err error) int {
	status, _ := Answer(err)
	return status
}

// Answer is the status and the client-safe body for err, for a protocol that answers in a
// shape of its own (the Android gateway's).
func Answer(err error) (int, ErrorBody) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status, he.Body
	}
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return http.StatusRequestEntityTooLarge, ErrorBody{Error: CodeTooLarge,
			Message: fmt.Sprintf("the request body is larger than %d bytes", big.Limit)}
	}
	code := care.ErrorCode(err)
	body := ErrorBody{Error: code, Message: care.ErrorMessage(err)}
	var status int
	switch code {
	case care.EINVALID:
		status = http.StatusBadRequest
		if f := care.ErrorField(err); f != "" {
			body.Fields = map[string]string{f: body.Message}
		}
	case care.EUNAUTHORIZED:
		status, body.Error = http.StatusForbidden, CodeForbidden
	case care.ENOTFOUND:
		status = http.StatusNotFound
	case care.ECONFLICT:
		status = http.StatusConflict
	case care.EINTERNAL:
		status = http.StatusInternalServerError
	default: // a code outside the closed set, or none: says nothing safe
		status, body = http.StatusInternalServerError, ErrorBody{Error: care.EINTERNAL, Message: internalMessage}
	}
	return status, body
}

// logAnswer logs err as the answer status deserves: a server failure whole at error level,
// a refusal at debug (request bodies are never logged).
func logAnswer(r *http.Request, status int, err error) {
	log := zerolog.Ctx(r.Context())
	if status >= http.StatusInternalServerError && status != http.StatusServiceUnavailable {
		log.Error().Err(err).Str("method", r.Method).Str("route", r.Pattern).Msg("request failed")
		return
	}
	log.Debug().Err(err).Int("status", status).Msg("request refused")
}

// Error answers err as JSON (ErrorBody) with the status Status gives. The message is the
// care error's user-safe one; internal errors say only "internal error" to the client.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	status, body := Answer(err)
	logAnswer(r, status, err)
	JSON(w, r, status, body)
}

// Text answers err in plain text, for webhooks whose providers read no JSON: the status
// Status gives and the same client-safe message ("field: reason" for a field at fault).
func Text(w http.ResponseWriter, r *http.Request, err error) {
	status, body := Answer(err)
	logAnswer(r, status, err)
	msg := body.Message
	for f, reason := range body.Fields {
		if len(body.Fields) == 1 {
			msg = f + ": " + reason
		}
	}
	http.Error(w, msg, status)
}

// JSON answers v as JSON with status. A value that cannot be encoded is a 500.
func JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("encode response")
		status = http.StatusInternalServerError
		b = []byte(`{"error":"` + care.EINTERNAL + `","message":"` + internalMessage + `"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ReadBody reads a webhook's body, within the route's limit (LimitBody): one that cannot be
// read is Unreadable.
func ReadBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, Unreadable(err, "unreadable body")
	}
	return body, nil
}

// Unreadable is the answer to a body that could not be read: err itself when it passed the
// route's limit (*http.MaxBytesError, 413), otherwise EINVALID saying reason (400).
func Unreadable(err error, reason string) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return err
	}
	return care.Errorf(care.EINVALID, "%s", reason)
}

// TurnFailed logs a dialog turn the engine could not handle, before the channel apologises:
// at error level when the failure is ours, warn with its code when it is the input's.
func TurnFailed(log *zerolog.Logger, in flows.Input, err error) {
	ev := log.Error()
	if code := care.ErrorCode(err); code != care.EINTERNAL {
		ev = log.Warn().Str("code", code)
	}
	ev.Err(err).Str("channel", string(in.Channel)).Str("phone", in.Phone.String()).Msg("dialog turn failed")
}
