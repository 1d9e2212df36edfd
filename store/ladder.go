package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// ladderSQL lists who stands on the escalation ladder of case $1 (0 for none) in commune $2
// ("" when unknown), one row per rung, lowest first. It is the one place the ladder is
// decided: the turn that files a help request reads it to tell the caller who will get in
// touch, and the escalation worker reads it to tell them, so the words and the work agree.
//
// The commune's ladder (a case's commune wins over $2): first the case's manager, or, when
// they are inactive or there is no case, another active case manager of the commune (lowest
// id); then the supervisor (of the case's manager, else of that stand-in); then the commune's
// duty officer. When nobody can take the first rung, the on-call roster's first duty officer
// takes it, and the supervisor stays on the second. When the commune has nobody active at
// all, or is unknown, the roster's ladder: up to three active duty officers with no commune,
// in id order, one per rung. No rows at all means nobody can be told. The route is that of
// the first rung with someone on it.
const ladderSQL = `
WITH kase AS (SELECT manager_id, commune FROM care_case WHERE id = $1),
place AS (SELECT COALESCE((SELECT commune FROM kase), NULLIF($2::text, '')) AS code),
own AS (SELECT id, supervisor_id FROM case_manager WHERE id = (SELECT manager_id FROM kase)),
first AS (
  SELECT m.id, m.supervisor_id FROM case_manager m
  WHERE m.active AND (m.id = (SELECT id FROM own)
    OR (m.commune = (SELECT code FROM place) AND m.role = 'case_manager'))
  ORDER BY COALESCE(m.id = (SELECT id FROM own), false) DESC, m.id LIMIT 1),
sup AS (
  SELECT s.id FROM (VALUES (1, (SELECT supervisor_id FROM own)), (2, (SELECT supervisor_id FROM first))) v(pref, id)
  JOIN case_manager s ON s.id = v.id
  WHERE s.active ORDER BY v.pref LIMIT 1),
rung AS (
  SELECT 0 AS level, id FROM first
  UNION ALL
  SELECT 1, id FROM sup
  UNION ALL
  SELECT 2, d.id FROM commune c JOIN case_manager d ON d.id = c.duty_officer_id
  WHERE c.code = (SELECT code FROM place) AND d.active),
roster AS (
  SELECT (row_number() OVER (ORDER BY m.id) - 1)::int AS level, m.id FROM case_manager m
  WHERE m.commune IS NULL AND m.role = 'duty_officer' AND m.active
  ORDER BY m.id LIMIT 3),
ladder AS (
  SELECT 'commune' AS route, level, id FROM rung
  UNION ALL
  SELECT 'roster', level, id FROM roster
  WHERE NOT EXISTS (SELECT 1 FROM rung) OR (level = 0 AND NOT EXISTS (SELECT 1 FROM rung WHERE level = 0)))
SELECT l.route, l.level, m.id, m.name, m.phone, COALESCE(m.commune, ''), m.role, COALESCE(m.supervisor_id, 0),
       m.language, m.active
FROM ladder l JOIN case_manager m ON m.id = l.id
ORDER BY l.level`

// ladder is who stands on each rung of an escalation's ladder, and whose ladder it is.
type ladder struct {
	route care.EscalationRoute
	rungs [care.TopLevel + 1]*care.CaseManager
}

// first is the lowest rung with someone on it, nil when nobody is.
func (l *ladder) first() *care.CaseManager {
	for _, m := range l.rungs {
		if m != nil {
			return m
		}
	}
	return nil
}

// ladderArgs are ladderSQL's arguments.
func ladderArgs(c care.CaseID, commune care.CommuneCode) []any {
	return []any{int64(c), string(commune)}
}

// scanLadder reads ladderSQL's rows.
func scanLadder(rows pgx.Rows) (ladder, error) {
	defer rows.Close()
	var l ladder
	for rows.Next() {
		var (
			route string
			level int
			m     care.CaseManager
		)
		if err := rows.Scan(&route, &level, &m.ID, &m.Name, &m.Phone, &m.Commune, &m.Role, &m.SupervisorID,
			&m.Language, &m.Active); err != nil {
			return ladder{}, err
		}
		if level < 0 || level > int(care.TopLevel) {
			continue
		}
		if l.route == "" {
			l.route = care.EscalationRoute(route) // the lowest rung's: whoever is told first
		}
		l.rungs[level] = &m
	}
	return l, rows.Err()
}

// loadLadder reads the ladder of case c in commune (see ladderSQL).
func loadLadder(ctx context.Context, q db, c care.CaseID, commune care.CommuneCode) (ladder, error) {
	rows, err := q.Query(ctx, ladderSQL, ladderArgs(c, commune)...)
	if err != nil {
		return ladder{}, mapError(err, "load escalation ladder")
	}
	l, err := scanLadder(rows)
	if err != nil {
		return ladder{}, mapError(err, "load escalation ladder")
	}
	return l, nil
}
