package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// redisTarget is a parsed REDIS_URL: one Redis server, or a master that Redis Sentinel
// finds (and finds again after a failover).
type redisTarget struct {
	direct   *redis.Options
	sentinel *asynq.RedisFailoverClientOpt
}

// defaultSentinelPort is where a Sentinel listens when its address names no port.
const defaultSentinelPort = "26379"

// parseRedisURL reads REDIS_URL in one of two forms:
//
//	redis://[:password@]host:port/db                      go-redis's form (rediss:// for TLS), with its query options
//	redis-sentinel://[:password@]host:port[,host:port…][/db]?master=NAME[&sentinel_password=…]
//
// The second is the form asynq's ParseRedisURI documents, plus a database number. Its
// password is the Redis servers' (the master's and its replicas'), as in redis://; asynq
// gives it to the Sentinels instead, which breaks against Sentinels without a password of
// their own, the usual set-up. Sentinels that have one take sentinel_password.
func parseRedisURL(v string) (redisTarget, error) {
	if !strings.HasPrefix(v, "redis-sentinel://") {
		opt, err := redis.ParseURL(v)
		if err != nil {
			return redisTarget{}, fmt.Errorf("not a Redis URL (redis://host:port/db or redis-sentinel://host:port,host:port/db?master=NAME)")
		}
		return redisTarget{direct: opt}, nil
	}
	bad := func(why string) (redisTarget, error) {
		return redisTarget{}, fmt.Errorf("not a Redis Sentinel URL (redis-sentinel://host:port,host:port/db?master=NAME): %s", why)
	}
	// url.Parse takes no list of hosts (nor a host without a port before a comma): the
	// addresses are cut out first, and the rest parsed around a placeholder.
	rest := strings.TrimPrefix(v, "redis-sentinel://")
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	userinfo, hosts := "", rest[:end]
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		userinfo, hosts = hosts[:at+1], hosts[at+1:]
	}
	u, err := url.Parse("redis-sentinel://" + userinfo + "sentinels" + rest[end:])
	if err != nil {
		return bad("it does not parse")
	}
	opt := &asynq.RedisFailoverClientOpt{}
	for addr := range strings.SplitSeq(hosts, ",") {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			host, port = addr, defaultSentinelPort
		}
		if host == "" || strings.ContainsAny(host, ":[]") {
			return bad("a Sentinel address is not host:port")
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return bad("a Sentinel address is not host:port")
		}
		opt.SentinelAddrs = append(opt.SentinelAddrs, net.JoinHostPort(host, port))
	}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return bad("the path is not a database number")
		}
		opt.DB = n
	}
	for k, vs := range u.Query() {
		switch k {
		case "master":
			opt.MasterName = vs[0]
		case "sentinel_password":
			opt.SentinelPassword = vs[0]
		default:
			return bad(fmt.Sprintf("unknown parameter %q (master and sentinel_password are known)", k))
		}
	}
	if opt.MasterName == "" {
		return bad("master=NAME, the name the Sentinels monitor it by, is missing")
	}
	return redisTarget{sentinel: opt}, nil
}

// openRedis returns the one Redis client a process shares between its task queues, the
// dispatcher and /readyz; it connects on first use. Through Sentinel it follows the master
// across a failover.
func openRedis(v string) (*redis.Client, error) {
	t, err := parseRedisURL(v)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	if t.sentinel != nil {
		return t.sentinel.MakeRedisClient().(*redis.Client), nil
	}
	return redis.NewClient(t.direct), nil
}

// redisLogger carries what go-redis reports on its own (a Sentinel naming a new master, a
// connection dropped) into the process's logger, so that the logs stay JSON lines.
type redisLogger struct{ log zerolog.Logger }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	l.log.Info().Msgf(format, v...)
}
