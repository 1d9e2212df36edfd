package store

import (
	"context"

	"github.com/caseline/caseline/care"
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
