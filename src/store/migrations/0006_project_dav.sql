-- Calendars and contacts in projects (docs/calendars-and-contacts.md "In projects"): DAV endpoints with
-- the URL discovery starts at, the project's CalDAV/CardDAV endpoints, and companion DAV pairs that
-- follow a mailbox pair (same accounts and passwords).

ALTER TABLE endpoints ADD COLUMN url text;
-- The endpoint key gains the URL: two DAV services on one host:port (e.g. /radicale/ and /dav/) are two
-- endpoints. IMAP endpoints and those `cutover sync` registers keep url NULL (NULLS NOT DISTINCT).
DO $$
DECLARE name text;
BEGIN
  SELECT conname INTO name FROM pg_constraint WHERE conrelid = 'endpoints'::regclass AND contype = 'u';
  EXECUTE format('ALTER TABLE endpoints DROP CONSTRAINT %I', name);
END $$;
ALTER TABLE endpoints ADD CONSTRAINT endpoints_key UNIQUE NULLS NOT DISTINCT (protocol, host, port, tls_mode, auth_kind, admin_user, url);

ALTER TABLE projects
  ADD COLUMN source_caldav_endpoint_id bigint REFERENCES endpoints(id),
  ADD COLUMN target_caldav_endpoint_id bigint REFERENCES endpoints(id),
  ADD COLUMN source_carddav_endpoint_id bigint REFERENCES endpoints(id),
  ADD COLUMN target_carddav_endpoint_id bigint REFERENCES endpoints(id);

ALTER TABLE pairs
  -- set on a DAV pair made for a mailbox pair of a project; the CSV import compares mailbox pairs only
  ADD COLUMN mailbox_pair_id bigint REFERENCES pairs(id) ON DELETE CASCADE;
CREATE INDEX pairs_mailbox_pair_idx ON pairs (mailbox_pair_id) WHERE mailbox_pair_id IS NOT NULL;
