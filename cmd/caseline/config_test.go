package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/twilio/tts"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(getenv(nil), "migrate")
	require.NoError(t, err)
	require.Equal(t, "postgres://caseline:caseline@127.0.0.1:5432/caseline?sslmode=disable", cfg.DatabaseURL)
	require.Equal(t, "redis://127.0.0.1:6379/0", cfg.RedisURL)
	require.Equal(t, ":8080", cfg.ListenAddr)
	require.Equal(t, "http://localhost:8080", cfg.PublicBaseURL)
	require.Equal(t, "gateway", cfg.AndroidUsername)
	require.Equal(t, "Asia/Ho_Chi_Minh", cfg.Location.String())
	require.Equal(t, zerolog.InfoLevel, cfg.LogLevel)
	require.Equal(t, []string{"113", "111"}, cfg.EmergencyNumbers)
	require.Equal(t, 365*24*time.Hour, cfg.BodyRetention)
	require.Empty(t, cfg.TwilioAccountSID, "no made-up account outside dev")
	require.Empty(t, cfg.TwilioAuthToken)
	require.Empty(t, cfg.USSDToken)
	require.Empty(t, cfg.AndroidPassword)

	dev, err := loadConfig(getenv(nil), "dev")
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", dev.ListenAddr, "dev's secrets are well known: it listens on loopback only")
	require.Equal(t, "AC123", dev.TwilioAccountSID)
	require.Equal(t, "dev", dev.TwilioAuthToken)
	require.Equal(t, "dev", dev.USSDToken)
	require.Equal(t, "dev", dev.AndroidPassword)
}

