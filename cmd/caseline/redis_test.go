package main

import (
	"testing"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
)

func TestParseRedisURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url      string
		addr     string // a plain server's address
		db       int
		password string
		sentinel *asynq.RedisFailoverClientOpt
		err      string
	}{
		{url: "redis://127.0.0.1:6379/0", addr: "127.0.0.1:6379"},
		{url: "redis://:s3cret@redis.internal:6380/4", addr: "redis.internal:6380", db: 4, password: "s3cret"},
		{url: "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3/2?master=caseline",
			sentinel: &asynq.RedisFailoverClientOpt{MasterName: "caseline", DB: 2,
				SentinelAddrs: []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"}}},
		{url: "redis-sentinel://:s3cret@sentinel:26379?master=mymaster&sentinel_password=other",
			sentinel: &asynq.RedisFailoverClientOpt{MasterName: "mymaster", Password: "s3cret", SentinelPassword: "other",
				SentinelAddrs: []string{"sentinel:26379"}}},
		{url: "redis-sentinel://sentinel-1:26379,sentinel-2:26379/0?master=caseline",
			sentinel: &asynq.RedisFailoverClientOpt{MasterName: "caseline", SentinelAddrs: []string{"sentinel-1:26379", "sentinel-2:26379"}}},

		{url: "http://127.0.0.1:6379", err: "not a Redis URL (redis://host:port/db or redis-sentinel://host:port,host:port/db?master=NAME)"},
		{url: "redis://127.0.0.1:6379/notanumber", err: "not a Redis URL"},
		{url: "redis-sentinel://sentinel:26379/0", err: "master=NAME, the name the Sentinels monitor it by, is missing"},
		{url: "redis-sentinel://sentinel:26379/0?master_name=caseline", err: `unknown parameter "master_name"`},
		{url: "redis-sentinel://sentinel:26379/zero?master=caseline", err: "the path is not a database number"},
		{url: "redis-sentinel://sentinel:99999?master=caseline", err: "a Sentinel address is not host:port"},
		{url: "redis-sentinel://a:1,,b:2?master=caseline", err: "a Sentinel address is not host:port"},
		{url: "redis-sentinel://?master=caseline", err: "a Sentinel address is not host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			got, err := parseRedisURL(tt.url)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.sentinel != nil {
				require.Nil(t, got.direct)
				require.Equal(t, tt.sentinel, got.sentinel)
				return
			}
			require.Nil(t, got.sentinel)
			require.Equal(t, tt.addr, got.direct.Addr)
			require.Equal(t, tt.db, got.direct.DB)
			require.Equal(t, tt.password, got.direct.Password)
		})
	}
}

// TestOpenRedisFollowsSentinel: a redis-sentinel:// URL gives a client that asks the
// Sentinels for the master, so readyz, the queues and the dispatcher all follow a failover.
func TestOpenRedisFollowsSentinel(t *testing.T) {
	t.Parallel()
	rdb, err := openRedis("redis-sentinel://127.0.0.1:1/3?master=caseline")
	require.NoError(t, err)
	defer rdb.Close()
	err = rdb.Ping(t.Context()).Err()
	require.ErrorContains(t, err, "redis: all sentinels specified in configuration are unreachable")
	require.Equal(t, 3, rdb.Options().DB)
}
