-- Calendars and contacts (CalDAV RFC 4791, CardDAV RFC 6352): the DAV ledger and per-collection state.
-- A DAV pair is a row of `pairs` whose endpoints have protocol 'caldav' or 'carddav'; passes are rows
-- of `passes` like mail passes. See docs/calendars-and-contacts.md.

-- Per source collection: what the last completed pass saw, so a delta asks only for changes.
CREATE TABLE dav_collection_states (
  pair_id            bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  -- decoded absolute path of the source collection (ends in '/')
  source_collection  text NOT NULL,
  target_collection  text NOT NULL,
  -- RFC 6578 DAV:sync-token after the last completed pass; null when the server has no sync-collection
  sync_token         text,
  -- CS:getctag after the last completed pass (cheap "nothing changed" check for servers without tokens)
  ctag               text,
  -- hash of the item filters (date range, address rewriting) that applied
  filter_hash        text NOT NULL,
  last_synced_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pair_id, source_collection)
);

-- One row per source resource: identity (collection, href), the iCalendar/vCard UID, a fingerprint of
-- the normalised item, the source ETag it was read with, and where it went.
CREATE TABLE dav_items (
  id                 bigserial PRIMARY KEY,
  pair_id            bigint NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  source_collection  text NOT NULL,
  source_href        text NOT NULL,
  uid                text,
  -- VEVENT, VTODO, VJOURNAL, VCARD … (the main component), for reports
  component          text,
  summary            text,
  fingerprint        text NOT NULL,
  source_etag        text,
  size               integer NOT NULL DEFAULT 0,
  state              text NOT NULL CHECK (state IN ('in_doubt', 'migrated', 'failed', 'excluded')),
  target_collection  text,
  target_href        text,
  target_etag        text,
  reason_code        text,
  reason_text        text,
  attempts           integer NOT NULL DEFAULT 0,
  last_pass_id       bigint,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (pair_id, source_collection, source_href)
);
CREATE INDEX dav_items_state_idx ON dav_items (pair_id, state) WHERE state <> 'migrated';
CREATE INDEX dav_items_target_idx ON dav_items (pair_id, target_collection, target_href);
CREATE INDEX dav_items_uid_idx ON dav_items (pair_id, uid);
