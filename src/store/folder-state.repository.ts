/** Per source folder: what the last completed pass saw (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, filters). */
import type { FolderState } from '../core/ledger.ts';
import { toBigInt, toBigIntStrict, toNumberStrict, type Db } from './db.ts';

interface FolderStateRow {
  pair_id: string;
  source_folder: string;
  target_folder: string;
  uidvalidity: string;
  uidnext: string;
  highestmodseq: string | null;
  messages: number;
  filter_hash: string;
  last_synced_at: Date;
}

function fromRow(row: FolderStateRow): FolderState {
  return {
    pairId: String(row.pair_id),
    sourceFolder: row.source_folder,
    targetFolder: row.target_folder,
    uidValidity: toBigIntStrict(row.uidvalidity),
    uidNext: toNumberStrict(row.uidnext),
    highestModseq: toBigInt(row.highestmodseq),
    messages: toNumberStrict(row.messages),
    filterHash: row.filter_hash,
    lastSyncedAt: row.last_synced_at,
  };
}

/** The folder states of a pair, keyed by source folder. */
export async function getFolderStates(db: Db, pairId: string): Promise<Map<string, FolderState>> {
  const { rows } = await db.query<FolderStateRow>('SELECT * FROM folder_states WHERE pair_id = $1 ORDER BY source_folder', [pairId]);
  return new Map(rows.map((row) => [row.source_folder, fromRow(row)]));
}

/** Inserts or replaces the state of one folder. */
export async function saveFolderState(db: Db, state: FolderState): Promise<void> {
  await db.query(
    `INSERT INTO folder_states (pair_id, source_folder, target_folder, uidvalidity, uidnext, highestmodseq, messages, filter_hash, last_synced_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (pair_id, source_folder) DO UPDATE
       SET target_folder = EXCLUDED.target_folder, uidvalidity = EXCLUDED.uidvalidity, uidnext = EXCLUDED.uidnext,
           highestmodseq = EXCLUDED.highestmodseq, messages = EXCLUDED.messages, filter_hash = EXCLUDED.filter_hash,
           last_synced_at = EXCLUDED.last_synced_at`,
    [
      state.pairId,
      state.sourceFolder,
      state.targetFolder,
      state.uidValidity.toString(),
      state.uidNext,
      state.highestModseq?.toString() ?? null,
      state.messages,
      state.filterHash,
      state.lastSyncedAt,
    ],
  );
}

/** Deletes the folder states of a pair, or of one source folder; returns how many. */
export async function deleteFolderStates(db: Db, pairId: string, sourceFolder?: string): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM folder_states WHERE pair_id = $1 AND ($2::text IS NULL OR source_folder = $2)',
    [pairId, sourceFolder ?? null],
  );
  return rowCount ?? 0;
}
