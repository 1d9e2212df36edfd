-- +goose Up
-- The database enforces what must never be wrong: one person per phone, one row per provider
-- message, one outbound message per idempotency key, references, and every enumerated column.

CREATE TABLE commune (
    code            text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name            text NOT NULL CHECK (name <> ''),
    province        text NOT NULL DEFAULT '',
    duty_officer_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_manager (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    phone         text NOT NULL UNIQUE CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    commune       text NOT NULL REFERENCES commune (code),
    role          text NOT NULL CHECK (role IN ('case_manager', 'supervisor', 'duty_officer', 'approver', 'admin')),
    supervisor_id bigint REFERENCES case_manager (id),
    language      text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_manager_commune ON case_manager (commune, role) WHERE active;

ALTER TABLE commune ADD CONSTRAINT commune_duty_officer_fk
    FOREIGN KEY (duty_officer_id) REFERENCES case_manager (id);

CREATE TABLE person (
    id                bigserial PRIMARY KEY,
    phone             text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    name              text NOT NULL CHECK (name <> '' AND char_length(name) <= 100),
    commune           text NOT NULL REFERENCES commune (code),
    language          text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    profile           text[] NOT NULL DEFAULT '{}'
                      CHECK (profile <@ ARRAY['deaf', 'blind', 'low_literacy', 'mobility', 'intellectual', 'psychosocial']),
    channel           text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'ussd', 'voice')),
    diacritics        boolean NOT NULL DEFAULT false,
    consent_at        timestamptz,
    caregiver_name    text NOT NULL DEFAULT '',
    caregiver_phone   text CHECK (caregiver_phone ~ '^\+[1-9][0-9]{6,14}$'),
    caregiver_consent boolean NOT NULL DEFAULT false CHECK (NOT caregiver_consent OR caregiver_phone IS NOT NULL),
    registered_by     text CHECK (registered_by ~ '^\+[1-9][0-9]{6,14}$'),
    pin_hash          text,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'opted_out', 'unreachable')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT person_phone_unique UNIQUE (phone)
);
CREATE INDEX person_commune ON person (commune);

CREATE TABLE care_case (
    id         bigserial PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES person (id),
    manager_id bigint NOT NULL REFERENCES case_manager (id),
    commune    text NOT NULL REFERENCES commune (code),
    step       text NOT NULL DEFAULT 'assessment'
               CHECK (step IN ('assessment', 'planning', 'implementation', 'monitoring', 'evaluation', 'closed')),
    opened_at  timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz CHECK ((step = 'closed') = (closed_at IS NOT NULL)),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- A person has at most one open case.
CREATE UNIQUE INDEX care_case_one_open ON care_case (person_id) WHERE step <> 'closed';
CREATE INDEX care_case_commune ON care_case (commune, step);

CREATE TABLE case_transition (
    id       bigserial PRIMARY KEY,
    case_id  bigint NOT NULL REFERENCES care_case (id),
    event    text NOT NULL CHECK (event IN ('plan', 'implement', 'monitor', 'revise', 'evaluate', 'reassess', 'close')),
    from_step text NOT NULL,
    to_step  text NOT NULL,
    by_id    bigint NOT NULL REFERENCES case_manager (id),
    at       timestamptz NOT NULL,
    note     text NOT NULL DEFAULT ''
);
CREATE INDEX case_transition_case ON case_transition (case_id, at);

CREATE TABLE assessment (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES care_case (id),
    assessed_by bigint NOT NULL REFERENCES case_manager (id),
    assessed_at timestamptz NOT NULL,
    summary     text NOT NULL DEFAULT ''
);
CREATE INDEX assessment_case ON assessment (case_id, assessed_at DESC);

CREATE TABLE assessment_need (
    assessment_id bigint NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    area          text NOT NULL CHECK (area IN ('livelihood', 'health', 'education', 'family', 'life_skills',
                                                'community', 'psychological', 'other')),
    priority      smallint NOT NULL CHECK (priority BETWEEN 0 AND 3),
    note          text NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, area)
);

