package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// internalMessage is all a client learns about an internal error.
const internalMessage = "internal error"

// errorBody is the JSON shape of every error the gateway answers itself.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Status returns the HTTP status for err: the one mapping from care error codes to HTTP.
// A body over the limit (*http.MaxBytesError) is 413; an error without a code is 500.
func Status(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	switch care.ErrorCode(err) {
	case care.EINVALID:
		return http.StatusBadRequest
	case care.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case care.ENOTFOUND:
		return http.StatusNotFound
	case care.ECONFLICT:
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

// Error answers err as JSON {"error": code, "message": text} with the status Status gives.
// The message is the care error's user-safe one; internal errors say only "internal error"
// to the client and are logged whole at error level.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	body := errorBody{Error: care.ErrorCode(err), Message: care.ErrorMessage(err), Field: care.ErrorField(err)}
	log := zerolog.Ctx(r.Context())
	switch {
	case status == http.StatusRequestEntityTooLarge:
		body = errorBody{Error: care.EINVALID, Message: "request body too large"}
		log.Debug().Err(err).Msg("request body too large")
	case status >= http.StatusInternalServerError:
		if body.Error != care.EINTERNAL { // a code outside the closed set says nothing safe
			body = errorBody{Error: care.EINTERNAL, Message: internalMessage}
		}
		log.Error().Err(err).Msg("request failed")
	default:
		log.Debug().Err(err).Str("code", body.Error).Msg("request refused")
	}
	JSON(w, r, status, body)
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
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
