/**
 * The ledger: one row per source item (pair, folder, UIDVALIDITY, UID), its state and where it went
 * (DESIGN.md "The sync engine"). Batches travel as one JSON parameter expanded by jsonb_to_recordset, so
 * thousands of items cost one round trip.
 */
import type { ItemState, LedgerItem, LedgerWrite } from '../core/ledger.ts';
import { atomically, toBigInt, toBigIntStrict, toNumber, toNumberStrict, type Db } from './db.ts';

interface LedgerRow {
  pair_id: string;
  source_folder: string;
  uidvalidity: string;
  uid: string;
  fingerprint: string;
  message_id: string | null;
  size: string;
  internal_date: Date;
  subject: string | null;
  state: ItemState;
  target_folder: string | null;
  target_uidvalidity: string | null;
  target_uid: string | null;
  reason_code: string | null;
  reason_text: string | null;
  attempts: number;
  flags: string[];
}

const ITEM_COLUMNS = `pair_id, source_folder, uidvalidity, uid, fingerprint, message_id, size, internal_date, subject, state,
  target_folder, target_uidvalidity, target_uid, reason_code, reason_text, attempts, flags`;

function fromRow(row: LedgerRow): LedgerItem {
  return {
    pairId: String(row.pair_id),
    sourceFolder: row.source_folder,
    uidValidity: toBigIntStrict(row.uidvalidity),
    uid: toNumberStrict(row.uid),
    fingerprint: row.fingerprint,
    messageId: row.message_id,
    size: toNumberStrict(row.size),
    internalDate: row.internal_date,
    subject: row.subject,
    state: row.state,
    targetFolder: row.target_folder,
    targetUidValidity: toBigInt(row.target_uidvalidity),
    targetUid: toNumber(row.target_uid),
    reasonCode: row.reason_code,
    reasonText: row.reason_text,
    attempts: toNumberStrict(row.attempts),
    flags: row.flags,
  };
}

/** Every item of one source folder of a pair, all UIDVALIDITYs, in (UIDVALIDITY, UID) order. */
export async function getFolderItems(db: Db, pairId: string, sourceFolder: string): Promise<LedgerItem[]> {
  const { rows } = await db.query<LedgerRow>(
    `SELECT ${ITEM_COLUMNS} FROM ledger_items WHERE pair_id = $1 AND source_folder = $2 ORDER BY uidvalidity, uid`,
    [pairId, sourceFolder],
  );
  return rows.map(fromRow);
}

/**
 * What a delta pass needs of one folder whose last pass it trusts (same UIDVALIDITY, same settings):
 * the items at or above `fromUid` (the UIDNEXT that pass saw: anything newer has a UID ≥ it) and those
 * still failed or in doubt below it. Not the whole folder: a 1 % delta on 50,000 messages reads ≈500
 * rows, not 50,000. In UID order.
 */
export async function getDeltaItems(db: Db, pairId: string, sourceFolder: string, uidValidity: bigint, fromUid: number): Promise<LedgerItem[]> {
  const { rows } = await db.query<LedgerRow>(
    `SELECT ${ITEM_COLUMNS} FROM ledger_items
      WHERE pair_id = $1 AND source_folder = $2 AND uidvalidity = $3 AND (uid >= $4 OR state IN ('failed', 'in_doubt'))
      ORDER BY uid`,
    [pairId, sourceFolder, uidValidity.toString(), fromUid],
  );
  return rows.map(fromRow);
}

/** The items of these UIDs in one folder and UIDVALIDITY (those the ledger has), in UID order. */
export async function getItemsByUid(db: Db, pairId: string, sourceFolder: string, uidValidity: bigint, uids: readonly number[]): Promise<LedgerItem[]> {
  if (uids.length === 0) return [];
  const { rows } = await db.query<LedgerRow>(
    `SELECT ${ITEM_COLUMNS} FROM ledger_items
      WHERE pair_id = $1 AND source_folder = $2 AND uidvalidity = $3 AND uid = ANY($4::bigint[])
      ORDER BY uid`,
    [pairId, sourceFolder, uidValidity.toString(), uids],
  );
  return rows.map(fromRow);
}

const keyOf = (w: { sourceFolder: string; uidValidity: bigint; uid: number }): string => `${w.sourceFolder}\u0000${w.uidValidity}\u0000${w.uid}`;

/** Items per statement: far above a pass's batches, low enough to keep one JSON parameter small. */
const MAX_BATCH = 10_000;

/**
 * Records a batch of items: inserts new ones, updates known ones (all columns as written; `flags` kept
 * when the write has none), counts an attempt each time an item is written `failed`, stamps updated_at
 * and the pass. Several writes of one item in a batch: the last wins.
 */
export async function writeItems(db: Db, pairId: string, passId: string | null, items: readonly LedgerWrite[]): Promise<void> {
  const latest = new Map<string, LedgerWrite>();
  for (const item of items) latest.set(keyOf(item), item);
  const all = [...latest.values()];
  for (let i = 0; i < all.length; i += MAX_BATCH) {
    await writeBatch(db, pairId, passId, all.slice(i, i + MAX_BATCH));
  }
}

