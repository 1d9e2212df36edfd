package care

import (
	"slices"
	"strings"
)

// DefaultRoutes sends every SMS through Twilio.
const DefaultRoutes = "*=twilio"

// Routes picks the provider for outbound SMS by the destination's E.164 prefix: the longest
// matching prefix wins, "*" matches every number. It implements Router; build it with
// ParseRoutes. The zero value routes everything through Twilio.
type Routes struct {
	rules []route // longest prefix first
	def   Provider
}

type route struct {
	prefix   string
	provider Provider
}

var _ Router = Routes{}

// ParseRoutes reads a routing spec such as "+84=android,*=twilio": comma-separated
// prefix=provider pairs, where a prefix is "+" and one to fifteen digits or "*" for every
// other number. Without a "*" rule, other numbers go through Twilio; an empty spec is
// DefaultRoutes. Only SMS providers (twilio, android) may be named. Anything else, or a prefix
// given twice, is EINVALID.
func ParseRoutes(spec string) (Routes, error) {
	if strings.TrimSpace(spec) == "" {
		spec = DefaultRoutes
	}
	r := Routes{def: ProviderTwilio}
	seen := map[string]bool{}
	for item := range strings.SplitSeq(spec, ",") {
		prefix, name, ok := strings.Cut(strings.TrimSpace(item), "=")
		prefix, name = strings.TrimSpace(prefix), strings.TrimSpace(name)
		if !ok || prefix == "" || name == "" {
			return Routes{}, FieldError("routes", "route %q is not prefix=provider", strings.TrimSpace(item))
		}
		p := Provider(strings.ToLower(name))
		if p != ProviderTwilio && p != ProviderAndroid {
			return Routes{}, FieldError("routes", "provider %q cannot send SMS (twilio or android)", name)
		}
		if prefix != "*" && !validPrefix(prefix) {
			return Routes{}, FieldError("routes", "prefix %q is not + and 1 to 15 digits", prefix)
		}
		if seen[prefix] {
			return Routes{}, FieldError("routes", "prefix %q is routed twice", prefix)
		}
		seen[prefix] = true
		if prefix == "*" {
			r.def = p
			continue
		}
		r.rules = append(r.rules, route{prefix: prefix, provider: p})
	}
	slices.SortFunc(r.rules, func(a, b route) int { return len(b.prefix) - len(a.prefix) })
	return r, nil
}

// validPrefix reports whether s is "+" and one to fifteen digits.
func validPrefix(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) == 0 || len(digits) > 15 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Route returns the provider for the longest prefix of to's E.164 form, or the default.
func (r Routes) Route(to Phone) Provider {
	for _, rt := range r.rules {
		if strings.HasPrefix(to.E164(), rt.prefix) {
			return rt.provider
		}
	}
	if r.def == "" {
		return ProviderTwilio
	}
	return r.def
}

// String gives the routes back as a spec, longest prefix first, for logs and checks.
func (r Routes) String() string {
	parts := make([]string, 0, len(r.rules)+1)
	for _, rt := range r.rules {
		parts = append(parts, rt.prefix+"="+string(rt.provider))
	}
	def := r.def
	if def == "" {
		def = ProviderTwilio
	}
	return strings.Join(append(parts, "*="+string(def)), ",")
}