CREATE TABLE support_plan (
    id            bigserial PRIMARY KEY,
    case_id       bigint NOT NULL REFERENCES care_case (id),
    goals         text[] NOT NULL CHECK (cardinality(goals) > 0),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'replaced')),
    created_by    bigint NOT NULL REFERENCES case_manager (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    approved_by   bigint REFERENCES case_manager (id),
    approver_name text NOT NULL DEFAULT '',
    approved_at   timestamptz,
    CHECK ((approved_at IS NULL) = (approved_by IS NULL)),
    CHECK (status <> 'approved' OR approved_at IS NOT NULL)
);
-- One current (not replaced) plan per case.
CREATE UNIQUE INDEX support_plan_current ON support_plan (case_id) WHERE status <> 'replaced';

CREATE TABLE plan_service (
    id          bigserial PRIMARY KEY,
    plan_id     bigint NOT NULL REFERENCES support_plan (id) ON DELETE CASCADE,
    area        text NOT NULL CHECK (area IN ('livelihood', 'health', 'education', 'family', 'life_skills',
                                              'community', 'psychological', 'other')),
    description text NOT NULL CHECK (description <> ''),
    provider    text NOT NULL DEFAULT '',
    due         date,
    status      text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled'))
);
CREATE INDEX plan_service_plan ON plan_service (plan_id);

CREATE TABLE appointment (
    id         bigserial PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES care_case (id),
    person_id  bigint NOT NULL REFERENCES person (id),
    at         timestamptz NOT NULL,
    place      text NOT NULL DEFAULT '',
    purpose    text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'done', 'missed')),
    version    int NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointment_person ON appointment (person_id, at) WHERE status = 'scheduled';

-- One row per reminder of one version of an appointment: moving the appointment cancels the
-- old rows and writes new ones, so a stale reminder can never go.
CREATE TABLE reminder (
    id             bigserial PRIMARY KEY,
    appointment_id bigint NOT NULL REFERENCES appointment (id),
    version        int NOT NULL,
    offset_minutes int NOT NULL CHECK (offset_minutes > 0),
    due_at         timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
    answer         text NOT NULL DEFAULT '' CHECK (answer IN ('', '1', '2')),
    sent_at        timestamptz,
    UNIQUE (appointment_id, version, offset_minutes)
);
CREATE INDEX reminder_due ON reminder (due_at) WHERE status = 'pending';

CREATE TABLE checkin_schedule (
    id             bigserial PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES care_case (id),
    weekday        smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute_of_day  int NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
    window_minutes int NOT NULL DEFAULT 2880 CHECK (window_minutes > 0),
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkin_schedule_case ON checkin_schedule (case_id) WHERE active;

CREATE TABLE checkin (
    id          bigserial PRIMARY KEY,
    schedule_id bigint NOT NULL REFERENCES checkin_schedule (id),
    case_id     bigint NOT NULL REFERENCES care_case (id),
    person_id   bigint NOT NULL REFERENCES person (id),
    due_at      timestamptz NOT NULL,
    retry_at    timestamptz NOT NULL,
    deadline_at timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'retried', 'fine', 'need_help', 'missed', 'cancelled')),
    answered_at timestamptz,
    CHECK (due_at <= retry_at AND retry_at <= deadline_at),
    UNIQUE (schedule_id, due_at)
);
-- Open check-ins by the next moment something is due (send, retry or deadline).
CREATE INDEX checkin_open ON checkin (due_at, retry_at, deadline_at) WHERE status IN ('pending', 'sent', 'retried');
CREATE INDEX checkin_person_open ON checkin (person_id) WHERE status IN ('pending', 'sent', 'retried');

