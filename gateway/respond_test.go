package gateway_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

func TestError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		status   int
		body     string
		logLevel string // the level Error logs at; "" for nothing at info and above
	}{
		{"invalid", fmt.Errorf("register: %w", care.FieldError("phone", "not a valid phone number")), 400,
			`{"error":"invalid","message":"not a valid phone number","fields":{"phone":"not a valid phone number"}}`, ""},
		{"not found", fmt.Errorf("load case 7: %w", care.Errorf(care.ENOTFOUND, "no such case")), 404,
			`{"error":"not_found","message":"no such case"}`, ""},
		{"conflict", care.Errorf(care.ECONFLICT, "already registered"), 409,
			`{"error":"conflict","message":"already registered"}`, ""},
		{"unauthorized is forbidden: the caller is known and may not", care.Errorf(care.EUNAUTHORIZED, "wrong PIN"), 403,
			`{"error":"forbidden","message":"wrong PIN"}`, ""},
		{"unauthenticated", fmt.Errorf("auth: %w", gateway.Unauthenticated("a bearer token is required")), 401,
			`{"error":"unauthenticated","message":"a bearer token is required"}`, ""},
		{"try later is not an internal failure", gateway.TryLater(), 503,
			`{"error":"unavailable","message":"try again later"}`, ""},
		{"internal care error", care.Errorf(care.EINTERNAL, "try again later"), 500,
			`{"error":"internal","message":"try again later"}`, "error"},
		{"plain error hides its text", errors.New("dial tcp 10.0.0.5:5432: refused"), 500,
			`{"error":"internal","message":"internal error"}`, "error"},
		{"unknown code hides its text", care.Errorf("weird", "secret detail"), 500,
			`{"error":"internal","message":"internal error"}`, "error"},
		{"body too large", fmt.Errorf("parse form: %w", &http.MaxBytesError{Limit: 10}), 413,
			`{"error":"too_large","message":"the request body is larger than 10 bytes"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.status, gateway.Status(tt.err))
			var logs bytes.Buffer
			log := zerolog.New(&logs).Level(zerolog.InfoLevel)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req = req.WithContext(log.WithContext(req.Context()))
			rec := httptest.NewRecorder()
			gateway.Error(rec, req, tt.err)
			require.Equal(t, tt.status, rec.Code)
			require.JSONEq(t, tt.body, rec.Body.String())
			if tt.logLevel == "" {
				require.Empty(t, logs.String())
			} else {
				require.Contains(t, logs.String(), `"level":"`+tt.logLevel+`"`)
				require.Contains(t, logs.String(), tt.err.Error(), "the log keeps the whole chain")
			}
		})
	}
}

func TestJSONThatCannotBeEncodedIs500(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	gateway.JSON(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, map[string]any{"f": func() {}})
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.JSONEq(t, `{"error":"internal","message":"internal error"}`, rec.Body.String())
}
