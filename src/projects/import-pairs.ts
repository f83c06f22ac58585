/**
 * CSV import of mailbox pairs into a project (docs/csv-formats.md). The file is checked as a whole
 * first: nothing is written while any row is bad, unless `importValidRows` is set. Importing the same
 * file again changes nothing: pairs are matched by their source mailbox, compared field by field, and a
 * stored password is re-sealed only when it differs from the file's (compared by opening it).
 * `dryRun` runs the whole import inside a transaction that is rolled back: the preview is exact.
 */
import pg from 'pg';
import { AppError } from '../core/app-error.ts';
import { openSecret, sealSecret } from '../core/secret-box.ts';
import { listBatches, upsertBatch } from '../store/batch.repository.ts';
import { atomically, type Db } from '../store/db.ts';
import { getEndpointSettings } from '../store/endpoint-settings.repository.ts';
import {
  findPairsOutsideProject, insertImportPairs, listImportPairs, lockProjectImport, updateImportPairs,
  type ImportPairWrite, type StoredImportPair,
} from '../store/pair-import.repository.ts';
import { requireProject } from '../store/project.repository.ts';
import { rowError, type CsvRowError } from './csv/csv-row-error.ts';
import { ensureDavPairs } from './dav-pairs.ts';
import { parsePairCsv, type PairCsvRow } from './csv/parse-pair-csv.ts';
import type { PairCsvFormat } from './csv/pair-csv-format.ts';

/** Options of `importCsv`. */
export interface ImportCsvOptions {
  /** Batch the pairs go into (created when missing); without it new pairs have no batch and others keep theirs. */
  readonly batchName?: string;
  /** Mark the batch as the project's (single) test batch. */
  readonly isTestBatch?: boolean;
  /** Take this format instead of detecting it from the header. */
  readonly format?: PairCsvFormat;
  /** Import the valid rows even though others are bad. */
  readonly importValidRows?: boolean;
  /** Check and count only; nothing is written. */
  readonly dryRun?: boolean;
}

/** What an import did (or, with `dryRun`, would do). */
export interface ImportCsvResult {
  readonly format: PairCsvFormat | null;
  /** Data rows in the file. */
  readonly rows: number;
  /** Every bad row with its line number and reason, in line order. */
  readonly errors: readonly CsvRowError[];
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** True when pairs were written (false for a dry run, and when bad rows stopped the import). */
  readonly imported: boolean;
  /** The batch the pairs went into, when one was named (null in a dry run that would create it). */
  readonly batchId: string | null;
}

/** Key of the source mailbox of a stored pair, as `PairCsvRow.sourceKey`. */
const sourceKeyOf = (p: StoredImportPair): string => (p.sourceEmail ?? p.sourceUser).toLowerCase();
const targetKeyOf = (p: StoredImportPair): string => (p.targetEmail ?? p.targetUser).toLowerCase();
const loginKey = (sourceUser: string, targetUser: string): string => `${sourceUser}\u0000${targetUser}`;

/** Runs `fn` in a transaction (or savepoint) that is always rolled back. */
async function rolledBack<T>(db: Db, fn: (client: Db) => Promise<T>): Promise<T> {
  if (db instanceof pg.Pool) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      return await fn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
  await db.query('SAVEPOINT cutover_import_preview');
  try {
    return await fn(db);
  } finally {
    await db.query('ROLLBACK TO SAVEPOINT cutover_import_preview');
  }
}

/** The stored sealed secret when it opens to `password`, else a new seal (null for no password). */
function sealedFor(key: Buffer, password: string | null, stored: Buffer | null): Buffer | null {
  if (password === null) return null;
  if (stored !== null) {
    try {
      if (openSecret(key, stored) === password) return stored;
    } catch {
      // A secret sealed with another key cannot be compared: seal the file's password anew.
    }
  }
  return sealSecret(key, password);
}

function sameWrite(a: ImportPairWrite, b: StoredImportPair, projectId: string): boolean {
  return b.projectId === projectId && a.sourceEndpointId === b.sourceEndpointId && a.targetEndpointId === b.targetEndpointId
    && a.sourceEmail === b.sourceEmail && a.targetEmail === b.targetEmail && a.sourceUser === b.sourceUser && a.targetUser === b.targetUser
    && a.importFlags === b.importFlags && a.batchId === b.batchId
    && a.sourceSecretSealed === b.sourceSecretSealed && a.targetSecretSealed === b.targetSecretSealed;
}

interface Planned {
  readonly row: PairCsvRow;
  readonly existing: StoredImportPair | null;
}

