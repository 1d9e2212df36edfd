package main

import (
	"cmp"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/twilio/tts"
)

// config is every setting Caseline reads. run fills it from the environment and validates
// it before anything starts; packages receive the values they need, never the struct.
type config struct {
	DatabaseURL      string
	RedisURL         string
	ListenAddr       string
	PublicBaseURL    string // no trailing slash
	TwilioAccountSID string
	TwilioAuthToken  string
	TwilioFrom       string // E.164 number or messaging service SID
	TwilioCallerID   string // E.164 number calls come from; empty: TwilioFrom
	TwilioVoices     twilio.Voices
	TwilioAPIURL     string // empty: Twilio itself
	USSDToken        string
	AndroidUsername  string
	AndroidPassword  string
	Location         *time.Location
	LogLevel         zerolog.Level
	SMSRoutes        care.Routes         // which provider carries outbound SMS to which numbers
	SendRateLimit    float64             // outbound messages per second per provider; 0 is no limit
	ReviewInterval   care.ReviewInterval // calendar months between periodic reviews of a case in monitoring
	EmergencyNumbers []string            // said to a caller in danger, in order
	FakeTwilioAddr   string              // where `caseline dev` runs the fake Twilio
	SpoolDir         string              // where serve keeps inbound messages while the database is away
	TaskTimeout      time.Duration
	BodyRetention    time.Duration      // how long message bodies are kept
	PromptsDir       string             // PROMPTS_DIR: "" is the shipped prompts
	Prompts          *flows.Prompts     // the prompts of PromptsDir, nil for the shipped ones
	PromptAudioDir   string             // PROMPT_AUDIO_DIR: "" plays no recording
	PromptAudio      *flows.PromptAudio // the recordings found there
}

// variable is one environment variable: its defaults and how it is checked and stored.
// Errors never echo a secret or a URL (which may carry a password).
type variable struct {
	name   string
	def    string // default
	devDef string // default under `caseline dev`, when it differs
	set    func(c *config, v string) error
}

