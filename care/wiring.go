package care

// WiringError reports a component built without what it needs, or with a setting it cannot
// use: a mistake of the process that builds it, not of any request. Constructors in the
// gateway and the workers return it as an error (never a panic), so the process fails
// before it serves anything. It lives in the domain because both may import care and
// neither may import the other.
type WiringError struct {
	Part    string // "twilio handlers", "api handler", "workers"…
	Problem string
}

// Error says which part and what is wrong.
func (e *WiringError) Error() string { return e.Part + ": " + e.Problem }

// Wiring returns a *WiringError for part.
func Wiring(part, problem string) error { return &WiringError{Part: part, Problem: problem} }
