package flows

// InHelp reports whether a dialog session's stored flow is the get-help flow: a caller cut
// off there is called back (see gateway/spool).
func InHelp(flow string) bool { return flowName(flow) == flowHelp }

// DialogKey is the dialog session key of an input: the aggregator's session id for USSD, the
// phone number otherwise.
func (in Input) DialogKey() string {
	if in.SessionKey != "" {
		return in.SessionKey
	}
	return string(in.Phone)
}