async function writeBatch(db: Db, pairId: string, passId: string | null, items: readonly LedgerWrite[]): Promise<void> {
  if (items.length === 0) return;
  const json = JSON.stringify(
    items.map((w) => ({
      source_folder: w.sourceFolder,
      uidvalidity: w.uidValidity.toString(),
      uid: w.uid,
      fingerprint: w.fingerprint,
      message_id: w.messageId,
      size: w.size,
      internal_date: w.internalDate.toISOString(),
      subject: w.subject,
      state: w.state,
      target_folder: w.targetFolder,
      target_uidvalidity: w.targetUidValidity?.toString() ?? null,
      target_uid: w.targetUid ?? null,
      reason_code: w.reasonCode ?? null,
      reason_text: w.reasonText ?? null,
      flags: w.flags ?? null,
    })),
  );
  // The LEFT JOIN reads the stored flags so an absent `flags` keeps them (the pair lock makes this pass
  // the only writer of its pair, so the read cannot race another write).
  await db.query(
    `INSERT INTO ledger_items AS li (${ITEM_COLUMNS}, last_pass_id)
     SELECT $1, x.source_folder, x.uidvalidity, x.uid, x.fingerprint, x.message_id, x.size, x.internal_date, x.subject, x.state,
            x.target_folder, x.target_uidvalidity, x.target_uid, x.reason_code, x.reason_text,
            CASE WHEN x.state = 'failed' THEN 1 ELSE 0 END,
            COALESCE(x.flags, cur.flags, '{}'),
            $2
       FROM jsonb_to_recordset($3::jsonb) AS x(
              source_folder text, uidvalidity bigint, uid bigint, fingerprint text, message_id text, size bigint,
              internal_date timestamptz, subject text, state text, target_folder text, target_uidvalidity bigint,
              target_uid bigint, reason_code text, reason_text text, flags text[])
       LEFT JOIN ledger_items cur
         ON cur.pair_id = $1 AND cur.source_folder = x.source_folder AND cur.uidvalidity = x.uidvalidity AND cur.uid = x.uid
     ON CONFLICT (pair_id, source_folder, uidvalidity, uid) DO UPDATE SET
       fingerprint = EXCLUDED.fingerprint,
       message_id = EXCLUDED.message_id,
       size = EXCLUDED.size,
       internal_date = EXCLUDED.internal_date,
       subject = EXCLUDED.subject,
       state = EXCLUDED.state,
       target_folder = EXCLUDED.target_folder,
       target_uidvalidity = EXCLUDED.target_uidvalidity,
       target_uid = EXCLUDED.target_uid,
       reason_code = EXCLUDED.reason_code,
       reason_text = EXCLUDED.reason_text,
       attempts = li.attempts + CASE WHEN EXCLUDED.state = 'failed' THEN 1 ELSE 0 END,
       flags = EXCLUDED.flags,
       last_pass_id = COALESCE(EXCLUDED.last_pass_id, li.last_pass_id),
       updated_at = now()`,
    [pairId, passId, json],
  );
}

/** One item's new identity after a UIDVALIDITY change (matched by fingerprint by the engine). */
export interface RekeyMove {
  readonly fromUidValidity: bigint;
  readonly fromUid: number;
  readonly toUidValidity: bigint;
  readonly toUid: number;
}

/**
 * Moves items of a folder to new (UIDVALIDITY, UID) keys, keeping their state and target. Two steps in one
 * transaction (first to negative UIDs, then to the real ones) so that moves may chain or swap without
 * tripping the unique key midway. A move onto the key of an item that stays fails the whole call.
 * Returns how many items moved (moves whose source item is absent are ignored).
 */
export async function rekeyItems(db: Db, pairId: string, sourceFolder: string, moves: readonly RekeyMove[]): Promise<number> {
  if (moves.length === 0) return 0;
  for (const m of moves) {
    if (!Number.isSafeInteger(m.toUid) || m.toUid <= 0) throw new RangeError(`rekeyItems: invalid target UID ${m.toUid}`);
  }
  const json = JSON.stringify(
    moves.map((m) => ({ from_uidvalidity: m.fromUidValidity.toString(), from_uid: m.fromUid, to_uidvalidity: m.toUidValidity.toString(), to_uid: m.toUid })),
  );
  return atomically(db, async (tx) => {
    const moved = await tx.query(
      `UPDATE ledger_items li SET uidvalidity = m.to_uidvalidity, uid = -1 - m.to_uid, updated_at = now()
         FROM jsonb_to_recordset($3::jsonb) AS m(from_uidvalidity bigint, from_uid bigint, to_uidvalidity bigint, to_uid bigint)
        WHERE li.pair_id = $1 AND li.source_folder = $2 AND li.uidvalidity = m.from_uidvalidity AND li.uid = m.from_uid`,
      [pairId, sourceFolder, json],
    );
    await tx.query('UPDATE ledger_items SET uid = -1 - uid WHERE pair_id = $1 AND source_folder = $2 AND uid < 0', [pairId, sourceFolder]);
    return moved.rowCount ?? 0;
  });
}

