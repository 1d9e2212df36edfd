-- bench-scale.sql — the preload of `make bench-scale` (scripts/bench-scale.sh), all server
-- side (generate_series): :persons people in 1,000 communes, each with a case, a dialog
-- session and a share of :messages messages spread over the last year (in time order, as a
-- real log grows), :reminders pending reminders of appointments over the next 180 days, and
-- help requests with their escalations (1 % of people; the last 1,000 still open).
\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO commune (code, name, province)
SELECT 'B' || lpad(c::text, 4, '0'), 'Xã ' || c, 'Tỉnh ' || (c % 63) FROM generate_series(1, 1000) c;
INSERT INTO case_manager (name, phone, commune, role)
SELECT 'Cán bộ ' || c, '+8493' || lpad(c::text, 7, '0'), 'B' || lpad(c::text, 4, '0'), 'case_manager'
FROM generate_series(1, 1000) c;
INSERT INTO case_manager (name, phone, commune, role) VALUES ('Trực ban', '+84930999999', NULL, 'duty_officer');

INSERT INTO person (phone, name, commune, profile, consent_at, created_at, updated_at)
SELECT '+8492' || lpad(i::text, 8, '0'), 'Người ' || i, 'B' || lpad((i % 1000 + 1)::text, 4, '0'),
       CASE i % 3 WHEN 0 THEN '{deaf}'::text[] WHEN 1 THEN '{blind}' ELSE '{}' END,
       now() - interval '400 days', now() - interval '400 days', now() - interval '400 days'
FROM generate_series(1, :persons) i;

INSERT INTO care_case (person_id, manager_id, commune, step, opened_at, updated_at)
SELECT p.id, m.id, p.commune, 'monitoring', p.created_at, p.created_at
FROM person p JOIN case_manager m ON m.commune = p.commune AND m.role = 'case_manager';

INSERT INTO dialog_session (channel, key, phone, updated_at)
SELECT 'sms', phone, phone, now() - (id % 30) * interval '1 day' FROM person;

-- Appointments over the next 180 days, two reminders each (24 h and 2 h before).
INSERT INTO appointment (case_id, person_id, at, place)
SELECT c.id, c.person_id, now() + interval '1 day' + (g * interval '1 second' * (180 * 86400 / (:reminders / 2))), 'Trạm y tế'
FROM generate_series(1, :reminders / 2) g JOIN care_case c ON c.id = (g - 1) % :persons + (SELECT min(id) FROM care_case);
INSERT INTO reminder (appointment_id, version, offset_minutes, due_at)
SELECT a.id, 1, o, a.at - o * interval '1 minute' FROM appointment a, (VALUES (1440), (120)) AS v(o);

-- The message log: one month's partition each, as the workers would have made them.
SELECT message_partition(m) FROM generate_series(now() - interval '12 months', now() + interval '1 month', interval '1 month') m;
-- Loaded without the per-row trigger, then message_key filled in one statement: the same
-- rows the trigger would write.
ALTER TABLE message DISABLE TRIGGER message_key_insert;
INSERT INTO message (direction, channel, provider, provider_id, phone, person_id, body, status, idempotency_key,
                     created_at, updated_at)
SELECT CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 'sms', 'twilio', 'SMbench' || i, '+8492' || lpad(p::text, 8, '0'), p,
       CASE WHEN i % 2 = 0 THEN 'Toi can giup' ELSE 'Cam on ban. Can bo xa se lien he voi ban som.' END,
       CASE WHEN i % 2 = 0 THEN 'received' ELSE 'sent' END,
       CASE WHEN i % 2 = 0 THEN NULL ELSE 'bench:' || i END,
       t, t
FROM generate_series(1, :messages) i,
     LATERAL (SELECT (i::bigint * 7919) % :persons + 1 AS p,
                     now() - interval '365 days' + (i::float8 / :messages) * interval '365 days' AS t) x;
ALTER TABLE message ENABLE TRIGGER message_key_insert;
INSERT INTO message_key (message_id, created_at, provider, provider_id, idempotency_key)
SELECT id, created_at, provider, provider_id, idempotency_key FROM message;
SELECT setval('message_id_seq', (SELECT max(id) FROM message));

-- Help requests from 1 % of people, each escalated; the newest tenth still open (1,000 at
-- SCALE=1). The resolved ones were announced as such long ago (resolve_notified): left
-- unannounced, they were a backlog of 9,000 announcements (and then their SMS) that the
-- measured dispatcher passes enqueued, 5,000 a pass, which no database in service has.
INSERT INTO help_request (person_id, phone, commune, category, description, channel, status, created_at)
SELECT p.id, p.phone, p.commune, (ARRAY['health', 'device', 'money', 'school', 'other'])[p.id % 5 + 1],
       'Can giup', 'sms', CASE WHEN p.id > :persons * 0.9 THEN 'open' ELSE 'resolved' END,
       now() - ((:persons - p.id) % 300) * interval '1 day'
FROM person p WHERE p.id % 100 = 0;
INSERT INTO escalation (reason, person_id, case_id, commune, help_request_id, level, status, next_level_at, notified,
                        resolve_notified, acked_by, acked_at, resolved_by, resolved_at, created_at, updated_at)
SELECT 'help_request', h.person_id, c.id, h.commune, h.id, 0,
       CASE h.status WHEN 'open' THEN 'open' ELSE 'resolved' END,
       CASE h.status WHEN 'open' THEN now() + interval '1 day' END, true, h.status = 'resolved',
       CASE h.status WHEN 'open' THEN NULL ELSE c.manager_id END,
       CASE h.status WHEN 'open' THEN NULL ELSE h.created_at + interval '1 hour' END,
       CASE h.status WHEN 'open' THEN NULL ELSE c.manager_id END,
       CASE h.status WHEN 'open' THEN NULL ELSE h.created_at + interval '2 hours' END,
       h.created_at, h.created_at
FROM help_request h JOIN care_case c ON c.person_id = h.person_id;

ANALYZE commune, case_manager, person, care_case, dialog_session, appointment, reminder, message, message_key, help_request, escalation;
