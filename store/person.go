package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// personColumns is what scanPerson reads, in its order; nullable columns come back as zero values.
const personColumns = `id, phone, name, commune, language, profile, channel, diacritics, consent_at,
	caregiver_name, COALESCE(caregiver_phone, ''), caregiver_consent, COALESCE(registered_by, ''),
	COALESCE(pin_hash, ''), status, sms_unreachable_at, created_at, updated_at,
	registered_relation, pin_failures, pin_locked_until, COALESCE(sex, ''), COALESCE(birth_year, 0),
	COALESCE(disability_type, ''), COALESCE(disability_degree, '')`

func scanPerson(row pgx.Row) (*care.Person, error) {
	var p care.Person
	dest, done := personDest(&p)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	done()
	return &p, nil
}

// personDest returns the scan targets of personColumns into p, for a query that reads more
// columns after them, and what to call once the row is scanned.
func personDest(p *care.Person) ([]any, func()) {
	var profile []string
	var failures, birthYear int32
	dest := []any{&p.ID, &p.Phone, &p.Name, &p.Commune, &p.Language, &profile, &p.Channel, &p.Diacritics,
		&p.ConsentAt, &p.CaregiverName, &p.CaregiverPhone, &p.CaregiverConsent, &p.RegisteredBy,
		&p.PINHash, &p.Status, &p.SMSUnreachableAt, &p.CreatedAt, &p.UpdatedAt,
		&p.RegisteredRelation, &failures, &p.PINLockedUntil, &p.Sex, &birthYear, &p.DisabilityType, &p.DisabilityDegree}
	return dest, func() {
		p.PINFailures, p.BirthYear = int(failures), int(birthYear)
		p.PINLockedUntil = utc(p.PINLockedUntil)
		p.Profile = make([]care.Disability, len(profile))
		for i, d := range profile {
			p.Profile[i] = care.Disability(d)
		}
		p.ConsentAt, p.SMSUnreachableAt = utc(p.ConsentAt), utc(p.SMSUnreachableAt)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	}
}

func profileText(p []care.Disability) []string {
	out := make([]string, len(p))
	for i, d := range p {
		out[i] = string(d)
	}
	return out
}

// CreatePerson stores p and sets its ID and timestamps; a phone already registered is ECONFLICT.
func (s *Store) CreatePerson(ctx context.Context, p *care.Person) error {
	if err := readyPerson(p); err != nil {
		return mapError(err, "create person")
	}
	now := s.now()
	if err := insertPerson(ctx, s.pool, p, now); err != nil {
		return mapError(err, "create person")
	}
	p.CreatedAt, p.UpdatedAt = now, now
	return nil
}

// readyPerson validates p before it is written and gives it the empty profile a read gives
// back for none.
func readyPerson(p *care.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Profile == nil {
		p.Profile = []care.Disability{} // as a read gives it back
	}
	return nil
}

// personSQL writes a person, its arguments personArgs: the one INSERT of a person,
// CreatePerson's and CreatePersonAs's (insertPerson) and a turn's registration, which adds
// its ON CONFLICT.
const personSQL = `
		INSERT INTO person (phone, name, commune, language, profile, channel, diacritics, consent_at,
			caregiver_name, caregiver_phone, caregiver_consent, registered_by, pin_hash, status,
			created_at, updated_at, registered_relation, pin_failures, pin_locked_until,
			sex, birth_year, disability_type, disability_degree)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20, $21, $22)`

// personArgs are personSQL's arguments for p, created at now: $3 is the commune, $15 now.
func personArgs(p *care.Person, now time.Time) []any {
	return []any{p.Phone.E164(), p.Name, string(p.Commune), string(p.Language), profileText(p.Profile),
		string(p.Channel), p.Diacritics, p.ConsentAt, p.CaregiverName, nullText(p.CaregiverPhone.E164()),
		p.CaregiverConsent, nullText(p.RegisteredBy.E164()), nullText(p.PINHash), string(p.Status), now,
		string(p.RegisteredRelation), int32(p.PINFailures), p.PINLockedUntil,
		nullText(p.Sex), nullYear(p.BirthYear), nullText(p.DisabilityType), nullText(p.DisabilityDegree)}
}

// insertPerson inserts p, created at now, through q and sets its ID. CreatePerson and
// CreatePersonAs share it; errors come back unmapped.
func insertPerson(ctx context.Context, q db, p *care.Person, now time.Time) error {
	return q.QueryRow(ctx, personSQL+` RETURNING id`, personArgs(p, now)...).Scan(&p.ID)
}

// Person returns the person with id.
func (s *Store) Person(ctx context.Context, id care.PersonID) (*care.Person, error) {
	p, err := scanPerson(s.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load person %d", id)
	}
	return p, nil
}

// updatePerson saves every field of p but ID, CreatedAt and SMSUnreachableAt through q,
// updated at now, and reads SMSUnreachableAt back (cleared by a new phone number); ENOTFOUND
// when there is no such person. ChangePersonAs's core; errors come back unmapped.
func updatePerson(ctx context.Context, q db, p *care.Person, now time.Time) error {
	err := q.QueryRow(ctx, `
		UPDATE person SET phone = $2, name = $3, commune = $4, language = $5, profile = $6, channel = $7,
			diacritics = $8, consent_at = $9, caregiver_name = $10, caregiver_phone = $11,
			caregiver_consent = $12, registered_by = $13, pin_hash = $14, status = $15, updated_at = $16,
			registered_relation = $17, pin_failures = $18, pin_locked_until = $19,
			sex = $20, birth_year = $21, disability_type = $22, disability_degree = $23,
			sms_failures = CASE WHEN phone = $2 THEN sms_failures ELSE 0 END,
			sms_unreachable_at = CASE WHEN phone = $2 THEN sms_unreachable_at END
		WHERE id = $1
		RETURNING sms_unreachable_at`,
		int64(p.ID), p.Phone.E164(), p.Name, string(p.Commune), string(p.Language), profileText(p.Profile),
		string(p.Channel), p.Diacritics, p.ConsentAt, p.CaregiverName, nullText(p.CaregiverPhone.E164()),
		p.CaregiverConsent, nullText(p.RegisteredBy.E164()), nullText(p.PINHash), string(p.Status), now,
		string(p.RegisteredRelation), int32(p.PINFailures), p.PINLockedUntil,
		nullText(p.Sex), nullYear(p.BirthYear), nullText(p.DisabilityType), nullText(p.DisabilityDegree),
	).Scan(&p.SMSUnreachableAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound()
	}
	p.SMSUnreachableAt = utc(p.SMSUnreachableAt)
	return err
}

// nullYear is a nullable year of birth: nil for 0 (unknown).
func nullYear(y int) *int32 {
	if y == 0 {
		return nil
	}
	v := int32(y)
	return &v
}
