package androidgw_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/simulators/androidgw"
)

// recorded is one POST the simulator made, as a server sees it.
type recorded struct {
	header http.Header
	body   struct {
		Messages []map[string]any    `json:"messages"`
		Updates  []map[string]string `json:"updates"`
	}
}

// stubServer answers every POST with the same outbound SMS and records the requests.
func stubServer(t *testing.T) (*httptest.Server, func() []recorded) {
	t.Helper()
	var mu sync.Mutex
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec recorded
		rec.header = r.Header.Clone()
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		if err := json.NewDecoder(body).Decode(&rec.body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"messages":[{"id":"out-1","to":"+84901234567","content":"Chao"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return append([]recorded(nil), got...)
	}
}

func TestSimulatorSpeaksTheProtocol(t *testing.T) {
	t.Parallel()
	srv, requests := stubServer(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	g, err := androidgw.New(androidgw.Options{URL: srv.URL, Password: password, Gzip: true, Now: func() time.Time { return at }})
	require.NoError(t, err)
	ctx := context.Background()

	id := g.Receive("0901234567", "DK")
	require.NoError(t, g.Poll(ctx))
	require.NoError(t, g.Poll(ctx), "the same id is offered again")
	require.NoError(t, g.Poll(ctx))

	reqs := requests()
	require.Len(t, reqs, 3)
	first := reqs[0]
	user, pass, ok := (&http.Request{Header: first.header}).BasicAuth()
	require.True(t, ok)
	require.Equal(t, "gateway", user)
	require.Equal(t, password, pass)
	require.Equal(t, "gzip", first.header.Get("Content-Encoding"))
	require.Equal(t, "application/json", first.header.Get("Content-Type"))
	require.Equal(t, []map[string]any{{"id": id, "from": "0901234567", "content": "DK",
		"sms_sent": float64(at.UnixMilli()), "sms_received": float64(at.UnixMilli())}}, first.body.Messages)
	require.Empty(t, first.body.Updates)

	require.Empty(t, reqs[1].body.Messages, "an accepted SMS is not delivered again")
	require.Equal(t, []map[string]string{{"id": "out-1", "status": "SENT"}}, reqs[1].body.Updates)
	require.Equal(t, []map[string]string{{"id": "out-1", "status": "DELIVERED"}}, reqs[2].body.Updates,
		"delivered follows sent; the re-offered id is not sent again")
	require.Equal(t, []androidgw.Sent{{ID: "out-1", To: "+84901234567", Content: "Chao", At: at, Status: "DELIVERED"}}, g.Sent())
}

func TestSimulatorControl(t *testing.T) {
	t.Parallel()
	srv, requests := stubServer(t)
	g, err := androidgw.New(androidgw.Options{URL: srv.URL, Password: password})
	require.NoError(t, err)
	ctl := httptest.NewServer(g.Control())
	t.Cleanup(ctl.Close)

	res, err := http.PostForm(ctl.URL+"/receive", map[string][]string{"from": {"0901234567"}, "content": {"GIUP"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusAccepted, res.StatusCode)
	res, err = http.PostForm(ctl.URL+"/receive", map[string][]string{"content": {"GIUP"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadRequest, res.StatusCode)

	require.NoError(t, g.Poll(context.Background()))
	require.Equal(t, "GIUP", requests()[0].body.Messages[0]["content"])
	res, err = http.Get(ctl.URL + "/sent")
	require.NoError(t, err)
	defer res.Body.Close()
	var sent []androidgw.Sent
	require.NoError(t, json.NewDecoder(res.Body).Decode(&sent))
	require.Len(t, sent, 1)
	require.Equal(t, "out-1", sent[0].ID)
}

func TestNewNeedsURLAndPassword(t *testing.T) {
	t.Parallel()
	_, err := androidgw.New(androidgw.Options{URL: "http://x"})
	require.Error(t, err)
	_, err = androidgw.New(androidgw.Options{Password: "p"})
	require.Error(t, err)
}
