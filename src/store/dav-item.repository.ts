/**
 * The DAV ledger: one row per source resource (pair, source collection, href) with its UID, fingerprint,
 * source ETag, state and where it went (target collection, href, ETag). The same states and rules as
 * the mail ledger (docs/passes-and-ledger.md); batches travel as one JSON parameter.
 */
import type { Db } from './db.ts';

/** Item states, as in the mail ledger. */
export type DavItemState = 'in_doubt' | 'migrated' | 'failed' | 'excluded';

/** What a pass writes for one item; the store counts attempts and stamps times. */
export interface DavItemWrite {
  readonly sourceCollection: string;
  readonly sourceHref: string;
  readonly uid: string | null;
  readonly component: string | null;
  readonly summary: string | null;
  readonly fingerprint: string;
  readonly sourceEtag: string | null;
  readonly size: number;
  readonly state: DavItemState;
  readonly targetCollection: string | null;
  readonly targetHref: string | null;
  readonly targetEtag: string | null;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
}

/** A stored item. */
export interface DavItem extends DavItemWrite {
  readonly pairId: string;
  readonly attempts: number;
}

interface Row {
  pair_id: string; source_collection: string; source_href: string; uid: string | null; component: string | null; summary: string | null;
  fingerprint: string; source_etag: string | null; size: number; state: DavItemState; target_collection: string | null;
  target_href: string | null; target_etag: string | null; reason_code: string | null; reason_text: string | null; attempts: number;
}

const COLUMNS = `pair_id, source_collection, source_href, uid, component, summary, fingerprint, source_etag, size, state,
  target_collection, target_href, target_etag, reason_code, reason_text, attempts`;

function fromRow(r: Row): DavItem {
  return {
    pairId: String(r.pair_id), sourceCollection: r.source_collection, sourceHref: r.source_href, uid: r.uid, component: r.component,
    summary: r.summary, fingerprint: r.fingerprint, sourceEtag: r.source_etag, size: Number(r.size), state: r.state,
    targetCollection: r.target_collection, targetHref: r.target_href, targetEtag: r.target_etag, reasonCode: r.reason_code,
    reasonText: r.reason_text, attempts: Number(r.attempts),
  };
}

/** Every item of one source collection of a pair, keyed by source href. */
export async function getDavCollectionItems(db: Db, pairId: string, sourceCollection: string): Promise<Map<string, DavItem>> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM dav_items WHERE pair_id = $1 AND source_collection = $2`, [pairId, sourceCollection]);
  return new Map(rows.map((r) => [r.source_href, fromRow(r)]));
}

/** Records a batch of items (insert or update; an attempt is counted for each `failed` write). */
export async function writeDavItems(db: Db, pairId: string, passId: string | null, items: readonly DavItemWrite[]): Promise<void> {
  if (items.length === 0) return;
  const latest = new Map<string, DavItemWrite>();
  for (const item of items) latest.set(`${item.sourceCollection}\u0000${item.sourceHref}`, item);
  const json = JSON.stringify([...latest.values()].map((w) => ({
    source_collection: w.sourceCollection, source_href: w.sourceHref, uid: w.uid, component: w.component, summary: w.summary,
    fingerprint: w.fingerprint, source_etag: w.sourceEtag, size: w.size, state: w.state, target_collection: w.targetCollection,
    target_href: w.targetHref, target_etag: w.targetEtag, reason_code: w.reasonCode, reason_text: w.reasonText,
  })));
  await db.query(
    `INSERT INTO dav_items AS di (${COLUMNS}, last_pass_id)
     SELECT $1, x.source_collection, x.source_href, x.uid, x.component, x.summary, x.fingerprint, x.source_etag, x.size, x.state,
            x.target_collection, x.target_href, x.target_etag, x.reason_code, x.reason_text,
            CASE WHEN x.state = 'failed' THEN 1 ELSE 0 END, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(source_collection text, source_href text, uid text, component text, summary text,
            fingerprint text, source_etag text, size integer, state text, target_collection text, target_href text, target_etag text,
            reason_code text, reason_text text)
     ON CONFLICT (pair_id, source_collection, source_href) DO UPDATE SET
       uid = EXCLUDED.uid, component = EXCLUDED.component, summary = EXCLUDED.summary, fingerprint = EXCLUDED.fingerprint,
       source_etag = EXCLUDED.source_etag, size = EXCLUDED.size, state = EXCLUDED.state,
       target_collection = EXCLUDED.target_collection, target_href = EXCLUDED.target_href, target_etag = EXCLUDED.target_etag,
       reason_code = EXCLUDED.reason_code, reason_text = EXCLUDED.reason_text,
       attempts = di.attempts + CASE WHEN EXCLUDED.state = 'failed' THEN 1 ELSE 0 END,
       last_pass_id = COALESCE(EXCLUDED.last_pass_id, di.last_pass_id), updated_at = now()`,
    [pairId, passId, json],
  );
}

/** Target hrefs that migrated (or in-doubt) items of the pair occupy in a target collection. */
export async function claimedTargetHrefs(db: Db, pairId: string, targetCollection: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ target_href: string; source_href: string; source_collection: string }>(
    `SELECT target_href, source_href, source_collection FROM dav_items
      WHERE pair_id = $1 AND target_collection = $2 AND target_href IS NOT NULL AND state IN ('migrated', 'in_doubt')`,
    [pairId, targetCollection],
  );
  return new Map(rows.map((r) => [r.target_href, `${r.source_collection}\u0000${r.source_href}`]));
}

/** Source collections of the pair with failed or in-doubt items, and how many. */
export async function pendingDavByCollection(db: Db, pairId: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ source_collection: string; n: string }>(
    `SELECT source_collection, count(*) AS n FROM dav_items WHERE pair_id = $1 AND state IN ('failed', 'in_doubt') GROUP BY source_collection`,
    [pairId],
  );
  return new Map(rows.map((r) => [r.source_collection, Number(r.n)]));
}

/** A page of items of the pair in one state (or all), in (collection, href) order. */
export async function listDavItems(db: Db, pairId: string, options: { state?: DavItemState; limit: number; offset: number }): Promise<DavItem[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM dav_items WHERE pair_id = $1 AND ($2::text IS NULL OR state = $2)
      ORDER BY source_collection, source_href LIMIT $3 OFFSET $4`,
    [pairId, options.state ?? null, options.limit, options.offset],
  );
  return rows.map(fromRow);
}

/** Number of items of the pair in each state. */
export async function countDavByState(db: Db, pairId: string): Promise<Record<DavItemState, number>> {
  const { rows } = await db.query<{ state: DavItemState; n: string }>('SELECT state, count(*) AS n FROM dav_items WHERE pair_id = $1 GROUP BY state', [pairId]);
  const counts: Record<DavItemState, number> = { in_doubt: 0, migrated: 0, failed: 0, excluded: 0 };
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

/** Forgets the DAV ledger of the pair (or of one source collection) and its collection states. */
export async function resetDavLedger(db: Db, pairId: string, sourceCollection?: string): Promise<{ items: number; collections: number }> {
  const { rows } = await db.query<{ items: string; collections: string }>(
    `WITH items AS (DELETE FROM dav_items WHERE pair_id = $1 AND ($2::text IS NULL OR source_collection = $2) RETURNING 1),
          cols AS (DELETE FROM dav_collection_states WHERE pair_id = $1 AND ($2::text IS NULL OR source_collection = $2) RETURNING 1)
     SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM cols) AS collections`,
    [pairId, sourceCollection ?? null],
  );
  return { items: Number(rows[0]?.items ?? 0), collections: Number(rows[0]?.collections ?? 0) };
}
