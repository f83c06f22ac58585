-- Projects at scale: projects, batches, users and their credentials for the API, pairs that belong
-- to a project with their own sealed passwords, and the results of verify passes.

ALTER TABLE endpoints
  ADD COLUMN name text,
  ADD COLUMN tls_ca text,
  -- for auth_kind = 'master': 'authzid' (SASL PLAIN, RFC 4616) or 'separator' (user*admin)
  ADD COLUMN master_method text CHECK (master_method IN ('authzid', 'separator')),
  ADD COLUMN master_separator text;

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  name          text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  -- scrypt, see api/auth/password-hash.ts
  password_hash text,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id           bigserial PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         text NOT NULL,
  -- sha256 of the token; the token itself is shown once, at creation
  token_hash   text NOT NULL UNIQUE,
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE login_sessions (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE projects (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL UNIQUE,
  status             text NOT NULL DEFAULT 'draft',
  source_endpoint_id bigint REFERENCES endpoints(id),
  target_endpoint_id bigint REFERENCES endpoints(id),
  domains            text[] NOT NULL DEFAULT '{}',
  cutover_at         timestamptz,
  time_zone          text NOT NULL DEFAULT 'UTC',
  settings           jsonb NOT NULL DEFAULT '{}',
  paused             boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batches (
  id         bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name       text NOT NULL,
  is_test    boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, name)
);
-- at most one test batch per project
CREATE UNIQUE INDEX batches_one_test_idx ON batches (project_id) WHERE is_test;

ALTER TABLE pairs
  ADD COLUMN project_id bigint REFERENCES projects(id) ON DELETE CASCADE,
  ADD COLUMN batch_id bigint REFERENCES batches(id) ON DELETE SET NULL,
  -- addresses for people and reports; source_user/target_user stay the login names
  ADD COLUMN source_email text,
  ADD COLUMN target_email text,
  -- per-account passwords (AES-256-GCM, core/secret-box.ts); null with admin (master) access
  ADD COLUMN source_secret_sealed bytea,
  ADD COLUMN target_secret_sealed bytea,
  -- MigrationWiz "Flags" column, kept as given
  ADD COLUMN import_flags text,
  ADD COLUMN paused boolean NOT NULL DEFAULT false,
  ADD COLUMN last_error_code text,
  ADD COLUMN last_error_text text,
  ADD COLUMN last_pass_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
-- pairs.state: 'idle' | 'queued' | 'running' | 'paused' | 'stopped' | 'failed' | 'completed'
CREATE INDEX pairs_project_idx ON pairs (project_id, batch_id);

ALTER TABLE passes
  -- progress while running: items and bytes planned / done so far (reports, the portal)
  ADD COLUMN progress jsonb NOT NULL DEFAULT '{}';

CREATE TABLE verify_findings (
  id            bigserial PRIMARY KEY,
  pass_id       bigint NOT NULL REFERENCES passes(id) ON DELETE CASCADE,
  pair_id       bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  -- missing_on_target: the ledger says migrated, the target does not have it
  -- not_migrated: a source message the ledger does not account for
  -- extra_on_target: a target message no ledger row accounts for
  kind          text NOT NULL CHECK (kind IN ('missing_on_target', 'not_migrated', 'extra_on_target')),
  source_folder text,
  uidvalidity   bigint,
  uid           bigint,
  target_folder text,
  target_uid    bigint,
  subject       text,
  detail        text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verify_findings_pair_idx ON verify_findings (pair_id, pass_id);
