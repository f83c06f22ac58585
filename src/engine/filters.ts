/**
 * Message filters by INTERNALDATE (RFC 3501 §2.3.3) and size, with imapsync's meanings:
 * - `--maxage N`: only messages at most N days old; `--minage N`: only messages at least N days old
 *   (both together: a window);
 * - `--maxsize N`: skip messages bigger than N octets; `--minsize N`: skip messages smaller than N;
 * - `since` / `before`: absolute bounds, `before` exclusive like IMAP SEARCH BEFORE.
 *
 * Excluded items are recorded `excluded` with the rule (e.g. `maxage=30d`). Age rules move with time:
 * an item too young for `minage` today qualifies later, so when `timeDependent` is true the engine
 * re-evaluates excluded items on every pass, not only when `filterHash` changes.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../core/app-error.ts';

/** Filter settings as given by the user (CLI flags, project settings). Ages in days, sizes in octets. */
export interface FilterOptions {
  readonly maxAgeDays?: number;
  readonly minAgeDays?: number;
  readonly maxSize?: number;
  readonly minSize?: number;
  readonly since?: Date;
  readonly before?: Date;
}

/** Validated filter, with age rules resolved against `now` (build one per pass). */
export interface Filter {
  readonly options: Readonly<FilterOptions>;
  /** Messages older than this are excluded (from maxage). */
  readonly oldestAllowed: Date | null;
  /** Messages newer than this are excluded (from minage). */
  readonly newestAllowed: Date | null;
  /** True when a rule depends on `now`: excluded items must be re-evaluated every pass. */
  readonly timeDependent: boolean;
}

/** Result of filtering one message: included, or excluded with the rule that excluded it. */
export type FilterResult = { readonly included: true } | { readonly included: false; readonly rule: string; readonly timeDependent: boolean };

const DAY_MS = 86_400_000;

const invalid = (message: string, details: Record<string, string | number>): AppError => new AppError('FILTER_INVALID', message, { details });

function checkNumber(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw invalid(`${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got ${value}`, { option: name, value: String(value) });
  }
}

function checkDate(name: string, value: Date | undefined): void {
  if (value !== undefined && Number.isNaN(value.getTime())) throw invalid(`${name} is not a valid date`, { option: name });
}

/** Validates the settings (FILTER_INVALID on negative numbers or an empty window) and resolves ages at `now`. */
export function buildFilters(options: FilterOptions, now: Date): Filter {
  checkNumber('maxage', options.maxAgeDays, false);
  checkNumber('minage', options.minAgeDays, false);
  checkNumber('maxsize', options.maxSize, true);
  checkNumber('minsize', options.minSize, true);
  checkDate('since', options.since);
  checkDate('before', options.before);
  const { maxAgeDays, minAgeDays, maxSize, minSize, since, before } = options;
  if (maxAgeDays !== undefined && minAgeDays !== undefined && minAgeDays >= maxAgeDays) {
    throw invalid(
      `minage=${minAgeDays} and maxage=${maxAgeDays} leave no message: minage keeps messages at least ${minAgeDays} days old, maxage those at most ${maxAgeDays} days old; minage must be smaller than maxage`,
      { minage: minAgeDays, maxage: maxAgeDays },
    );
  }
  if (maxSize !== undefined && minSize !== undefined && minSize > maxSize) {
    throw invalid(`minsize=${minSize} is larger than maxsize=${maxSize}: no message can match`, { minsize: minSize, maxsize: maxSize });
  }
  if (since !== undefined && before !== undefined && since.getTime() >= before.getTime()) {
    throw invalid(`since=${since.toISOString()} is not earlier than before=${before.toISOString()}: no message can match`, {
      since: since.toISOString(),
      before: before.toISOString(),
    });
  }
  return {
    options: { ...options },
    oldestAllowed: maxAgeDays === undefined ? null : new Date(now.getTime() - maxAgeDays * DAY_MS),
    newestAllowed: minAgeDays === undefined ? null : new Date(now.getTime() - minAgeDays * DAY_MS),
    timeDependent: maxAgeDays !== undefined || minAgeDays !== undefined,
  };
}

/** Applies the filter to one message; the first failing rule is reported (age, dates, then size). */
export function evaluateFilters(filter: Filter, meta: { internalDate: Date; size: number }): FilterResult {
  const t = meta.internalDate.getTime();
  const o = filter.options;
  if (filter.oldestAllowed !== null && t < filter.oldestAllowed.getTime()) return excluded(`maxage=${o.maxAgeDays}d`, true);
  if (filter.newestAllowed !== null && t > filter.newestAllowed.getTime()) return excluded(`minage=${o.minAgeDays}d`, true);
  if (o.since !== undefined && t < o.since.getTime()) return excluded(`since=${o.since.toISOString()}`, false);
  if (o.before !== undefined && t >= o.before.getTime()) return excluded(`before=${o.before.toISOString()}`, false);
  if (o.maxSize !== undefined && meta.size > o.maxSize) return excluded(`maxsize=${o.maxSize}`, false);
  if (o.minSize !== undefined && meta.size < o.minSize) return excluded(`minsize=${o.minSize}`, false);
  return { included: true };
}

const excluded = (rule: string, timeDependent: boolean): FilterResult => ({ included: false, rule, timeDependent });

/** Canonical text of the settings, in a fixed order; empty string when no filter is set. */
export function describeFilter(filter: Filter): string {
  const o = filter.options;
  const parts: string[] = [];
  if (o.maxAgeDays !== undefined) parts.push(`maxage=${o.maxAgeDays}d`);
  if (o.minAgeDays !== undefined) parts.push(`minage=${o.minAgeDays}d`);
  if (o.since !== undefined) parts.push(`since=${o.since.toISOString()}`);
  if (o.before !== undefined) parts.push(`before=${o.before.toISOString()}`);
  if (o.maxSize !== undefined) parts.push(`maxsize=${o.maxSize}`);
  if (o.minSize !== undefined) parts.push(`minsize=${o.minSize}`);
  return parts.join(' ');
}

/**
 * Stable hash of the settings — not of `now`, so `maxage=30` hashes the same every day. The engine
 * stores it per pass to notice a CHANGE of settings and then re-evaluate `excluded` items.
 */
export function filterHash(filter: Filter): string {
  return createHash('sha256').update(`cutover-filter-1\n${describeFilter(filter)}`).digest('hex');
}
