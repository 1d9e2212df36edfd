// Package loadgen loads Caseline the way its providers do when many phones write at once:
// signed Twilio SMS webhooks (POST /twilio/sms) and Africa's Talking USSD sessions of
// several hops (POST /ussd/africastalking?token=…), from a pool of distinct numbers, and
// reports throughput, latency percentiles and errors by kind.
//
// Run works in a closed loop (Workers senders, each waiting for its answer before sending
// again: the service's capacity at that concurrency) or an open loop (jobs start at Rate per
// second whatever the service does, with at most MaxInFlight unanswered: how it holds a given
// arrival rate). Every run is bounded by a job count, a duration or both and stops by itself;
// it only sends to the base URL it is given, which must be a loopback address unless
// AllowRemote is set. A job is one SMS or one whole USSD session; latency is per request.
//
// The generator keeps out of the measurement's way: one HTTP client with enough idle
// connections for the concurrency, USSD bodies built from pre-escaped parts, one SMS form
// per worker whose values change (signed by phone.Sign, the simulators' one signer), and a
// lock-free log-linear histogram (≤ 0.8 % error) for latencies.
package loadgen
