// Package gateway is Caseline's HTTP surface. routes.go lists every route the service
// answers; middleware.go wraps them all (request id, access log, panic recovery, body limit);
// respond.go is the one place a care error code becomes an HTTP status; health.go answers
// the liveness and readiness probes.
//
// The channel protocols (Twilio, USSD, the Android SIM gateway, the case-manager API) live
// in subpackages. They may import gateway for Error and JSON; gateway never imports them.
// Their handlers reach routes.go through Deps, built by cmd/caseline.
package gateway