/**
 * Target UIDs that migrated items of the pair occupy in a target folder: target messages that are ours.
 * `targetUidValidity` null: whatever UIDVALIDITY they were recorded with.
 */
export async function claimedTargetUids(db: Db, pairId: string, targetFolder: string, targetUidValidity: bigint | null): Promise<Set<number>> {
  const { rows } = await db.query<{ target_uid: string }>(
    `SELECT target_uid FROM ledger_items
      WHERE pair_id = $1 AND target_folder = $2 AND state = 'migrated' AND target_uid IS NOT NULL
        AND ($3::bigint IS NULL OR target_uidvalidity = $3::bigint)`,
    [pairId, targetFolder, targetUidValidity?.toString() ?? null],
  );
  return new Set(rows.map((r) => toNumberStrict(r.target_uid)));
}

/** Per source folder: items still to do (failed + in_doubt); folders with none are absent. */
export async function pendingByFolder(db: Db, pairId: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ source_folder: string; n: string }>(
    `SELECT source_folder, count(*) AS n FROM ledger_items
      WHERE pair_id = $1 AND state IN ('failed', 'in_doubt') GROUP BY source_folder ORDER BY source_folder`,
    [pairId],
  );
  return new Map(rows.map((r) => [r.source_folder, toNumberStrict(r.n)]));
}

/** Number of items of the pair in each state (zero for states without items). */
export async function countByState(db: Db, pairId: string): Promise<Record<ItemState, number>> {
  const { rows } = await db.query<{ state: ItemState; n: string }>(
    'SELECT state, count(*) AS n FROM ledger_items WHERE pair_id = $1 GROUP BY state',
    [pairId],
  );
  const counts: Record<ItemState, number> = { in_doubt: 0, migrated: 0, failed: 0, excluded: 0 };
  for (const row of rows) counts[row.state] = toNumberStrict(row.n);
  return counts;
}

/** Filter and page of `listItems`. */
export interface ListItemsOptions {
  readonly state?: ItemState;
  readonly sourceFolder?: string;
  readonly limit: number;
  readonly offset: number;
}

/** A page of items of the pair, in (folder, UIDVALIDITY, UID) order. */
export async function listItems(db: Db, pairId: string, options: ListItemsOptions): Promise<LedgerItem[]> {
  const { rows } = await db.query<LedgerRow>(
    `SELECT ${ITEM_COLUMNS} FROM ledger_items
      WHERE pair_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR source_folder = $3)
      ORDER BY source_folder, uidvalidity, uid LIMIT $4 OFFSET $5`,
    [pairId, options.state ?? null, options.sourceFolder ?? null, options.limit, options.offset],
  );
  return rows.map(fromRow);
}

/**
 * Forgets the pair (or one source folder of it): its ledger items and folder states, in one statement
 * and so atomically. The next pass treats the folder as new. Returns what was deleted.
 */
export async function resetLedger(db: Db, pairId: string, sourceFolder?: string): Promise<{ items: number; folders: number }> {
  const { rows } = await db.query<{ items: string; folders: string }>(
    `WITH items AS (
       DELETE FROM ledger_items WHERE pair_id = $1 AND ($2::text IS NULL OR source_folder = $2) RETURNING 1
     ), folders AS (
       DELETE FROM folder_states WHERE pair_id = $1 AND ($2::text IS NULL OR source_folder = $2) RETURNING 1
     )
     SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM folders) AS folders`,
    [pairId, sourceFolder ?? null],
  );
  const row = rows[0];
  return { items: toNumberStrict(row?.items ?? 0), folders: toNumberStrict(row?.folders ?? 0) };
}

/** New target flags of one item (flag propagation). */
export interface FlagsEntry {
  readonly sourceFolder: string;
  readonly uidValidity: bigint;
  readonly uid: number;
  readonly flags: readonly string[];
}

/** Records the flags now on the target for a batch of items; returns how many items were found. */
export async function updateTargetFlags(db: Db, pairId: string, entries: readonly FlagsEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const json = JSON.stringify(entries.map((e) => ({ source_folder: e.sourceFolder, uidvalidity: e.uidValidity.toString(), uid: e.uid, flags: e.flags })));
  const { rowCount } = await db.query(
    `UPDATE ledger_items li SET flags = e.flags, updated_at = now()
       FROM jsonb_to_recordset($2::jsonb) AS e(source_folder text, uidvalidity bigint, uid bigint, flags text[])
      WHERE li.pair_id = $1 AND li.source_folder = e.source_folder AND li.uidvalidity = e.uidvalidity AND li.uid = e.uid`,
    [pairId, json],
  );
  return rowCount ?? 0;
}
