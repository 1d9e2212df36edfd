-- +goose Up
-- Issue 14, part B. The person record gains what the Law on Persons with Disabilities 2010
-- classifies (type and degree of disability) and what the mission's priority for women and
-- children needs (sex, year of birth): all optional, set only by staff. Wrong PINs are
-- counted here, not in a dialog session, so a lockout holds across every channel. A person
-- registered by someone else keeps how that someone is related to them (never their number
-- in what the person is told).
ALTER TABLE person
    ADD COLUMN sex text CHECK (sex IN ('female', 'male')),
    ADD COLUMN birth_year int CHECK (birth_year BETWEEN 1900 AND 2200),
    ADD COLUMN disability_type text CHECK (disability_type IN
        ('mobility', 'hearing_speech', 'vision', 'psychosocial', 'intellectual', 'other')),
    ADD COLUMN disability_degree text CHECK (disability_degree IN ('especially_severe', 'severe', 'mild')),
    ADD COLUMN pin_failures int NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
    ADD COLUMN pin_locked_until timestamptz,
    ADD COLUMN registered_relation text NOT NULL DEFAULT '';

-- A caregiver's reply to a check-in is looked up by the caregiver's number on every turn.
CREATE INDEX person_caregiver_phone ON person (caregiver_phone) WHERE caregiver_consent;

-- +goose Down
DROP INDEX person_caregiver_phone;
ALTER TABLE person
    DROP COLUMN registered_relation,
    DROP COLUMN pin_locked_until,
    DROP COLUMN pin_failures,
    DROP COLUMN disability_degree,
    DROP COLUMN disability_type,
    DROP COLUMN birth_year,
    DROP COLUMN sex;