// variables lists every setting in the order errors report them. README.md documents each.
func variables() []variable {
	return []variable{
		{name: "DATABASE_URL", def: "postgres://caseline:caseline@127.0.0.1:5432/caseline?sslmode=disable",
			set: func(c *config, v string) error {
				if _, err := pgxpool.ParseConfig(v); err != nil {
					return fmt.Errorf("not a PostgreSQL URL (postgres://user:password@host:port/database)")
				}
				c.DatabaseURL = v
				return nil
			}},
		{name: "REDIS_URL", def: "redis://127.0.0.1:6379/0",
			set: func(c *config, v string) error {
				if _, err := parseRedisURL(v); err != nil {
					return err
				}
				c.RedisURL = v
				return nil
			}},
		{name: "LISTEN_ADDR", def: ":8080", devDef: "127.0.0.1:8080", // dev's secrets are well known
			set: func(c *config, v string) error {
				_, port, err := net.SplitHostPort(v)
				if err == nil {
					_, err = strconv.ParseUint(port, 10, 16)
				}
				if err != nil {
					return fmt.Errorf("%q is not host:port (like :8080 or 127.0.0.1:8080)", v)
				}
				c.ListenAddr = v
				return nil
			}},
		{name: "PUBLIC_BASE_URL", def: "http://localhost:8080",
			set: func(c *config, v string) error {
				if err := checkHTTPURL(v); err != nil {
					return err
				}
				c.PublicBaseURL = strings.TrimRight(v, "/")
				return nil
			}},
		{name: "TWILIO_ACCOUNT_SID", devDef: "AC123",
			set: func(c *config, v string) error {
				if v != "" && !twilioSID.MatchString(v) {
					return fmt.Errorf("%q is not an account SID (AC followed by letters and digits)", v)
				}
				c.TwilioAccountSID = v
				return nil
			}},
		{name: "TWILIO_AUTH_TOKEN", devDef: "dev",
			set: func(c *config, v string) error { c.TwilioAuthToken = v; return nil }},
		{name: "TWILIO_FROM", devDef: "+84901000000",
			set: func(c *config, v string) error {
				if v == "" || twilio.IsMessagingService(v) {
					c.TwilioFrom = v
					return nil
				}
				p, err := care.ParsePhone(v)
				if err != nil {
					return fmt.Errorf("not a phone number (+84…) or a messaging service SID (MG and 32 hex digits)")
				}
				c.TwilioFrom = p.E164()
				return nil
			}},
		{name: "TWILIO_CALLER_ID",
			set: func(c *config, v string) error {
				if v == "" {
					return nil
				}
				p, err := care.ParsePhone(v)
				if err != nil {
					return fmt.Errorf("not a phone number (+84…): calls need a number of the account as their caller id")
				}
				c.TwilioCallerID = p.E164()
				return nil
			}},
		voiceVariable("TWILIO_VOICE_VI", tts.Vietnamese, "Vietnamese", twilio.DefaultVoiceVI,
			"; Twilio speaks it only with Google voices, like "+twilio.DefaultVoiceVI,
			func(c *config) *string { return &c.TwilioVoices.Vietnamese }),
		voiceVariable("TWILIO_VOICE_EN", tts.English, "American English", twilio.DefaultVoiceEN,
			", like "+twilio.DefaultVoiceEN+" or Polly.Joanna",
			func(c *config) *string { return &c.TwilioVoices.English }),
		{name: "TWILIO_API_URL",
			set: func(c *config, v string) error {
				if v == "" {
					return nil
				}
				if err := checkHTTPURL(v); err != nil {
					return err
				}
				c.TwilioAPIURL = strings.TrimRight(v, "/")
				return nil
			}},
		{name: "USSD_TOKEN", devDef: "dev",
			set: func(c *config, v string) error {
				if !urlSafe.MatchString(v) {
					return fmt.Errorf("may hold only letters, digits and - . _ ~ (it travels in the callback URL)")
				}
				c.USSDToken = v
				return nil
			}},
		{name: "ANDROID_GATEWAY_USERNAME", def: "gateway",
			set: func(c *config, v string) error {
				if strings.Contains(v, ":") {
					return fmt.Errorf("%q contains ':', which HTTP Basic auth cannot carry in a user name", v)
				}
				c.AndroidUsername = v
				return nil
			}},
		{name: "ANDROID_GATEWAY_PASSWORD", devDef: "dev",
			set: func(c *config, v string) error { c.AndroidPassword = v; return nil }},
		{name: "TIMEZONE", def: "Asia/Ho_Chi_Minh",
			set: func(c *config, v string) error {
				loc, err := time.LoadLocation(v)
				if err != nil {
					return fmt.Errorf("unknown time zone %q (like Asia/Ho_Chi_Minh)", v)
				}
				c.Location = loc
				return nil
			}},
		{name: "EMERGENCY_NUMBERS", def: "113,111",
			set: func(c *config, v string) error {
				var nums []string
				for _, n := range strings.Split(v, ",") {
					nums = append(nums, strings.TrimSpace(n))
				}
				if err := flows.CheckEmergencyNumbers(nums); err != nil {
					return fmt.Errorf("%s (like 113,111)", care.ErrorMessage(err))
				}
				c.EmergencyNumbers = nums
				return nil
			}},
		{name: "SMS_ROUTES", def: "*=twilio",
			set: func(c *config, v string) error {
				r, err := care.ParseRoutes(v)
				if err != nil {
					return fmt.Errorf("%s (like +84=android,*=twilio)", care.ErrorMessage(err))
				}
				c.SMSRoutes = r
				return nil
			}},
		{name: "SEND_RATE_LIMIT", def: "0",
			set: func(c *config, v string) error {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
					return fmt.Errorf("%q is not a rate in messages per second (0 for none)", v)
				}
				c.SendRateLimit = n
				return nil
			}},
		{name: "REVIEW_INTERVAL", def: "3",
			set: func(c *config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 1 || n > 24 {
					return fmt.Errorf("%q is not a number of calendar months from 1 to 24", v)
				}
				c.ReviewInterval = care.ReviewInterval{Months: n}
				return nil
			}},
		{name: "FAKE_TWILIO_ADDR", def: "127.0.0.1:8081",
			set: func(c *config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("%q is not host:port (like 127.0.0.1:8081)", v)
				}
				c.FakeTwilioAddr = v
				return nil
			}},
		{name: "TASK_TIMEOUT", def: "30s",
			set: func(c *config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 3*time.Second {
					return fmt.Errorf("%q is not a duration of at least 3s (like 30s)", v)
				}
				c.TaskTimeout = d
				return nil
			}},
		{name: "MESSAGE_BODY_RETENTION", def: "365d",
			set: func(c *config, v string) error {
				d, err := parseDays(v)
				if err != nil || d < 24*time.Hour {
					return fmt.Errorf("%q is not a duration of at least a day (like 365d or 720h)", v)
				}
				c.BodyRetention = d
				return nil
			}},
		{name: "SPOOL_DIR", def: "spool",
			set: func(c *config, v string) error {
				if strings.TrimSpace(v) == "" {
					return fmt.Errorf("must name a directory")
				}
				c.SpoolDir = v
				return nil
			}},
		{name: "PROMPTS_DIR",
			set: func(c *config, v string) error {
				if v == "" {
					return nil
				}
				p, err := flows.LoadPrompts(os.DirFS(v))
				if err != nil {
					return fmt.Errorf("%v (a folder holding vi.yaml and en.yaml, like flows/prompts)", err)
				}
				c.PromptsDir, c.Prompts = v, p
				return nil
			}},
		{name: "PROMPT_AUDIO_DIR",
			set: func(c *config, v string) error {
				if v == "" {
					return nil
				}
				if st, err := os.Stat(v); err != nil || !st.IsDir() {
					return fmt.Errorf("%q is not a folder (it holds vi/<prompt-id>.mp3 and en/<prompt-id>.mp3)", v)
				}
				c.PromptAudioDir = v // scanned against the prompts once PROMPTS_DIR is read
				return nil
			}},
		{name: "LOG_LEVEL", def: "info",
			set: func(c *config, v string) error {
				l, err := zerolog.ParseLevel(strings.ToLower(v))
				if err != nil || l == zerolog.NoLevel || strings.Trim(v, "-0123456789") == "" {
					return fmt.Errorf("%q is not one of trace, debug, info, warn, error, disabled", v)
				}
				c.LogLevel = l
				return nil
			}},
	}
}

