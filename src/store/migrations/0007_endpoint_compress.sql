-- COMPRESS=DEFLATE (RFC 4978) per endpoint, what `cutover sync --compressN/--nocompressN` sets for one
-- run: auto = only when a NOOP round trip after login takes 10 ms or more (connectors/imap/compression.ts),
-- on = whenever the server offers it, off = never. IMAP only; CalDAV/CardDAV endpoints keep 'auto'.
ALTER TABLE endpoints
  ADD COLUMN compress_mode text NOT NULL DEFAULT 'auto' CHECK (compress_mode IN ('auto', 'on', 'off'));
