package flows_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// trips counts what goes to PostgreSQL and waits for an answer: each query and each batch.
type trips struct{ n atomic.Int64 }

func (c *trips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *trips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *trips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *trips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *trips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func TestRoundTripsPerTurn(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cfg, err := pgxpool.ParseConfig(storetest.NewDatabase(t))
	require.NoError(t, err)
	// The fixture's database, one connection so statements stay prepared between turns.
	cfg.ConnConfig.Database = f.pool.Config().ConnConfig.Database
	cfg.MaxConns = 1
	counter := &trips{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	f.engine = flows.NewEngine(flows.Deps{Turns: store.New(pool, f.clock), Clock: f.clock})

	measure := func(phone care.Phone, text string) int64 {
		before := counter.n.Load()
		f.sms(phone, text)
		return counter.n.Load() - before
	}
	tests := []struct {
		name  string
		texts []string
		want  []int64
	}{
		{"menu, choice", []string{"xin chào", "3"}, []int64{2, 2}},
		{"get help to the end", []string{"GIUP", "1", "đau", "2"}, []int64{2, 2, 2, 3}},
		{"my plan", []string{"TT"}, []int64{3}},
		// The number is looked up as soon as it is given: one more round trip there.
		{"register", []string{"DK", "2", "{phone}", "1", "Lê Văn C", "27001", "1", "1", "1"}, []int64{2, 2, 3, 2, 2, 3, 2, 2, 3}},
	}
	for _, tt := range tests {
		var got []int64
		// Once to prepare the statements on the connection, then counted.
		for _, phone := range []string{"0987000009", "0987000008"} {
			got = nil
			for _, text := range tt.texts {
				if text == "{phone}" {
					text = phone
				}
				got = append(got, measure(phoneHoa, text))
			}
		}
		require.Equal(t, tt.want, got, tt.name)
	}
	// A number's first SMS has no session to lock: one more round trip creates it.
	for _, phone := range []care.Phone{"+84987000101", "+84987000102"} {
		require.Equal(t, []int64{3, 2}, []int64{measure(phone, "xin chào"), measure(phone, "3")}, "first contact of %s", phone)
	}
}
