package store

// The translate() table of commune names, for a test against the engine's stripping.
const (
	TurnAccents = turnAccents
	TurnPlain   = turnPlain
)
