/**
 * What `cutover sync` prints: a progress bar on a terminal while it runs, then a summary (text for
 * people, one JSON document with --json for scripts).
 */
import { SingleBar, Presets } from 'cli-progress';
import type { LedgerItem } from '../core/ledger.ts';
import type { PassOutcome, ProgressEvent } from '../engine/pass-types.ts';
import type { ExitCode } from './exit-codes.ts';
import { EXIT } from './exit-codes.ts';

const EXIT_NAMES = new Map<number, string>(Object.entries(EXIT).map(([name, code]) => [code, name]));

/** Human size: 1.5 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A progress bar on stderr that grows its total as folders are planned. */
export class ProgressView {
  readonly #bar: SingleBar;
  #total = 0;
  #done = 0;
  #started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#bar = new SingleBar({
      stream,
      format: ' {bar} {percentage}% | {value}/{total} messages | {folder}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    }, Presets.shades_classic);
  }

  /** Feeds one engine progress event. */
  update(event: ProgressEvent): void {
    if (event.type === 'folder-planned') {
      this.#total += event.toCopy;
      if (!this.#started) {
        this.#bar.start(this.#total, this.#done, { folder: event.folder });
        this.#started = true;
      } else {
        this.#bar.setTotal(this.#total);
      }
    } else if (event.type === 'copied' && this.#started) {
      this.#done += event.count;
      this.#bar.update(this.#done, { folder: event.folder });
    }
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

export interface SummaryInput {
  readonly source: string;
  readonly target: string;
  readonly outcome: PassOutcome;
  readonly exitCode: ExitCode;
  readonly failedItems: readonly LedgerItem[];
}

/** The final summary for people. */
export function textSummary(input: SummaryInput): string {
  const { outcome } = input;
  const c = outcome.counts;
  const seconds = outcome.durationMs / 1000;
  const synced = outcome.folders.length;
  const lines = [
    `cutover sync: ${input.source} -> ${input.target}${outcome.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `Folders:  ${c.folders} (${synced} opened, ${c.folders - synced} unchanged)`,
    `Messages: ${outcome.dryRun ? 'would copy' : 'copied'} ${c.copied}, already there ${c.alreadyThere}, migrated before ${c.skipped}, excluded ${c.excluded}, failed ${c.failed}` +
      (c.flagsUpdated > 0 ? `, flags updated ${c.flagsUpdated}` : ''),
    `Transfer: ${formatBytes(c.bytes)} in ${seconds.toFixed(2)} s (${(c.copied / Math.max(seconds, 0.001)).toFixed(1)} msg/s, ${formatBytes(c.bytes / Math.max(seconds, 0.001))}/s)`,
  ];
  for (const folder of outcome.folders) {
    if (folder.error) lines.push(`Folder error: "${folder.source}" -> "${folder.target}": [${folder.error.code}] ${folder.error.message}`);
  }
  if (input.failedItems.length > 0) {
    lines.push(`Failed items (${c.failed} in this pass; retried on the next run):`);
    for (const item of input.failedItems.slice(0, 20)) {
      lines.push(`  ${item.sourceFolder} uid ${item.uid} "${item.subject ?? ''}" ${item.size} bytes: [${item.reasonCode}] ${item.reasonText ?? ''}`);
    }
    if (input.failedItems.length > 20) lines.push(`  … and ${input.failedItems.length - 20} more (cutover sync --json lists all)`);
  }
  for (const warning of outcome.warnings) lines.push(`Warning: ${warning}`);
  if (outcome.error) lines.push(`Error: [${outcome.error.code}] ${outcome.error.message}\n  What to do: ${outcome.error.hint}`);
  lines.push(`Exit code: ${input.exitCode} (${EXIT_NAMES.get(input.exitCode) ?? 'UNKNOWN'})`);
  return lines.join('\n') + '\n';
}

/** The final summary for scripts (--json). */
export function jsonSummary(input: SummaryInput): string {
  const { outcome } = input;
  return JSON.stringify({
    source: input.source,
    target: input.target,
    passId: outcome.passId,
    status: outcome.status,
    dryRun: outcome.dryRun,
    counts: outcome.counts,
    durationMs: Math.round(outcome.durationMs),
    folders: outcome.folders.map((f) => ({ ...f, error: f.error?.toJSON() ?? null })),
    failedItems: input.failedItems.map((i) => ({
      folder: i.sourceFolder, uidValidity: i.uidValidity.toString(), uid: i.uid, subject: i.subject, size: i.size,
      internalDate: i.internalDate.toISOString(), reasonCode: i.reasonCode, reason: i.reasonText, attempts: i.attempts,
    })),
    warnings: outcome.warnings,
    error: outcome.error?.toJSON() ?? null,
    exitCode: input.exitCode,
    exitName: EXIT_NAMES.get(input.exitCode) ?? 'UNKNOWN',
  }, null, 2) + '\n';
}
