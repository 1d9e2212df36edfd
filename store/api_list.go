package store

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// Lists page by keyset, never by offset: a cursor names the last row of the previous page,
// so rows written meanwhile neither repeat nor go missing, and a deep page costs what the
// first does. A cursor is opaque to clients: base64url of its key's parts.

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

// decodeCursor returns the n parts of cursor; "" is the first page (nil parts). Anything
// else malformed is a field error on "cursor".
func decodeCursor(cursor string, n int) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(b), "|")
	if err != nil || len(parts) != n {
		return nil, care.FieldError("cursor", "invalid cursor")
	}
	return parts, nil
}

// idCursor decodes a cursor holding one id; 0 for the first page.
func idCursor(cursor string) (int64, error) {
	parts, err := decodeCursor(cursor, 1)
	if err != nil || parts == nil {
		return 0, err
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, care.FieldError("cursor", "invalid cursor")
	}
	return id, nil
}

// limit is the page's size within the allowed range.
func limit(pg care.Page) int {
	switch {
	case pg.Limit <= 0:
		return care.DefaultPageLimit
	case pg.Limit > care.MaxPageLimit:
		return care.MaxPageLimit
	}
	return pg.Limit
}

// communeFilter turns a commune list into query arguments: whether every commune is
// allowed, and the list. "" in the list stands for records of no commune, which the
// on-call roster sees (help requests and escalations of callers who named none).
func communeFilter(cs []care.CommuneCode) (bool, []string) {
	if cs == nil {
		return true, []string{}
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return false, out
}

// collectPage reads at most n items of rows (the query asked for n+1) and the cursor of the
// next page, made from the last item by key.
func collectPage[T any](rows pgx.Rows, n int, scan func(pgx.Row) (T, error), key func(T) string) ([]T, string, error) {
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, "", err
	}
	if len(out) <= n {
		return out, "", nil
	}
	out = out[:n]
	return out, key(out[n-1]), nil
}

