package loadgen

import (
	"flag"
	"strings"
)

// RegisterFlags defines command-line flags on fs that set o's fields, with o's current values
// as their defaults, so a command can start from values read from the environment.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.BaseURL, "url", o.BaseURL, "where the service listens, e.g. http://127.0.0.1:8080")
	fs.BoolVar(&o.AllowRemote, "allow-remote", o.AllowRemote, "allow a -url that is not a loopback address")
	fs.StringVar(&o.PublicBaseURL, "public-url", o.PublicBaseURL, "the gateway's PUBLIC_BASE_URL, when it differs from -url: signatures are computed for it")
	fs.StringVar(&o.AuthToken, "auth-token", o.AuthToken, "Twilio auth token that signs requests")
	fs.StringVar(&o.AccountSID, "account-sid", o.AccountSID, "Twilio account SID sent as AccountSid")
	fs.StringVar(&o.To, "to", o.To, "the service's Twilio number")
	fs.StringVar(&o.USSDToken, "ussd-token", o.USSDToken, "token on the USSD callback URL")
	fs.StringVar(&o.ServiceCode, "service-code", o.ServiceCode, "USSD code dialled")
	fs.StringVar(&o.NetworkCode, "network-code", o.NetworkCode, "USSD networkCode (MCC+MNC)")
	fs.IntVar(&o.Workers, "workers", o.Workers, "closed loop: concurrent senders, each waiting for its answer")
	fs.Float64Var(&o.Rate, "rate", o.Rate, "open loop: jobs started per second (0 runs the closed loop)")
	fs.IntVar(&o.MaxInFlight, "max-inflight", o.MaxInFlight, "open loop: most unanswered jobs; more are dropped")
	fs.IntVar(&o.Count, "count", o.Count, "jobs to run: an SMS or a whole USSD session each (0: until -duration)")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "longest the run may take (0: until -count)")
	fs.Float64Var(&o.USSDShare, "ussd-share", o.USSDShare, "share of jobs, 0 to 1, that are USSD sessions")
	fs.Func("ussd-inputs", "comma-separated inputs a USSD session types after dialling, one hop each (default 1)", func(s string) error {
		o.USSDInputs = strings.Split(s, ",")
		return nil
	})
	fs.Func("body", "an SMS text; repeat for several, used in turn (default MENU)", func(s string) error {
		o.Bodies = append(o.Bodies, s)
		return nil
	})
	fs.IntVar(&o.Phones, "phones", o.Phones, "size of the pool of distinct numbers +8490xxxxxxx")
	fs.BoolVar(&o.SharePhones, "share-phones", o.SharePhones, "let concurrent requests share numbers when -phones is below the concurrency")
	fs.DurationVar(&o.RequestTimeout, "timeout", o.RequestTimeout, "longest wait for one answer")
}
