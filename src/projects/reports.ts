/**
 * Reports: per pair (state, passes, items by ledger state, bytes, rate, last error), per project (totals,
 * progress, estimated time left from recent throughput), failed items, and CSV export. The figures
 * come from one SQL statement per report (store/report.repository.ts); the arithmetic here is pure.
 *
 * Progress and time left, for a project:
 * - throughput = bytes migrated in the recent window (30 minutes, or since the first pass if later)
 *   divided by the window's length — what the project does now, not its average since the start;
 * - work left per unfinished pair = what its running pass still has to copy when it reports progress,
 *   else the average size of the completed pairs minus what the pair already has;
 * - progress = bytes migrated / (bytes migrated + work left); before any pair completed, the share of
 *   completed pairs; time left = work left / throughput (null while either is unknown or zero).
 */
import { AppError } from '../core/app-error.ts';
import type { Db } from '../store/db.ts';
import type { PairState } from '../store/project-pair.repository.ts';
import { PAIR_STATES } from '../store/project-pair.repository.ts';
import { requireProject } from '../store/project.repository.ts';
import {
  failedItemRows, firstPassStartedAt, pairReportRow, projectPairReportRows,
  type FailedItemQuery, type FailedItemRow, type PairReportRow,
} from '../store/report.repository.ts';

export type { FailedItemQuery, FailedItemRow, PairReportRow } from '../store/report.repository.ts';

/** Length of the window recent throughput is measured over. */
export const RECENT_WINDOW_MS = 30 * 60 * 1000;

/** Item counts by ledger state. */
export interface ItemTotals {
  readonly migrated: number;
  readonly excluded: number;
  readonly failed: number;
  readonly inDoubt: number;
}

/** A project's totals, progress and estimate. */
export interface ProjectTotals {
  readonly pairs: { readonly total: number; readonly paused: number; readonly byState: Readonly<Record<PairState, number>> };
  readonly items: ItemTotals;
  /** Bytes migrated. */
  readonly bytes: number;
  readonly passes: number;
  readonly throughput: { readonly windowSeconds: number; readonly bytesPerSecond: number; readonly itemsPerSecond: number };
  /** 0 to 100, one decimal. */
  readonly progressPercent: number;
  readonly estimatedSecondsLeft: number | null;
  readonly estimatedCompletionAt: Date | null;
}

/** The project report: totals plus every pair's row. */
export interface ProjectReport extends ProjectTotals {
  readonly projectId: string;
  readonly projectName: string;
  readonly generatedAt: Date;
  /** Every pair (empty when asked for totals only). */
  readonly pairRows: readonly PairReportRow[];
}

/** Options of `projectReport`. */
export interface ProjectReportOptions {
  /** Include one row per pair (default true). */
  readonly includePairs?: boolean;
  readonly windowMs?: number;
}

