// Package api is the case-manager JSON API under /api/v1: people, cases through the five
// steps of Circular 01/2015, assessments, support plans and their approval, appointments,
// check-in schedules, help requests, escalations and a person's message history.
//
// Every request but the OpenAPI document carries a staff member's bearer token (only its
// SHA-256 is stored; see store.CreateAPIToken). A staff member sees the records of their own
// commune, a supervisor those of their team's communes, an admin all; a record of another
// commune answers 404, so its existence does not leak. Every write goes through a store
// method that records the audit entry in the same transaction as the change.
//
// Errors are JSON, {"error": code, "message": ..., "fields": {...}}, mapped from care's error
// codes in respond.go and nowhere else.
package api
