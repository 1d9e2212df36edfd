package androidgw_test

import (
	"context"
	"encoding/json"
	"fmt"
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
		if err := json.NewDecoder(r.Body).Decode(&rec.body); err != nil {
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
	g, err := androidgw.New(androidgw.Options{URL: srv.URL, Password: password, Now: func() time.Time { return at }})
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
	require.Equal(t, androidgw.URIEncode(password), pass, "the app percent-encodes the password")
	require.Empty(t, first.header.Get("Content-Encoding"), "the app sends its bodies uncompressed")
	require.Equal(t, "application/json", first.header.Get("Content-Type"))
	require.Equal(t, []map[string]any{{"id": id, "from": "0901234567", "content": "DK",
		"sms_sent": float64(at.UnixMilli()), "sms_received": float64(at.UnixMilli())}}, first.body.Messages)
	require.Empty(t, first.body.Updates)

	require.Empty(t, reqs[1].body.Messages, "an accepted SMS is not delivered again")
	require.Equal(t, []map[string]string{{"id": "out-1", "status": "UNSENT"}, {"id": "out-1", "status": "PENDING"},
		{"id": "out-1", "status": "SENT"}}, reqs[1].body.Updates, "stored, handed to the radio, sent")
	require.Equal(t, []map[string]string{{"id": "out-1", "status": "DELIVERED"}}, reqs[2].body.Updates,
		"delivered follows sent; the re-offered id is not sent again")
	require.Equal(t, []androidgw.Sent{{ID: "out-1", To: "+84901234567", Content: "Chao", At: at, Status: "DELIVERED"}}, g.Sent())
}

// A poll carries at most MaxMessages SMS and MaxUpdates status reports, oldest first, as the
// app's WebappPoller does.
func TestPollsCarryWhatTheAppsCarry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec recorded
		require.NoError(t, json.NewDecoder(r.Body).Decode(&rec.body))
		mu.Lock()
		got = append(got, rec)
		first := len(got) == 1
		mu.Unlock()
		var out []map[string]string
		for i := range androidgw.MaxMessages {
			if first {
				out = append(out, map[string]string{"id": fmt.Sprintf("out-%d", i), "to": "+84901234567", "content": "Chao"})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": out})
	}))
	t.Cleanup(srv.Close)
	g, err := androidgw.New(androidgw.Options{URL: srv.URL, Password: password})
	require.NoError(t, err)
	const n = 2*androidgw.MaxMessages + 3
	var ids []string
	for i := range n {
		ids = append(ids, g.Receive("0901234567", fmt.Sprintf("DK %d", i)))
	}
	for {
		inbox, updates := g.Waiting()
		if inbox+updates == 0 {
			break
		}
		require.NoError(t, g.Poll(context.Background()))
		require.Less(t, len(got), 20, "the backlog drains")
	}
	var sentIDs []string
	var updates []string
	for _, r := range got {
		require.LessOrEqual(t, len(r.body.Messages), androidgw.MaxMessages)
		require.LessOrEqual(t, len(r.body.Updates), androidgw.MaxUpdates)
		for _, m := range r.body.Messages {
			sentIDs = append(sentIDs, m["id"].(string))
		}
		for _, u := range r.body.Updates {
			updates = append(updates, u["id"]+" "+u["status"])
		}
	}
	require.Equal(t, ids, sentIDs, "every SMS once, oldest first")
	require.Len(t, got[0].body.Messages, androidgw.MaxMessages)
	require.Len(t, got[1].body.Updates, androidgw.MaxUpdates, "30 reports wait after the first poll")
	require.Equal(t, []string{"out-0 UNSENT", "out-0 PENDING", "out-0 SENT", "out-1 UNSENT"}, updates[:4])
	require.Len(t, updates, 4*androidgw.MaxMessages, "UNSENT, PENDING, SENT, DELIVERED of each")
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

func TestURIEncodeIsAndroids(t *testing.T) {
	t.Parallel()
	// Android's Uri.encode: letters, digits and _-!.~'()* stay; the rest is UTF-8 in %XX.
	require.Equal(t, "M%E1%BA%ADt%20kh%E1%BA%A9u%3A%20p%40ss%2Fw%25rd%231%3F%26%3D%2B%20%C4%91%C3%BAng",
		androidgw.URIEncode("Mật khẩu: p@ss/w%rd#1?&=+ đúng"))
	require.Equal(t, "aZ09_-!.~'()*", androidgw.URIEncode("aZ09_-!.~'()*"))
}

func TestNewNeedsURLAndPassword(t *testing.T) {
	t.Parallel()
	_, err := androidgw.New(androidgw.Options{URL: "http://x"})
	require.Error(t, err)
	_, err = androidgw.New(androidgw.Options{Password: "p"})
	require.Error(t, err)
}