/** Totals, progress and time left from per-pair rows (pure; see the module comment for the rules). */
export function summarizePairs(rows: readonly PairReportRow[], now: Date, windowMs: number, firstPassAt: Date | null): ProjectTotals {
  const byState = Object.fromEntries(PAIR_STATES.map((s) => [s, 0])) as Record<PairState, number>;
  let paused = 0;
  let passes = 0;
  let recentBytes = 0;
  let recentItems = 0;
  const items = { migrated: 0, excluded: 0, failed: 0, inDoubt: 0 };
  let bytes = 0;
  let completedBytes = 0;
  for (const r of rows) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    if (r.paused) paused += 1;
    passes += r.passes;
    items.migrated += r.migrated;
    items.excluded += r.excluded;
    items.failed += r.failed;
    items.inDoubt += r.inDoubt;
    bytes += r.bytes;
    recentBytes += r.recentBytes;
    recentItems += r.recentItems;
    if (r.state === 'completed') completedBytes += r.bytes;
  }
  const windowStart = Math.max(now.getTime() - windowMs, firstPassAt?.getTime() ?? now.getTime());
  const windowSeconds = Math.max(0, (now.getTime() - windowStart) / 1000);
  const bytesPerSecond = windowSeconds > 0 ? recentBytes / windowSeconds : 0;
  const itemsPerSecond = windowSeconds > 0 ? recentItems / windowSeconds : 0;

  const completed = byState.completed;
  const averagePair = completed > 0 ? completedBytes / completed : null;
  let left = 0;
  let leftKnown = true;
  for (const r of rows) {
    if (r.state === 'completed') continue;
    if (r.runningBytesPlanned !== null && r.runningBytesDone !== null) left += Math.max(0, r.runningBytesPlanned - r.runningBytesDone);
    else if (averagePair !== null) left += Math.max(0, averagePair - r.bytes);
    else leftKnown = false;
  }
  const total = rows.length;
  let progress: number;
  if (total === 0) progress = 0;
  else if (leftKnown && bytes + left > 0) progress = (bytes / (bytes + left)) * 100;
  else progress = (completed / total) * 100;
  let secondsLeft: number | null = null;
  if (total > 0 && completed === total) secondsLeft = 0;
  else if (leftKnown && bytesPerSecond > 0) secondsLeft = Math.ceil(left / bytesPerSecond);
  return {
    pairs: { total, paused, byState },
    items,
    bytes,
    passes,
    throughput: { windowSeconds: Math.round(windowSeconds), bytesPerSecond: Math.round(bytesPerSecond), itemsPerSecond: Math.round(itemsPerSecond * 100) / 100 },
    progressPercent: Math.min(100, Math.round(progress * 10) / 10),
    estimatedSecondsLeft: secondsLeft,
    estimatedCompletionAt: secondsLeft === null ? null : new Date(now.getTime() + secondsLeft * 1000),
  };
}

/** One pair's report. PAIR_NOT_FOUND. */
export async function pairReport(db: Db, pairId: string, now: Date = new Date()): Promise<PairReportRow> {
  const row = await pairReportRow(db, pairId, new Date(now.getTime() - RECENT_WINDOW_MS));
  if (!row) throw new AppError('PAIR_NOT_FOUND', `no mailbox pair ${pairId}`, { details: { pairId } });
  return row;
}

/** A project's report: totals, progress, time left, and (by default) a row per pair. PROJECT_NOT_FOUND. */
export async function projectReport(db: Db, projectId: string, now: Date, options: ProjectReportOptions = {}): Promise<ProjectReport> {
  const project = await requireProject(db, projectId);
  const windowMs = options.windowMs ?? RECENT_WINDOW_MS;
  const [rows, firstPass] = await Promise.all([
    projectPairReportRows(db, project.id, new Date(now.getTime() - windowMs)),
    firstPassStartedAt(db, project.id),
  ]);
  return {
    projectId: project.id,
    projectName: project.name,
    generatedAt: now,
    ...summarizePairs(rows, now, windowMs, firstPass),
    pairRows: options.includePairs === false ? [] : rows,
  };
}

/** A page of failed items (folder, subject, date, size, reason) of a project, a pair, or everything. */
export async function failedItems(db: Db, query: FailedItemQuery): Promise<{ items: FailedItemRow[]; total: number }> {
  return failedItemRows(db, query);
}

/** What `toCsv` writes in a cell. */
export type CsvCell = string | number | boolean | bigint | Date | null | undefined;

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe (OWASP "CSV injection"). */
function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV (RFC 4180: CRLF line ends, fields quoted when needed) of flat rows such as `PairReportRow` or
 * `FailedItemRow`. Columns: `columns`, else every key of the rows in first-seen order. Dates as ISO 8601.
 */
export function toCsv(rows: ReadonlyArray<object>, columns?: readonly string[]): string {
  const keys = columns ? [...columns] : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [keys.map(cell).join(',')];
  for (const row of rows) {
    const record = row as Readonly<Record<string, unknown>>;
    lines.push(keys.map((k) => cell(record[k])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
