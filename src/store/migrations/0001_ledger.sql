-- The sync engine's tables: endpoints, mailbox pairs, per-folder state, the ledger and passes.
-- Plain SQL, applied in file-name order inside one transaction each (see store/migrate.ts).

CREATE TABLE endpoints (
  id            bigserial PRIMARY KEY,
  protocol      text NOT NULL DEFAULT 'imap' CHECK (protocol IN ('imap', 'caldav', 'carddav')),
  host          text NOT NULL,
  port          integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  tls_mode      text NOT NULL CHECK (tls_mode IN ('implicit', 'starttls', 'none')),
  tls_verify    boolean NOT NULL DEFAULT true,
  auth_kind     text NOT NULL CHECK (auth_kind IN ('password', 'master', 'oauth2')),
  -- admin (master) user name for auth_kind = 'master'; the per-account user lives on the pair
  admin_user    text,
  -- AES-256-GCM sealed secret (see core/secret-box.ts); null when the secret is not stored
  secret_sealed bytea,
  max_connections integer NOT NULL DEFAULT 4 CHECK (max_connections > 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- one row per distinct server + login method, so `cutover sync` re-runs find theirs again;
  -- NULLS NOT DISTINCT (PostgreSQL 15+): without it every row with admin_user NULL is "distinct" and
  -- each upsert would insert a new endpoint instead of finding the existing one
  UNIQUE NULLS NOT DISTINCT (protocol, host, port, tls_mode, auth_kind, admin_user)
);

CREATE TABLE pairs (
  id                 bigserial PRIMARY KEY,
  source_endpoint_id bigint NOT NULL REFERENCES endpoints(id),
  target_endpoint_id bigint NOT NULL REFERENCES endpoints(id),
  source_user        text NOT NULL,
  target_user        text NOT NULL,
  state              text NOT NULL DEFAULT 'idle',
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_endpoint_id, source_user, target_endpoint_id, target_user)
);

CREATE TABLE folder_states (
  pair_id        bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  source_folder  text NOT NULL,
  target_folder  text NOT NULL,
  uidvalidity    bigint NOT NULL,
  uidnext        bigint NOT NULL,
  highestmodseq  numeric(20, 0),
  messages       integer NOT NULL,
  filter_hash    text NOT NULL,
  last_synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pair_id, source_folder)
);

CREATE TABLE ledger_items (
  id                  bigserial PRIMARY KEY,
  pair_id             bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  source_folder       text NOT NULL,
  uidvalidity         bigint NOT NULL,
  uid                 bigint NOT NULL,
  fingerprint         text NOT NULL,
  message_id          text,
  size                bigint NOT NULL,
  internal_date       timestamptz NOT NULL,
  subject             text,
  state               text NOT NULL CHECK (state IN ('in_doubt', 'migrated', 'failed', 'excluded')),
  target_folder       text,
  target_uidvalidity  bigint,
  target_uid          bigint,
  reason_code         text,
  reason_text         text,
  attempts            integer NOT NULL DEFAULT 0,
  flags               text[] NOT NULL DEFAULT '{}',
  last_pass_id        bigint,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (pair_id, source_folder, uidvalidity, uid)
);
CREATE INDEX ledger_items_state_idx ON ledger_items (pair_id, state) WHERE state <> 'migrated';
CREATE INDEX ledger_items_fingerprint_idx ON ledger_items (pair_id, fingerprint);
CREATE INDEX ledger_items_target_idx ON ledger_items (pair_id, target_folder, target_uid);

CREATE TABLE passes (
  id           bigserial PRIMARY KEY,
  pair_id      bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('full', 'delta', 'resync', 'final', 'sweep', 'verify')),
  status       text NOT NULL CHECK (status IN ('running', 'completed', 'completed_with_errors', 'failed', 'interrupted')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  counts       jsonb NOT NULL DEFAULT '{}',
  worker       text,
  error_code   text,
  error_text   text
);
CREATE INDEX passes_pair_idx ON passes (pair_id, started_at DESC);