func TestConfigValues(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(getenv(map[string]string{
		"PUBLIC_BASE_URL":    "https://caseline.example.org/",
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_FROM":        "0901 234 567",
		"TWILIO_API_URL":     "http://127.0.0.1:9090/",
		"TIMEZONE":           "UTC",
		"LOG_LEVEL":          "WARN",
		"TWILIO_AUTH_TOKEN":  "t", "USSD_TOKEN": "u-1.2_3~", "ANDROID_GATEWAY_PASSWORD": "p",
		"EMERGENCY_NUMBERS": " 113 , 115 ", "MESSAGE_BODY_RETENTION": "90d",
	}), "serve")
	require.NoError(t, err)
	require.Equal(t, "https://caseline.example.org", cfg.PublicBaseURL)
	require.Equal(t, "+84901234567", cfg.TwilioFrom)
	require.Equal(t, "http://127.0.0.1:9090", cfg.TwilioAPIURL)
	require.Equal(t, time.UTC, cfg.Location)
	require.Equal(t, zerolog.WarnLevel, cfg.LogLevel)
	require.Equal(t, []string{"113", "115"}, cfg.EmergencyNumbers)
	require.Equal(t, 90*24*time.Hour, cfg.BodyRetention)

	const service = "MG0123456789abcdef0123456789abcdef"
	cfg, err = loadConfig(getenv(map[string]string{"TWILIO_FROM": service, "TWILIO_CALLER_ID": "0283 900 1234",
		"TWILIO_VOICE_VI": "Google.vi-VN-Wavenet-D", "TWILIO_VOICE_EN": "Polly.Joanna-Neural",
		"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "t"}), "work")
	require.NoError(t, err)
	require.Equal(t, service, cfg.TwilioFrom)
	require.Equal(t, "+842839001234", cfg.TwilioCallerID)
	require.Equal(t, "+842839001234", cfg.ourNumber(), "people call the caller id")
	require.Equal(t, []string{"+842839001234"}, cfg.accountNumbers())
	require.Equal(t, []string{service}, cfg.accountServices())
	require.Equal(t, twilio.Voices{Vietnamese: "Google.vi-VN-Wavenet-D", English: "Polly.Joanna-Neural"}, cfg.TwilioVoices)
}

func TestConfigVoiceDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(getenv(nil), "dev")
	require.NoError(t, err)
	require.Equal(t, twilio.Voices{Vietnamese: twilio.DefaultVoiceVI, English: twilio.DefaultVoiceEN}, cfg.TwilioVoices)
	require.True(t, tts.Speaks(cfg.TwilioVoices.Vietnamese, tts.Vietnamese), "the default speaks Vietnamese")
	require.True(t, tts.Speaks(cfg.TwilioVoices.English, tts.English))
	require.Empty(t, cfg.TwilioCallerID)
	require.Equal(t, cfg.TwilioFrom, cfg.ourNumber())
	require.Equal(t, []string{cfg.TwilioFrom}, cfg.accountNumbers())
	require.Empty(t, cfg.accountServices())
}

func TestInvalidConfigIsOneLineNamingTheVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, command string
		want                 string
	}{
		{"DATABASE_URL", "postgres://x:y@host:port/db", "work", "DATABASE_URL: not a PostgreSQL URL (postgres://user:password@host:port/database)"},
		{"REDIS_URL", "http://127.0.0.1:6379", "work", "REDIS_URL: not a Redis URL (redis://host:port/db or redis-sentinel://host:port,host:port/db?master=NAME)"},
		{"REDIS_URL", "redis://127.0.0.1:6379/notanumber", "work", "REDIS_URL: not a Redis URL (redis://host:port/db or redis-sentinel://host:port,host:port/db?master=NAME)"},
		{"REDIS_URL", "redis-sentinel://:pw@127.0.0.1:26379/0", "work", "REDIS_URL: not a Redis Sentinel URL (redis-sentinel://host:port,host:port/db?master=NAME): master=NAME, the name the Sentinels monitor it by, is missing"},
		{"LISTEN_ADDR", "8080", "work", `LISTEN_ADDR: "8080" is not host:port (like :8080 or 127.0.0.1:8080)`},
		{"LISTEN_ADDR", ":99999", "work", `LISTEN_ADDR: ":99999" is not host:port (like :8080 or 127.0.0.1:8080)`},
		{"PUBLIC_BASE_URL", "user:secret@caseline.vn", "work", "PUBLIC_BASE_URL: not an absolute http(s) URL without a query (like https://caseline.example.org)"},
		{"PUBLIC_BASE_URL", "https://caseline.vn/?a=1", "work", "PUBLIC_BASE_URL: not an absolute http(s) URL without a query (like https://caseline.example.org)"},
		{"TWILIO_ACCOUNT_SID", "SK123", "work", `TWILIO_ACCOUNT_SID: "SK123" is not an account SID (AC followed by letters and digits)`},
		{"TWILIO_FROM", "+1 555 not", "work", "TWILIO_FROM: not a phone number (+84…) or a messaging service SID (MG and 32 hex digits)"},
		{"TWILIO_FROM", "MG0123abc", "work", "TWILIO_FROM: not a phone number (+84…) or a messaging service SID (MG and 32 hex digits)"},
		{"TWILIO_FROM", "MG0123456789abcdef0123456789abcdef", "work",
			"TWILIO_CALLER_ID: required by work when TWILIO_FROM is a messaging service (MG…): calls need a phone number as their caller id"},
		{"TWILIO_FROM", "MG0123456789abcdef0123456789abcdef", "dev",
			"TWILIO_CALLER_ID: required by dev when TWILIO_FROM is a messaging service (MG…): calls need a phone number as their caller id"},
		{"TWILIO_CALLER_ID", "MG0123456789abcdef0123456789abcdef", "work",
			"TWILIO_CALLER_ID: not a phone number (+84…): calls need a number of the account as their caller id"},
		{"TWILIO_VOICE_VI", "alice", "serve",
			`TWILIO_VOICE_VI: "alice" is not a Twilio voice that speaks Vietnamese (vi-VN); Twilio speaks it only with Google voices, like Google.vi-VN-Standard-A`},
		{"TWILIO_VOICE_VI", "Polly.Joanna", "work",
			`TWILIO_VOICE_VI: "Polly.Joanna" is not a Twilio voice that speaks Vietnamese (vi-VN); Twilio speaks it only with Google voices, like Google.vi-VN-Standard-A`},
		{"TWILIO_VOICE_VI", "alice", "dev",
			`TWILIO_VOICE_VI: "alice" is not a Twilio voice that speaks Vietnamese (vi-VN); Twilio speaks it only with Google voices, like Google.vi-VN-Standard-A`},
		{"TWILIO_VOICE_EN", "Google.vi-VN-Standard-A", "serve",
			`TWILIO_VOICE_EN: "Google.vi-VN-Standard-A" is not a Twilio voice that speaks American English (en-US), like Google.en-US-Standard-C or Polly.Joanna`},
		{"TWILIO_API_URL", "ftp://fake", "work", "TWILIO_API_URL: not an absolute http(s) URL without a query (like https://caseline.example.org)"},
		{"USSD_TOKEN", "a&b", "work", "USSD_TOKEN: may hold only letters, digits and - . _ ~ (it travels in the callback URL)"},
		{"ANDROID_GATEWAY_USERNAME", "a:b", "work", `ANDROID_GATEWAY_USERNAME: "a:b" contains ':', which HTTP Basic auth cannot carry in a user name`},
		{"TIMEZONE", "Asia/Hanoi_City", "work", `TIMEZONE: unknown time zone "Asia/Hanoi_City" (like Asia/Ho_Chi_Minh)`},
		{"MESSAGE_BODY_RETENTION", "forever", "work", `MESSAGE_BODY_RETENTION: "forever" is not a duration of at least a day (like 365d or 720h)`},
		{"MESSAGE_BODY_RETENTION", "0d", "work", `MESSAGE_BODY_RETENTION: "0d" is not a duration of at least a day (like 365d or 720h)`},
		{"MESSAGE_BODY_RETENTION", "2h", "work", `MESSAGE_BODY_RETENTION: "2h" is not a duration of at least a day (like 365d or 720h)`},
		{"MESSAGE_BODY_RETENTION", "-5d", "work", `MESSAGE_BODY_RETENTION: "-5d" is not a duration of at least a day (like 365d or 720h)`},
		{"LOG_LEVEL", "loud", "work", `LOG_LEVEL: "loud" is not one of trace, debug, info, warn, error, disabled`},
		{"LOG_LEVEL", "3", "work", `LOG_LEVEL: "3" is not one of trace, debug, info, warn, error, disabled`},
		{"TWILIO_AUTH_TOKEN", "", "serve", "TWILIO_AUTH_TOKEN: required by serve (set it, or use `caseline dev` for development defaults)"},
		{"USSD_TOKEN", "", "serve", "USSD_TOKEN: required by serve (set it, or use `caseline dev` for development defaults)"},
		{"ANDROID_GATEWAY_PASSWORD", "", "serve", "ANDROID_GATEWAY_PASSWORD: required by serve (set it, or use `caseline dev` for development defaults)"},
		{"TWILIO_FROM", "", "work", "TWILIO_FROM: required by work (set it, or use `caseline dev` for development defaults)"},
		{"SMS_ROUTES", "+84=carrier-pigeon", "work", "SMS_ROUTES: " + routesProblem("+84=carrier-pigeon") + " (like +84=android,*=twilio)"},
		{"SEND_RATE_LIMIT", "-1", "work", `SEND_RATE_LIMIT: "-1" is not a rate in messages per second (0 for none)`},
		{"EMERGENCY_NUMBERS", "113,police", "work", `EMERGENCY_NUMBERS: "police" is not a short emergency number (2 to 6 digits) (like 113,111)`},
		{"EMERGENCY_NUMBERS", "113, 113", "work", "EMERGENCY_NUMBERS: 113 is listed twice (like 113,111)"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, "postgres://caseline:caseline@127.0.0.1:5432/caseline", map[string]string{tt.name: tt.value})
			var stdout, stderr strings.Builder
			err := run(t.Context(), []string{"caseline", tt.command}, getenv(env), strings.NewReader(""), &stdout, &stderr)
			require.EqualError(t, err, tt.want)
			require.Equal(t, 2, exitCode(err))
			require.Empty(t, stdout.String()+stderr.String(), "nothing starts, nothing logs")
			if tt.value != "" && strings.Contains(tt.name, "URL") {
				require.NotContains(t, err.Error(), tt.value, "URLs may carry passwords")
			}
		})
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(getenv(map[string]string{"LISTEN_ADDR": "x", "TIMEZONE": "Nowhere"}), "serve")
	require.Equal(t, 2, exitCode(err))
	msg := err.Error()
	require.NotContains(t, msg, "\n")
	for _, name := range []string{"LISTEN_ADDR", "TIMEZONE", "TWILIO_AUTH_TOKEN", "USSD_TOKEN", "ANDROID_GATEWAY_PASSWORD"} {
		require.Contains(t, msg, name+": ")
	}
}