CREATE TABLE help_request (
    id          bigserial PRIMARY KEY,
    person_id   bigint REFERENCES person (id),
    phone       text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    commune     text REFERENCES commune (code),
    category    text NOT NULL CHECK (category IN ('health', 'device', 'money', 'school', 'abuse', 'other')),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    in_danger   boolean NOT NULL DEFAULT false,
    channel     text NOT NULL CHECK (channel IN ('sms', 'ussd', 'voice')),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX help_request_person ON help_request (person_id);

CREATE TABLE escalation (
    id              bigserial PRIMARY KEY,
    reason          text NOT NULL CHECK (reason IN ('checkin_missed', 'help_request', 'need_help', 'cannot_come', 'unreachable')),
    urgent          boolean NOT NULL DEFAULT false,
    person_id       bigint REFERENCES person (id),
    case_id         bigint REFERENCES care_case (id),
    commune         text REFERENCES commune (code),
    help_request_id bigint REFERENCES help_request (id),
    checkin_id      bigint REFERENCES checkin (id),
    appointment_id  bigint REFERENCES appointment (id),
    level           smallint NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 2),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    next_level_at   timestamptz,
    notified        boolean NOT NULL DEFAULT false,
    acked_by        bigint REFERENCES case_manager (id),
    acked_at        timestamptz,
    resolved_by     bigint REFERENCES case_manager (id),
    resolved_at     timestamptz,
    outcome         text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((acked_at IS NULL) = (acked_by IS NULL)),
    CHECK (status = 'open' OR acked_at IS NOT NULL OR resolved_at IS NOT NULL)
);
-- At most one escalation per missed check-in, per help request and per answered reminder.
CREATE UNIQUE INDEX escalation_one_per_checkin ON escalation (checkin_id, reason) WHERE checkin_id IS NOT NULL;
CREATE UNIQUE INDEX escalation_one_per_help ON escalation (help_request_id) WHERE help_request_id IS NOT NULL;
CREATE INDEX escalation_due ON escalation (next_level_at) WHERE status = 'open';
CREATE INDEX escalation_unnotified ON escalation (created_at) WHERE status = 'open' AND NOT notified;
CREATE INDEX escalation_commune ON escalation (commune, status);

-- Who was told of an escalation at which level: they hear when it is resolved.
CREATE TABLE escalation_notice (
    escalation_id bigint NOT NULL REFERENCES escalation (id),
    level         smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
    manager_id    bigint NOT NULL REFERENCES case_manager (id),
    message_id    bigint,
    at            timestamptz NOT NULL,
    PRIMARY KEY (escalation_id, level, manager_id)
);

-- The message log: every SMS, USSD hop and voice turn in and out. An outbound message is a
-- row with a unique idempotency key before any provider is called.
CREATE TABLE message (
    id              bigserial PRIMARY KEY,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    channel         text NOT NULL CHECK (channel IN ('sms', 'ussd', 'voice')),
    provider        text NOT NULL CHECK (provider IN ('twilio', 'android', 'africastalking')),
    provider_id     text,
    phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    person_id       bigint REFERENCES person (id),
    body            text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'failed', 'skipped')),
    idempotency_key text,
    attempts        int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz,
    error_code      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (direction = 'in' OR idempotency_key IS NOT NULL),
    CONSTRAINT message_provider_id_unique UNIQUE (provider, provider_id),
    CONSTRAINT message_idempotency_key_unique UNIQUE (idempotency_key)
);
CREATE INDEX message_phone ON message (phone, created_at DESC);
CREATE INDEX message_outbound_due ON message (next_attempt_at) WHERE direction = 'out' AND status = 'queued';

-- One dialog session per (channel, key): the phone for SMS and voice, the aggregator's session id for USSD.
CREATE TABLE dialog_session (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL CHECK (channel IN ('sms', 'ussd', 'voice')),
    key        text NOT NULL CHECK (key <> ''),
    phone      text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    flow       text NOT NULL DEFAULT '',
    state      text NOT NULL DEFAULT '',
    vars       jsonb NOT NULL DEFAULT '{}',
    language   text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    version    int NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dialog_session_key UNIQUE (channel, key)
);
CREATE INDEX dialog_session_phone ON dialog_session (phone, channel, updated_at DESC);

-- Every write through the case-manager API: who, what, when.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    actor_id   bigint REFERENCES case_manager (id),
    action     text NOT NULL CHECK (action <> ''),
    entity     text NOT NULL CHECK (entity <> ''),
    entity_id  bigint,
    detail     jsonb NOT NULL DEFAULT '{}',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE dialog_session;
DROP TABLE message;
DROP TABLE escalation_notice;
DROP TABLE escalation;
DROP TABLE help_request;
DROP TABLE checkin;
DROP TABLE checkin_schedule;
DROP TABLE reminder;
DROP TABLE appointment;
DROP TABLE plan_service;
DROP TABLE support_plan;
DROP TABLE assessment_need;
DROP TABLE assessment;
DROP TABLE case_transition;
DROP TABLE care_case;
DROP TABLE person;
ALTER TABLE commune DROP CONSTRAINT commune_duty_officer_fk;
DROP TABLE case_manager;
DROP TABLE commune;