// ListPersons returns people of the filter's communes by id.
func (s *Store) ListPersons(ctx context.Context, f care.PersonFilter, pg care.Page) ([]*care.Person, string, error) {
	after, err := idCursor(pg.Cursor)
	if err != nil {
		return nil, "", mapError(err, "list persons")
	}
	n := limit(pg)
	all, communes := communeFilter(f.Communes)
	name, digits := personQuery(f.Query)
	rows, err := s.pool.Query(ctx, `
		SELECT `+personColumns+` FROM person
		WHERE ($1 OR commune = ANY($2)) AND id > $3
		  AND `+personMatches("", "$5", "$6")+`
		ORDER BY id LIMIT $4`, all, communes, after, n+1, name, digits)
	if err != nil {
		return nil, "", mapError(err, "list persons")
	}
	out, next, err := collectPage(rows, n, scanPerson, func(p *care.Person) string {
		return encodeCursor(strconv.FormatInt(int64(p.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list persons")
	}
	return out, next, nil
}

// personMatches is the SQL test of a people search, the API's and the console's alike, on
// the person columns of alias t ("" or "p."): the name without diacritics (name_plain,
// migration 00025) contains name, or the phone contains digits (both from personQuery).
// The arguments are the placeholders of name and digits.
func personMatches(t, name, digits string) string {
	return "(" + name + " = '' OR " + t + "name_plain LIKE '%' || " + name + " || '%'" +
		" OR (" + digits + " <> '' AND " + t + "phone LIKE '%' || " + digits + " || '%'))"
}

// personQuery is a people search as the store compares it: the name part lower case without
// diacritics (LIKE's wildcards escaped), and the digits of a phone number, its leading 0
// or 84 dropped so "0912 345" and "+84912345" find the same people. A query of fewer than
// three digits looks for no phone: it would match almost every number.
func personQuery(q string) (name, digits string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", ""
	}
	name = strings.ToLower(strings.Join(strings.Fields(stripAccents(q)), " "))
	name = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(name)
	var b strings.Builder
	for _, r := range q {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	digits = b.String()
	switch {
	case strings.HasPrefix(digits, "84") && len(digits) > 9:
		digits = digits[2:]
	case strings.HasPrefix(digits, "0"):
		digits = digits[1:]
	}
	if len(digits) < 3 {
		digits = ""
	}
	return name, digits
}

// ListMessages returns the person's message log, newest first.
func (s *Store) ListMessages(ctx context.Context, id care.PersonID, pg care.Page) ([]*care.Message, string, error) {
	before, err := idCursor(pg.Cursor)
	if err != nil {
		return nil, "", mapError(err, "list messages of person %d", id)
	}
	n := limit(pg)
	rows, err := s.pool.Query(ctx, `
		SELECT `+messageColumns+` FROM message
		WHERE person_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, int64(id), before, n+1)
	if err != nil {
		return nil, "", mapError(err, "list messages of person %d", id)
	}
	out, next, err := collectPage(rows, n, scanMessage, func(m *care.Message) string {
		return encodeCursor(strconv.FormatInt(int64(m.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list messages of person %d", id)
	}
	return out, next, nil
}

// helpColumns is what scanHelp reads, in helpDest's order.
const helpColumns = `id, COALESCE(person_id, 0), phone, COALESCE(commune, ''), category, description, in_danger,
	channel, status, unfinished, created_at`

// helpDest returns scan targets for helpColumns into h.
func helpDest(h *care.HelpRequest) []any {
	return []any{&h.ID, &h.PersonID, &h.Phone, &h.Commune, &h.Category, &h.Description, &h.InDanger,
		&h.Channel, &h.Status, &h.Unfinished, &h.CreatedAt}
}

func scanHelp(row pgx.Row) (*care.HelpRequest, error) {
	var h care.HelpRequest
	err := row.Scan(helpDest(&h)...)
	h.CreatedAt = h.CreatedAt.UTC()
	return &h, err
}

// ListHelpRequests returns help requests of the filter's communes, oldest first: the queue
// to work through. Requests of an unknown commune are listed when every commune is, or ""
// is in the filter (the on-call roster's).
func (s *Store) ListHelpRequests(ctx context.Context, f care.HelpFilter, pg care.Page) ([]*care.HelpRequest, string, error) {
	after, err := idCursor(pg.Cursor)
	if err != nil {
		return nil, "", mapError(err, "list help requests")
	}
	n := limit(pg)
	all, communes := communeFilter(f.Communes)
	rows, err := s.pool.Query(ctx, `
		SELECT `+helpColumns+` FROM help_request
		WHERE ($1 OR commune = ANY($2) OR (commune IS NULL AND '' = ANY($2))) AND ($3 = '' OR status = $3) AND id > $4
		ORDER BY id LIMIT $5`, all, communes, string(f.Status), after, n+1)
	if err != nil {
		return nil, "", mapError(err, "list help requests")
	}
	out, next, err := collectPage(rows, n, scanHelp, func(h *care.HelpRequest) string {
		return encodeCursor(strconv.FormatInt(int64(h.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list help requests")
	}
	return out, next, nil
}

// ListEscalations returns escalations of the filter's communes (open ones unless the filter
// says otherwise) by SLA: the soonest to climb first, those that will not climb last, urgent
// before normal, then oldest first.
func (s *Store) ListEscalations(ctx context.Context, f care.EscalationFilter, pg care.Page) ([]*care.Escalation, string, error) {
	key := []string{"-infinity", "false", "0"}
	parts, err := decodeCursor(pg.Cursor, 3)
	if err != nil {
		return nil, "", mapError(err, "list escalations")
	}
	if parts != nil {
		if _, err := strconv.ParseInt(parts[2], 10, 64); err != nil || (parts[1] != "true" && parts[1] != "false") {
			return nil, "", mapError(care.FieldError("cursor", "invalid cursor"), "list escalations")
		}
		if _, err := time.Parse(time.RFC3339Nano, parts[0]); err != nil && parts[0] != "infinity" {
			return nil, "", mapError(care.FieldError("cursor", "invalid cursor"), "list escalations")
		}
		key = parts
	}
	status := f.Status
	if status == "" {
		status = care.EscalationOpen
	}
	n := limit(pg)
	all, communes := communeFilter(f.Communes)
	rows, err := s.pool.Query(ctx, `
		SELECT `+escalationColumns+` FROM escalation
		WHERE ($1 OR commune = ANY($2) OR (commune IS NULL AND '' = ANY($2))) AND status = $3
			AND (COALESCE(next_level_at, 'infinity'), NOT urgent, id) > ($4::text::timestamptz, $5::text::boolean, $6::text::bigint)
		ORDER BY COALESCE(next_level_at, 'infinity'), NOT urgent, id LIMIT $7`,
		all, communes, string(status), key[0], key[1], key[2], n+1)
	if err != nil {
		return nil, "", mapError(err, "list escalations")
	}
	out, next, err := collectPage(rows, n, scanEscalation, func(e *care.Escalation) string {
		at := "infinity"
		if e.NextLevelAt != nil {
			at = e.NextLevelAt.Format(time.RFC3339Nano)
		}
		return encodeCursor(at, strconv.FormatBool(!e.Urgent), strconv.FormatInt(int64(e.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list escalations")
	}
	return out, next, nil
}

// ListSchedules returns the case's check-in schedules, inactive ones included, by id.
func (s *Store) ListSchedules(ctx context.Context, id care.CaseID, pg care.Page) ([]*care.CheckInSchedule, string, error) {
	after, err := idCursor(pg.Cursor)
	if err != nil {
		return nil, "", mapError(err, "list schedules of case %d", id)
	}
	n := limit(pg)
	rows, err := s.pool.Query(ctx, `
		SELECT `+scheduleColumns+` FROM checkin_schedule WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		int64(id), after, n+1)
	if err != nil {
		return nil, "", mapError(err, "list schedules of case %d", id)
	}
	out, next, err := collectPage(rows, n, scanSchedule, func(sc *care.CheckInSchedule) string {
		return encodeCursor(strconv.FormatInt(int64(sc.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list schedules of case %d", id)
	}
	return out, next, nil
}

// scheduleColumns is what scanSchedule reads, in its order.
const scheduleColumns = `id, case_id, weekday, minute_of_day, window_minutes, active, created_at`

func scanSchedule(row pgx.Row) (*care.CheckInSchedule, error) {
	var sc care.CheckInSchedule
	var weekday int16
	var minute, window int32
	err := row.Scan(&sc.ID, &sc.CaseID, &weekday, &minute, &window, &sc.Active, &sc.CreatedAt)
	sc.Weekday, sc.Minute, sc.Window = time.Weekday(weekday), int(minute), time.Duration(window)*time.Minute
	sc.CreatedAt = sc.CreatedAt.UTC()
	return &sc, err
}

// ListCheckIns returns the check-ins of a person or a case, with their answers, newest due
// first.
func (s *Store) ListCheckIns(ctx context.Context, f care.CheckInFilter, pg care.Page) ([]*care.CheckIn, string, error) {
	before, err := idCursor(pg.Cursor)
	if err != nil {
		return nil, "", mapError(err, "list check-ins")
	}
	n := limit(pg)
	// Ordered by id, which follows due time within a schedule and is unique, so a page
	// never repeats or skips a row.
	rows, err := s.pool.Query(ctx, `
		SELECT `+checkInColumns+` FROM checkin
		WHERE (($1::bigint > 0 AND person_id = $1) OR ($2::bigint > 0 AND case_id = $2))
		  AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4`, int64(f.PersonID), int64(f.CaseID), before, n+1)
	if err != nil {
		return nil, "", mapError(err, "list check-ins")
	}
	out, next, err := collectPage(rows, n, scanCheckIn, func(c *care.CheckIn) string {
		return encodeCursor(strconv.FormatInt(int64(c.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list check-ins")
	}
	return out, next, nil
}
