package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
)

// maxBody is the largest request body the API reads; a larger one is 413.
const maxBody = 1 << 20

// Error codes of the API's responses beyond care's.
const (
	codeUnauthenticated = "unauthenticated"
	codeForbidden       = "forbidden"
	codeTooLarge        = "too_large"
	codeMethod          = "method_not_allowed"
)

// errorBody is every error response.
type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// apiError is an error that carries its HTTP status itself: 401, 403, 413, and 400s about
// several fields at once.
type apiError struct {
	status int
	body   errorBody
}

// Error describes the response, for logs and tests.
func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.body.Error, e.body.Message)
}

// isStatus reports whether err is an apiError answering with status.
func isStatus(err error, status int) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.status == status
}

func unauthenticated(msg string) error {
	return &apiError{status: http.StatusUnauthorized, body: errorBody{Error: codeUnauthenticated, Message: msg}}
}

func forbidden(msg string) error {
	return &apiError{status: http.StatusForbidden, body: errorBody{Error: codeForbidden, Message: msg}}
}

// fieldErrors collects field-level problems of one request body; err is nil when there are none.
type fieldErrors map[string]string

func (f fieldErrors) add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// addErr records a care field error under its field (or under field when it names none).
func (f fieldErrors) addErr(field string, err error) {
	if name := care.ErrorField(err); name != "" {
		field = name
	}
	f.add(field, care.ErrorMessage(err))
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, body: errorBody{Error: care.EINVALID, Message: "invalid input", Fields: f}}
}

// statusOf maps care's error codes to HTTP: the one place that does.
func statusOf(code string) int {
	switch code {
	case care.EINVALID:
		return http.StatusBadRequest
	case care.ENOTFOUND:
		return http.StatusNotFound
	case care.ECONFLICT:
		return http.StatusConflict
	case care.EUNAUTHORIZED:
		return http.StatusForbidden // authenticated, but the role may not: 401 is apiError's
	}
	return http.StatusInternalServerError
}

// fail writes err as a JSON error response. Internal errors are logged with their chain and
// answered with a generic message; request bodies are never logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeJSON(w, ae.status, ae.body)
		return
	}
	code := care.ErrorCode(err)
	status := statusOf(code)
	body := errorBody{Error: code, Message: care.ErrorMessage(err)}
	if code == care.EUNAUTHORIZED {
		body.Error = codeForbidden
	}
	if status == http.StatusInternalServerError {
		body.Error = care.EINTERNAL
		h.log.Error().Err(err).Str("method", r.Method).Str("route", r.Pattern).Msg("api request failed")
	}
	if field := care.ErrorField(err); field != "" && status == http.StatusBadRequest {
		body.Fields = map[string]string{field: body.Message}
	}
	writeJSON(w, status, body)
}

// writeJSON writes v as the JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing left to tell it
}

// decode reads one JSON object from the request body into v: at most maxBody bytes (413
// beyond), no unknown fields, nothing after the object. Problems are 400 with the field at
// fault where there is one.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeBody(w, r, v, false)
}

// decodeOptional is decode for a body that may be left out: an empty body leaves v as it is.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeBody(w, r, v, true)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if optional && errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("one JSON object expected")
		}
	}
	if err == nil {
		return nil
	}
	var big *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &big):
		return tooLarge()
	case errors.As(err, &typ) && typ.Field != "":
		return fieldErrors{typ.Field: "must be " + jsonType(typ.Type.Kind().String())}.err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErrors{name: "unknown field"}.err()
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &apiError{status: http.StatusBadRequest, body: errorBody{Error: care.EINVALID, Message: "the request body is not valid JSON"}}
	}
	return &apiError{status: http.StatusBadRequest, body: errorBody{Error: care.EINVALID, Message: "invalid request body: " + err.Error()}}
}

// tooLarge is the answer to a body over maxBody.
func tooLarge() error {
	return &apiError{status: http.StatusRequestEntityTooLarge, body: errorBody{Error: codeTooLarge,
		Message: fmt.Sprintf("the request body is larger than %d bytes", maxBody)}}
}

// jsonType names a Go kind as JSON calls it, for messages.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map", kind == "ptr":
		return "an object"
	}
	return "of another type"
}
