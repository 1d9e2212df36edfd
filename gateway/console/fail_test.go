package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// A failed request's page has the status gateway's one map gives its error, unchanged: the
// console only picks the words.
func TestFailAnswersTheGatewayStatus(t *testing.T) {
	t.Parallel()
	h := &handler{pages: parsePages()} // a zero Log writes nothing; no times are shown
	tests := []struct {
		name   string
		err    error
		status int
		says   string
	}{
		{"invalid", care.Errorf(care.EINVALID, "bad date"), http.StatusBadRequest, "bad date"},
		{"too large", fmt.Errorf("parse form: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge, "larger than 10 bytes"},
		{"no form token", errForbidden, http.StatusForbidden, "The form has expired"},
		{"not allowed", care.Errorf(care.EUNAUTHORIZED, "no"), http.StatusForbidden, ""},
		{"not found", care.Errorf(care.ENOTFOUND, "gone"), http.StatusNotFound, "was not found"},
		{"conflict", care.Errorf(care.ECONFLICT, "done"), http.StatusConflict, "already done"},
		{"unavailable", gateway.TryLater(), http.StatusServiceUnavailable, "try again in a few minutes"},
		{"internal", errors.New("boom"), http.StatusInternalServerError, "try again in a few minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, Prefix, nil)
			r.AddCookie(&http.Cookie{Name: langCookie, Value: string(care.English)})
			rec := httptest.NewRecorder()
			h.fail(rec, r, &request{}, tt.err)
			require.Equal(t, tt.status, rec.Code)
			require.Contains(t, rec.Body.String(), tt.says)
		})
	}
}