/** Checks the rows against the stored pairs; returns the rows that can be written and the errors of the others. */
async function checkAgainstStore(
  db: Db, projectId: string, sourceEndpointId: string, targetEndpointId: string, rows: readonly PairCsvRow[],
): Promise<{ planned: Planned[]; errors: CsvRowError[] }> {
  const stored = await listImportPairs(db, projectId);
  const bySource = new Map<string, StoredImportPair>();
  for (const p of stored) if (!bySource.has(sourceKeyOf(p))) bySource.set(sourceKeyOf(p), p);
  const outside = new Map((await findPairsOutsideProject(db, projectId, sourceEndpointId, targetEndpointId, rows))
    .map((p) => [loginKey(p.sourceUser, p.targetUser), p]));
  const errors: CsvRowError[] = [];
  const planned: Planned[] = [];
  for (const row of rows) {
    let existing = bySource.get(row.sourceKey) ?? null;
    const other = outside.get(loginKey(row.sourceUser, row.targetUser));
    if (other && other.projectId !== null) {
      errors.push(rowError(row.line, `source ${row.sourceUser} and target ${row.targetUser} are pair ${other.id} of project ${other.projectId} already`));
      continue;
    }
    if (other && existing) {
      errors.push(rowError(row.line, `source ${row.sourceUser} and target ${row.targetUser} are pair ${other.id} (made by cutover sync) already`));
      continue;
    }
    // A pair `cutover sync` made for these accounts joins the project, with its ledger.
    existing ??= other ?? null;
    if (existing?.hasLedger && (targetKeyOf(existing) !== row.targetKey || existing.targetUser !== row.targetUser)) {
      errors.push(rowError(row.line, `source "${row.sourceKey}" is pair ${existing.id}, which has migrated to target "${targetKeyOf(existing)}" already; its target cannot change (reset the pair's ledger first)`));
      continue;
    }
    planned.push({ row, existing });
  }
  // Targets must stay unique over the project as it will be: the rows, plus the stored pairs no row rewrites.
  const rewritten = new Set(planned.flatMap((p) => (p.existing ? [p.existing.id] : [])));
  const storedTargets = new Map<string, StoredImportPair>();
  for (const p of stored) if (!rewritten.has(p.id)) storedTargets.set(targetKeyOf(p), p);
  const kept = planned.filter(({ row }) => {
    const holder = storedTargets.get(row.targetKey);
    if (!holder) return true;
    errors.push(rowError(row.line, `duplicate target "${row.targetKey}": it is the target of pair ${holder.id} (source "${sourceKeyOf(holder)}") already`));
    return false;
  });
  return { planned: kept, errors };
}

/**
 * Imports a CSV file of mailbox pairs into a project. Row problems are returned, not thrown;
 * PROJECT_NOT_FOUND, PROJECT_INVALID (the project lacks an endpoint) and PROJECT_CONFLICT (a second test
 * batch) are thrown.
 */
export async function importCsv(db: Db, key: Buffer, projectId: string, csvText: string, options: ImportCsvOptions = {}): Promise<ImportCsvResult> {
  const run = async (client: Db): Promise<ImportCsvResult> => {
    const project = await requireProject(client, projectId);
    if (project.sourceEndpointId === null || project.targetEndpointId === null) {
      throw new AppError('PROJECT_INVALID', `project ${project.name} needs a source and a target endpoint before pairs can be imported`, { details: { projectId } });
    }
    const [source, target] = await Promise.all([getEndpointSettings(client, project.sourceEndpointId), getEndpointSettings(client, project.targetEndpointId)]);
    if (!source || !target) throw new AppError('PROJECT_INVALID', `an endpoint of project ${project.name} does not exist`, { details: { projectId } });

    const parsed = parsePairCsv(csvText, { access: { source: source.authKind, target: target.authKind }, ...(options.format ? { format: options.format } : {}) });
    const nothing = { format: parsed.format, rows: parsed.rows, created: 0, updated: 0, unchanged: 0, imported: false, batchId: null };
    if (parsed.fileError) return { ...nothing, errors: parsed.errors };

    await lockProjectImport(client, project.id);
    const checked = await checkAgainstStore(client, project.id, source.id, target.id, parsed.pairs);
    const errors = [...parsed.errors, ...checked.errors].sort((a, b) => a.line - b.line);
    if (errors.length > 0 && !options.importValidRows) return { ...nothing, errors };

    const batch = options.batchName?.trim() ? await upsertBatch(client, project.id, options.batchName, options.isTestBatch ?? false) : null;
    const inserts: ImportPairWrite[] = [];
    const updates: Array<ImportPairWrite & { id: string }> = [];
    let unchanged = 0;
    for (const { row, existing } of checked.planned) {
      const write: ImportPairWrite = {
        sourceEndpointId: source.id,
        targetEndpointId: target.id,
        sourceEmail: row.sourceEmail,
        targetEmail: row.targetEmail,
        sourceUser: row.sourceUser,
        targetUser: row.targetUser,
        sourceSecretSealed: sealedFor(key, row.sourcePassword, existing?.sourceSecretSealed ?? null),
        targetSecretSealed: sealedFor(key, row.targetPassword, existing?.targetSecretSealed ?? null),
        importFlags: row.flags,
        batchId: batch ? batch.id : (existing?.batchId ?? null),
      };
      if (!existing) inserts.push(write);
      else if (sameWrite(write, existing, project.id)) unchanged += 1;
      else updates.push({ ...write, id: existing.id });
    }
    try {
      await insertImportPairs(client, project.id, inserts);
      await updateImportPairs(client, project.id, updates);
      // Calendars and contacts follow the mailbox pairs (same accounts and passwords).
      await ensureDavPairs(client, project.id);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new AppError('PROJECT_CONFLICT', 'the import would give two pairs the same source and target accounts (rows swap accounts between pairs?); import in two steps', { cause: err });
      }
      throw err;
    }
    return { format: parsed.format, rows: parsed.rows, errors, created: inserts.length, updated: updates.length, unchanged, imported: !options.dryRun, batchId: batch?.id ?? null };
  };
  if (options.dryRun) {
    const preview = await rolledBack(db, run);
    // The batch a dry run created is gone with the rollback.
    const kept = preview.batchId === null ? [] : (await listBatches(db, projectId)).filter((b) => b.id === preview.batchId);
    return { ...preview, imported: false, batchId: kept.length > 0 ? preview.batchId : null };
  }
  return atomically(db, run);
}

