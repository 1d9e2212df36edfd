package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// CreateHelpRequest stores h and sets its ID and CreatedAt; an empty status is open. A zero
// PersonID (an unregistered caller) and an empty commune are stored as unknown.
func (s *Store) CreateHelpRequest(ctx context.Context, h *care.HelpRequest) error {
	if h.Status == "" {
		h.Status = care.HelpOpen
	}
	now := s.now()
	err := s.pool.QueryRow(ctx, `
		INSERT INTO help_request (person_id, phone, commune, category, description, in_danger, channel, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`,
		nullID(h.PersonID), h.Phone.E164(), nullText(h.Commune), string(h.Category), h.Description,
		h.InDanger, string(h.Channel), string(h.Status), now,
	).Scan(&h.ID)
	if err != nil {
		return mapError(err, "create help request")
	}
	h.CreatedAt = now
	return nil
}

// HelpRequest returns the help request with id.
func (s *Store) HelpRequest(ctx context.Context, id care.HelpRequestID) (*care.HelpRequest, error) {
	h, err := scanHelp(s.pool.QueryRow(ctx, `SELECT `+helpColumns+` FROM help_request WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load help request %d", id)
	}
	return h, nil
}

// FileHelp files r outside a dialog turn, as a turn's RequestHelp does, once per origin: a
// second call with the same origin writes nothing and returns false. A request without a
// person is filed for the person registered with r.Phone, if any, with their open case and
// commune.
func (s *Store) FileHelp(ctx context.Context, r flows.HelpFiling, origin string) (bool, error) {
	if origin == "" {
		return false, mapError(care.FieldError("origin", "is required"), "file help")
	}
	if r.PersonID == 0 {
		var (
			pid, cid *int64
			commune  *string
		)
		err := s.pool.QueryRow(ctx, `
			SELECT p.id, p.commune, c.id FROM person p
			LEFT JOIN care_case c ON c.person_id = p.id AND c.step <> 'closed'
			WHERE p.phone = $1`, r.Phone).Scan(&pid, &commune, &cid)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return false, mapError(err, "file help: find person")
		}
		if pid != nil {
			r.PersonID, r.Commune = care.PersonID(*pid), care.CommuneCode(*commune)
		}
		if cid != nil {
			r.CaseID = care.CaseID(*cid)
		}
	}
	_, filed, err := requestHelp(ctx, s.pool, r, origin)
	return filed, err
}