func TestDevNeedsNoSecrets(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(getenv(nil), "dev")
	require.NoError(t, err)
	_, err = loadConfig(getenv(nil), "serve")
	require.Error(t, err)
}

// runMain runs the real main in a child process (see TestMain) with only env set.
func runMain(t *testing.T, args string, env map[string]string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{"CASELINE_MAIN=" + args}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func TestMainExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, args string
		env        map[string]string
		code       int
		stderr     string // the whole of it, when set
	}{
		{"bad variable", "serve", testEnv(t, "", map[string]string{"LISTEN_ADDR": "localhost"}), 2,
			"caseline: LISTEN_ADDR: \"localhost\" is not host:port (like :8080 or 127.0.0.1:8080)\n"},
		{"a voice that speaks no Vietnamese", "serve", testEnv(t, "", map[string]string{"TWILIO_VOICE_VI": "alice"}), 2,
			"caseline: TWILIO_VOICE_VI: \"alice\" is not a Twilio voice that speaks Vietnamese (vi-VN); Twilio speaks it only with Google voices, like Google.vi-VN-Standard-A\n"},
		{"a voice that speaks no Vietnamese, under work", "work", testEnv(t, "", map[string]string{"TWILIO_VOICE_VI": "alice"}), 2, ""},
		{"a voice that speaks no Vietnamese, under dev", "dev", testEnv(t, "", map[string]string{"TWILIO_VOICE_VI": "alice"}), 2, ""},
		{"unknown command", "launch", nil, 2, "caseline: unknown command \"launch\"; try `caseline help`\n"},
		{"help", "help", nil, 0, ""},
		{"failure", "migrate status", testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline?sslmode=disable", nil), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := runMain(t, tt.args, tt.env)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.code, code, stderr.String())
			if tt.stderr != "" {
				require.Equal(t, tt.stderr, stderr.String())
			}
			if tt.code == 1 {
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				require.True(t, strings.HasPrefix(lines[len(lines)-1], "caseline: "), stderr.String())
			}
		})
	}
}

func TestMainStopsCleanlyOnSIGTERM(t *testing.T) {
	t.Parallel()
	cmd := runMain(t, "serve", testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline?sslmode=disable", nil))
	logs := &logSink{}
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	logs.waitFor(t, "started")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit status 0 after a graceful stop; logs:\n%s", logs.String())
	logs.waitFor(t, "stopped")
}

// routesProblem is what care.ParseRoutes says of spec, so the expected line follows it.
func routesProblem(spec string) string {
	_, err := care.ParseRoutes(spec)
	return care.ErrorMessage(err)
}
