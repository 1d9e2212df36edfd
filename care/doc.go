// Package care is Caseline's domain: the people with disabilities we serve, their case
// managers, and the case-management process of Circular 01/2015/TT-BLĐTBXH (assess, plan,
// implement, monitor, evaluate). It also names the interfaces its users need (stores, a
// sender, a clock) and the small closed set of error codes mapped to responses in one place.
//
// care knows nothing of HTTP, SQL or Redis. Besides the standard library it imports only two
// pure libraries the domain itself calls for: looplab/fsm, which runs the case life cycle, and
// nyaruka/phonenumbers, which validates phone numbers. A test keeps that list closed.
package care
