// Package console is the staff web console at /console/: sign-in by a one-time code sent by
// SMS, the inbox of escalations and help requests, people and their cases, the approver's
// queue, and the monthly commune report.
//
// Pages are rendered on the server with html/template (templates/), in Vietnamese unless
// the staff member chose English (text.go). The one script (static/console.js) only
// refreshes the inbox; every page works without it. Content-Security-Policy allows no
// inline script or style.
//
// Every write goes through the same care.APIStore method the JSON API calls, with the same
// scoping (a record of a commune the staff member does not see is 404) and the same audit
// entry. Forms carry a token derived from the session (care.SessionCSRF); a POST without it
// is 403.
package console
