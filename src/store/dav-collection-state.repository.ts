/** Per source DAV collection: the sync-token, ctag and filter hash of the last completed pass. */
import type { Db } from './db.ts';

/** What a pass remembers about one source collection. */
export interface DavCollectionState {
  readonly pairId: string;
  readonly sourceCollection: string;
  readonly targetCollection: string;
  /** RFC 6578 sync-token, or null when the server offers no sync-collection. */
  readonly syncToken: string | null;
  readonly ctag: string | null;
  readonly filterHash: string;
  readonly lastSyncedAt: Date;
}

interface Row {
  pair_id: string;
  source_collection: string;
  target_collection: string;
  sync_token: string | null;
  ctag: string | null;
  filter_hash: string;
  last_synced_at: Date;
}

/** The collection states of a pair, keyed by source collection path. */
export async function getDavCollectionStates(db: Db, pairId: string): Promise<Map<string, DavCollectionState>> {
  const { rows } = await db.query<Row>('SELECT * FROM dav_collection_states WHERE pair_id = $1 ORDER BY source_collection', [pairId]);
  return new Map(rows.map((r) => [r.source_collection, {
    pairId: String(r.pair_id), sourceCollection: r.source_collection, targetCollection: r.target_collection,
    syncToken: r.sync_token, ctag: r.ctag, filterHash: r.filter_hash, lastSyncedAt: r.last_synced_at,
  }]));
}

/** Inserts or replaces the state of one collection. */
export async function saveDavCollectionState(db: Db, s: Omit<DavCollectionState, 'lastSyncedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO dav_collection_states (pair_id, source_collection, target_collection, sync_token, ctag, filter_hash, last_synced_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (pair_id, source_collection) DO UPDATE SET target_collection = EXCLUDED.target_collection,
       sync_token = EXCLUDED.sync_token, ctag = EXCLUDED.ctag, filter_hash = EXCLUDED.filter_hash, last_synced_at = now()`,
    [s.pairId, s.sourceCollection, s.targetCollection, s.syncToken, s.ctag, s.filterHash],
  );
}
