-- The cutover orchestration (issue 4): the flow state of a project, its steps with logs, alerts,
-- one-time events (rounds, holds, notifications), DNS results, target accounts made or checked by the
-- provider, editable notification templates and the notification outbox.
-- Every table that an action writes has a unique key, so applying an action twice has one effect.

ALTER TABLE projects
  -- when the project left draft; lead times are measured from here
  ADD COLUMN placed_at timestamptz,
  -- while on_hold: the status the hold interrupted (leaving the hold returns there)
  ADD COLUMN held_from text,
  -- why the project is on hold or cancelled
  ADD COLUMN status_reason text,
  ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- published as TXT "cutover-verification=<token>" on each domain
  ADD COLUMN verification_token text;

CREATE TABLE project_steps (
  project_id       bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name             text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'running', 'waiting', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  -- a waiting (poll) step checks again, a failed step is retried, from here
  next_run_at      timestamptz,
  started_at       timestamptz,
  finished_at      timestamptz,
  -- the cutover time the step last ran for (steps planned around T run again when T moves)
  planned_for      timestamptz,
  last_error_code  text,
  last_error_retry text CHECK (last_error_retry IN ('transient', 'item', 'user')),
  last_error_text  text,
  result           jsonb NOT NULL DEFAULT '{}',
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE project_step_logs (
  id         bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  step       text NOT NULL,
  attempt    integer NOT NULL,
  at         timestamptz NOT NULL,
  level      text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  message    text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX project_step_logs_idx ON project_step_logs (project_id, step, id);

CREATE TABLE project_alerts (
  id              bigserial PRIMARY KEY,
  project_id      bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind            text NOT NULL,
  -- one alert per key and project, ever: raising it again is a no-op
  key             text NOT NULL,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  message         text NOT NULL,
  details         jsonb NOT NULL DEFAULT '{}',
  raised_at       timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at     timestamptz,
  resolved_by     text,
  UNIQUE (project_id, key)
);
CREATE INDEX project_alerts_open_idx ON project_alerts (project_id) WHERE status <> 'resolved';

-- One-time facts of a project: a round of passes started, a hold raised, a notification queued.
CREATE TABLE orchestrator_events (
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key        text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('round', 'hold', 'notification', 'event')),
  -- for rounds: the pass kind
  pass_kind  text,
  at         timestamptz NOT NULL,
  PRIMARY KEY (project_id, key)
);

CREATE TABLE dns_checks (
  project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  domain      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('txt', 'mx')),
  -- txt: the token was found; mx: the MX points to the target hosts
  ok          boolean NOT NULL,
  ttl_seconds integer,
  -- what the resolvers answered (records, resolver), for the portal's DNS panel
  answer      jsonb NOT NULL DEFAULT '{}',
  checked_at  timestamptz NOT NULL,
  PRIMARY KEY (project_id, domain, kind)
);

-- Target accounts as the provider left them (created, found, or failed) for each pair.
CREATE TABLE provider_accounts (
  pair_id     bigint PRIMARY KEY REFERENCES pairs(id) ON DELETE CASCADE,
  project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  target_user text NOT NULL,
  status      text NOT NULL CHECK (status IN ('ready', 'failed')),
  -- created: the provider made it; exists: it was there; the error when failed
  outcome     text NOT NULL CHECK (outcome IN ('created', 'exists', 'failed')),
  error_code  text,
  error_text  text,
  checked_at  timestamptz NOT NULL
);
CREATE INDEX provider_accounts_project_idx ON provider_accounts (project_id, status);

-- Overrides of the default templates (orchestrator/notifications/default-templates.ts): global
-- (project_id NULL) or for one project.
CREATE TABLE notification_templates (
  id           bigserial PRIMARY KEY,
  project_id   bigint REFERENCES projects(id) ON DELETE CASCADE,
  notification text NOT NULL,
  subject      text NOT NULL,
  body         text NOT NULL,
  updated_at   timestamptz NOT NULL,
  updated_by   text,
  UNIQUE NULLS NOT DISTINCT (project_id, notification)
);

-- The outbox: one row per (project, notification key, recipient), rendered when queued. The sender
-- claims rows with FOR UPDATE SKIP LOCKED, marks them `sending` before SMTP and `sent` after, so a
-- crash never sends one twice (a row left `sending` becomes `in_doubt`, see docs/notifications.md).
CREATE TABLE notification_outbox (
  id              bigserial PRIMARY KEY,
  project_id      bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  notification    text NOT NULL,
  event_key       text NOT NULL,
  recipient       text NOT NULL,
  subject         text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'in_doubt')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_at      timestamptz,
  sent_at         timestamptz,
  message_id      text NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  UNIQUE (project_id, event_key, recipient)
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';
