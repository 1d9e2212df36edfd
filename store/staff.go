package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// CreateCommune stores c; a code already used is ECONFLICT.
func (s *Store) CreateCommune(ctx context.Context, c *care.Commune) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO commune (code, name, province, duty_officer_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		string(c.Code), c.Name, c.Province, nullID(c.DutyOfficerID), s.now())
	if err != nil {
		return mapError(err, "create commune %s", c.Code)
	}
	return nil
}

// Commune returns the commune with code.
func (s *Store) Commune(ctx context.Context, code care.CommuneCode) (*care.Commune, error) {
	var c care.Commune
	err := s.pool.QueryRow(ctx, `
		SELECT code, name, province, COALESCE(duty_officer_id, 0) FROM commune WHERE code = $1`, string(code),
	).Scan(&c.Code, &c.Name, &c.Province, &c.DutyOfficerID)
	if err != nil {
		return nil, mapError(err, "load commune %s", code)
	}
	return &c, nil
}

// SetDutyOfficer makes manager id the commune's duty officer; 0 clears it.
func (s *Store) SetDutyOfficer(ctx context.Context, code care.CommuneCode, id care.ManagerID) error {
	tag, err := s.pool.Exec(ctx, `UPDATE commune SET duty_officer_id = $2 WHERE code = $1`, string(code), nullID(id))
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound()
	}
	if err != nil {
		return mapError(err, "set duty officer of commune %s", code)
	}
	return nil
}

// managerColumns is what scanManager reads, in its order.
const managerColumns = `id, name, phone, COALESCE(commune, ''), role, COALESCE(supervisor_id, 0), language, active`

func scanManager(row pgx.Row) (*care.CaseManager, error) {
	var m care.CaseManager
	if err := row.Scan(&m.ID, &m.Name, &m.Phone, &m.Commune, &m.Role, &m.SupervisorID, &m.Language, &m.Active); err != nil {
		return nil, err
	}
	return &m, nil
}

// CreateManager stores m and sets its ID; a phone already used by staff is ECONFLICT. An
// empty language is Vietnamese. An empty commune puts a duty officer on the service-wide
// on-call roster; any other role needs a commune (EINVALID).
func (s *Store) CreateManager(ctx context.Context, m *care.CaseManager) error {
	if !m.Role.Valid() {
		return mapError(care.FieldError("role", "unknown role %q", m.Role), "create manager")
	}
	if m.Language == "" {
		m.Language = care.Vietnamese
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO case_manager (name, phone, commune, role, supervisor_id, language, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id`,
		m.Name, m.Phone.E164(), nullText(m.Commune), string(m.Role), nullID(m.SupervisorID),
		string(m.Language), m.Active, s.now(),
	).Scan(&m.ID)
	if err != nil {
		return mapError(err, "create manager")
	}
	return nil
}

// Manager returns the staff member with id.
func (s *Store) Manager(ctx context.Context, id care.ManagerID) (*care.CaseManager, error) {
	m, err := scanManager(s.pool.QueryRow(ctx, `SELECT `+managerColumns+` FROM case_manager WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load manager %d", id)
	}
	return m, nil
}

// ManagerByPhone returns the staff member whose phone is phone.
func (s *Store) ManagerByPhone(ctx context.Context, phone care.Phone) (*care.CaseManager, error) {
	m, err := scanManager(s.pool.QueryRow(ctx, `SELECT `+managerColumns+` FROM case_manager WHERE phone = $1`, phone.E164()))
	if err != nil {
		return nil, mapError(err, "load manager by phone %s", phone)
	}
	return m, nil
}

// CommuneCaseManager returns the commune's active case manager (role case_manager) with the
// fewest open cases, the lowest id among equals; ENOTFOUND when the commune has none.
func (s *Store) CommuneCaseManager(ctx context.Context, code care.CommuneCode) (*care.CaseManager, error) {
	m, err := scanManager(s.pool.QueryRow(ctx, `
		SELECT `+managerColumns+` FROM case_manager m
		WHERE m.commune = $1 AND m.role = 'case_manager' AND m.active
		ORDER BY (SELECT count(*) FROM care_case c WHERE c.manager_id = m.id AND c.step <> 'closed'), m.id
		LIMIT 1`, string(code)))
	if err != nil {
		return nil, mapError(err, "find case manager of commune %s", code)
	}
	return m, nil
}