// parseDays reads a duration in days ("365d") or as Go writes one ("720h").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*365 {
			return 0, fmt.Errorf("bad days %q", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// voiceVariable is a TWILIO_VOICE_* variable: a Twilio voice that speaks language (named
// for people as spoken), refused otherwise with hint; field is where it goes.
func voiceVariable(name, language, spoken, def, hint string, field func(*config) *string) variable {
	return variable{name: name, def: def, set: func(c *config, v string) error {
		if !tts.Speaks(v, language) {
			return fmt.Errorf("%q is not a Twilio voice that speaks %s (%s)%s", v, spoken, language, hint)
		}
		*field(c) = v
		return nil
	}}
}

var (
	twilioSID = regexp.MustCompile(`^AC[0-9A-Za-z]+$`)
	urlSafe   = regexp.MustCompile(`^[0-9A-Za-z._~-]*$`)
)

// ourNumber is the number people text and call: the caller id, else TWILIO_FROM when it is
// a phone number ("" with a messaging service and no caller id).
func (c config) ourNumber() string {
	if c.TwilioCallerID != "" || twilio.IsMessagingService(c.TwilioFrom) {
		return c.TwilioCallerID
	}
	return c.TwilioFrom
}

// accountNumbers are the Twilio account's phone numbers the configuration names: the fake
// Twilio of `caseline dev` accepts calls and SMS from those only, as Twilio would.
func (c config) accountNumbers() []string {
	var out []string
	for _, n := range []string{c.TwilioFrom, c.TwilioCallerID} {
		if n != "" && !twilio.IsMessagingService(n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// accountServices are the messaging services the configuration names.
func (c config) accountServices() []string {
	if twilio.IsMessagingService(c.TwilioFrom) {
		return []string{c.TwilioFrom}
	}
	return nil
}

// checkHTTPURL accepts an absolute http or https URL without a query or fragment.
func checkHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("not an absolute http(s) URL without a query (like https://caseline.example.org)")
	}
	return nil
}

// requiredBy lists the secrets command refuses to start without outside dev: serve checks
// every webhook with them, and a default secret would let anyone in.
func requiredBy(command string) []string {
	switch command {
	case "serve":
		return []string{"TWILIO_AUTH_TOKEN", "USSD_TOKEN", "ANDROID_GATEWAY_PASSWORD"}
	case "work":
		// The workers send through Twilio: without an account nothing would ever leave.
		return []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"}
	}
	return nil
}

// loadConfig reads every variable through getenv, applies the defaults (the dev ones under
// `caseline dev`), and checks each value and the secrets command needs. Every problem is
// reported, on one line.
func loadConfig(getenv func(string) string, command string) (config, error) {
	// The simulators talk to a dev gateway unless told otherwise, so they share its defaults.
	dev := command == "dev" || command == "phone" || command == "load"
	var c config
	var problems []string
	values := make(map[string]string)
	for _, v := range variables() {
		val := getenv(v.name)
		if val == "" && dev && v.devDef != "" {
			val = v.devDef
		}
		if val == "" {
			val = v.def
		}
		values[v.name] = val
		if err := v.set(&c, val); err != nil {
			problems = append(problems, v.name+": "+err.Error())
		}
	}
	if !dev {
		for _, name := range requiredBy(command) {
			if values[name] == "" {
				problems = append(problems, fmt.Sprintf("%s: required by %s (set it, or use `caseline dev` for development defaults)", name, command))
			}
		}
	}
	// A messaging service sends SMS but places no call: calls need a phone number as From.
	if (command == "work" || command == "dev") && twilio.IsMessagingService(c.TwilioFrom) && c.TwilioCallerID == "" {
		problems = append(problems, fmt.Sprintf("TWILIO_CALLER_ID: required by %s when TWILIO_FROM is a messaging service (MG…): calls need a phone number as their caller id", command))
	}
	if command == "serve" || command == "work" || command == "dev" {
		problems = append(problems, c.checkPrompts(command != "work")...)
	}
	if len(problems) > 0 {
		return config{}, usageError{strings.Join(problems, "; ")}
	}
	return c, nil
}

// maxPromptProblems is how many prompt problems a refusal to start names; `caseline prompts
// check` names them all.
const maxPromptProblems = 5

// checkPrompts applies flows.CheckPrompts to a PROMPTS_DIR override (the shipped prompts pass
// it in the tests) and, when the process answers calls (audio), scans PROMPT_AUDIO_DIR
// against the prompts: a service must not start with an SMS that no longer fits or a
// recording that would never be played.
func (c *config) checkPrompts(audio bool) []string {
	var problems []string
	name := func(variable string, list []flows.PromptProblem) {
		for i, p := range list {
			if i == maxPromptProblems {
				problems = append(problems, fmt.Sprintf("%s: and %d more (caseline prompts check)", variable, len(list)-i))
				break
			}
			problems = append(problems, variable+": prompt "+p.String())
		}
	}
	if c.Prompts != nil {
		name("PROMPTS_DIR", flows.CheckPrompts(c.Prompts, c.EmergencyNumbers))
	}
	if audio && c.PromptAudioDir != "" {
		a, list, err := flows.ScanPromptAudio(os.DirFS(c.PromptAudioDir), cmp.Or(c.Prompts, flows.ShippedPrompts()))
		if err != nil {
			return append(problems, "PROMPT_AUDIO_DIR: "+err.Error())
		}
		name("PROMPT_AUDIO_DIR", list)
		c.PromptAudio = a
	}
	return problems
}
