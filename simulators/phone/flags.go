package phone

import "flag"

// RegisterFlags defines command-line flags on fs that set o's fields, with o's current values
// as their defaults, so a command can start from values read from the environment.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.BaseURL, "url", o.BaseURL, "where the service listens, e.g. http://127.0.0.1:8080")
	fs.StringVar(&o.PublicBaseURL, "public-url", o.PublicBaseURL, "the gateway's PUBLIC_BASE_URL, when it differs from -url: signatures are computed for it")
	fs.StringVar(&o.AuthToken, "auth-token", o.AuthToken, "Twilio auth token that signs requests")
	fs.StringVar(&o.AccountSID, "account-sid", o.AccountSID, "Twilio account SID sent as AccountSid")
	fs.StringVar(&o.Number, "from", o.Number, "this phone's number")
	fs.StringVar(&o.To, "to", o.To, "the service's Twilio number")
	fs.StringVar(&o.USSDToken, "ussd-token", o.USSDToken, "token on the USSD callback URL")
	fs.StringVar(&o.NetworkCode, "network-code", o.NetworkCode, "USSD networkCode (MCC+MNC)")
}
