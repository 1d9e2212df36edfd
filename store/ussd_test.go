package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// A session's end is kept with where its dialog stood, once, for a report of the states
// people leave from.
func TestRecordUSSDEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	s := store.New(pool, caretest.NewClock(start))
	_, err := pool.Exec(ctx, `INSERT INTO dialog_session (channel, key, phone, flow, state) VALUES
		('ussd', 'ATUid_left', '+84901234567', 'register', 'commune'),
		('sms', 'ATUid_sms', '+84901234567', 'help', 'category')`)
	require.NoError(t, err)

	left := &care.USSDSessionEnd{SessionID: "ATUid_left", Phone: "+84901234567", Status: care.USSDIncomplete,
		Hops: 4, Duration: 52 * time.Second, NetworkCode: "45204", Cost: "VND 200"}
	require.NoError(t, s.RecordUSSDEnd(ctx, left))
	require.Equal(t, "register", left.Flow)
	require.Equal(t, "commune", left.State)
	require.Equal(t, start, left.EndedAt)

	again := *left
	again.Status, again.Flow, again.State = care.USSDFailed, "", ""
	require.NoError(t, s.RecordUSSDEnd(ctx, &again), "the aggregator notifying twice is no error")

	unseen := &care.USSDSessionEnd{SessionID: "ATUid_sms", Phone: "+84901234567", Status: care.USSDFailed,
		ErrorMessage: "Timeout"}
	require.NoError(t, s.RecordUSSDEnd(ctx, unseen))
	require.Empty(t, unseen.Flow, "a session Caseline never saw on USSD stood nowhere")

	rows, err := pool.Query(ctx, `SELECT session_id, status, hops, duration_ms, flow, state, error_message
		FROM ussd_session_end ORDER BY session_id`)
	require.NoError(t, err)
	defer rows.Close()
	var got [][]any
	for rows.Next() {
		var id, status, flow, state, msg string
		var hops int
		var ms int64
		require.NoError(t, rows.Scan(&id, &status, &hops, &ms, &flow, &state, &msg))
		got = append(got, []any{id, status, hops, ms, flow, state, msg})
	}
	require.NoError(t, rows.Err())
	require.Equal(t, [][]any{
		{"ATUid_left", "Incomplete", 4, int64(52000), "register", "commune", ""},
		{"ATUid_sms", "Failed", 0, int64(0), "", "", "Timeout"},
	}, got, "the first notification stands")

	requireCode(t, care.EINVALID, s.RecordUSSDEnd(ctx, &care.USSDSessionEnd{SessionID: "x", Phone: "+84901234567", Status: "Dropped"}))
}
