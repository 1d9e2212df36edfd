package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"

	"github.com/caseline/caseline/care"
)

// withMiddleware wraps h in what every request goes through, outermost first: a logger in
// the context, a request id (in the log and the X-Request-Id response header), the access
// log and panic recovery. The body limit is per route (see NewHandler).
func withMiddleware(log zerolog.Logger, h http.Handler) http.Handler {
	h = recoverPanic(h)
	h = hlog.AccessHandler(accessLog)(h)
	h = hlog.RequestIDHandler("req_id", "X-Request-Id")(h)
	return hlog.NewHandler(log)(h)
}

// accessLog logs one line per request. It logs the path only: query strings carry tokens,
// phone numbers and USSD input, so the URL is never logged whole.
func accessLog(r *http.Request, status, size int, d time.Duration) {
	if status == 0 { // the handler wrote nothing: net/http answers 200
		status = http.StatusOK
	}
	hlog.FromRequest(r).Info().
		Str("method", r.Method).
		Str("path", r.URL.Path).
		Int("status", status).
		Int("size", size).
		Dur("duration", d).
		Msg("request")
}

// recoverPanic turns a panicking handler into a 500 whose body says nothing of the cause;
// the panic and its stack go to the log. http.ErrAbortHandler keeps its meaning (abort the
// response quietly).
func recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			zerolog.Ctx(r.Context()).Error().
				Str("panic", fmt.Sprint(v)).
				Str("stack", string(debug.Stack())).
				Msg("handler panicked")
			JSON(w, r, http.StatusInternalServerError, ErrorBody{Error: care.EINTERNAL, Message: internalMessage})
		}()
		next.ServeHTTP(w, r)
	})
}

// LimitBody refuses bodies over n bytes in the gateway's JSON: at once with 413 when
// Content-Length says so, else as CapBody does. Webhooks, probes and the API sit behind it.
func LimitBody(n int64, next http.Handler) http.Handler {
	capped := CapBody(n, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			Error(w, r, &http.MaxBytesError{Limit: n})
			return
		}
		capped.ServeHTTP(w, r)
	})
}

// CapBody fails a handler's read past n bytes with *http.MaxBytesError, which Answer maps
// to 413: the one place a body limit is set. NewHandler puts every route behind it (through
// LimitBody, but for the doors that answer in their own shape: the Android gateway's
// protocol and the console's pages), so handlers read r.Body as it is.
func CapBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}
