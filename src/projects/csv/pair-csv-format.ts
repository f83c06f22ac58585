/**
 * The three CSV layouts users already have for lists of mailbox pairs, and how to recognise them from
 * the header (case, spaces and a byte order mark do not matter; column order does not either).
 *
 * - `migrationwiz`: MigrationWiz bulk add — Source Email, Source Login Name, Source Password,
 *   Destination Email, Destination Login Name, Destination Password, Flags (Flags may be left out).
 * - `m365`: Microsoft 365 IMAP migration — EmailAddress (the target mailbox), UserName and Password
 *   (the source login).
 * - `admin`: source, target — both logged in through admin (master) access.
 */

/** A CSV layout of mailbox pairs. */
export type PairCsvFormat = 'migrationwiz' | 'm365' | 'admin';

/** Every format, in detection order. */
export const PAIR_CSV_FORMATS: readonly PairCsvFormat[] = ['migrationwiz', 'm365', 'admin'];

/** What a column means, whatever it is called in a format. */
export type PairCsvField = 'sourceEmail' | 'sourceLogin' | 'sourcePassword' | 'targetEmail' | 'targetLogin' | 'targetPassword' | 'flags';

/** One column of a format: its name as the format's documentation spells it. */
export interface PairCsvColumn {
  readonly name: string;
  readonly field: PairCsvField;
  readonly required: boolean;
}

/** A format: a human name and its columns. */
export interface PairCsvFormatSpec {
  readonly format: PairCsvFormat;
  readonly title: string;
  readonly columns: readonly PairCsvColumn[];
}

const column = (name: string, field: PairCsvField, required = true): PairCsvColumn => ({ name, field, required });

/** The formats' columns. */
export const PAIR_CSV_SPECS: Readonly<Record<PairCsvFormat, PairCsvFormatSpec>> = {
  migrationwiz: {
    format: 'migrationwiz',
    title: 'MigrationWiz bulk add',
    columns: [
      column('Source Email', 'sourceEmail'),
      column('Source Login Name', 'sourceLogin'),
      column('Source Password', 'sourcePassword'),
      column('Destination Email', 'targetEmail'),
      column('Destination Login Name', 'targetLogin'),
      column('Destination Password', 'targetPassword'),
      column('Flags', 'flags', false),
    ],
  },
  m365: {
    format: 'm365',
    title: 'Microsoft 365 IMAP migration',
    columns: [column('EmailAddress', 'targetEmail'), column('UserName', 'sourceLogin'), column('Password', 'sourcePassword')],
  },
  admin: {
    format: 'admin',
    title: 'admin (master) form',
    columns: [column('source', 'sourceEmail'), column('target', 'targetEmail')],
  },
};

/** A header cell compared without case, spaces or a byte order mark. */
export function normalizeHeader(cell: string): string {
  return cell.replace(/^\uFEFF/, '').replace(/\s+/g, '').toLowerCase();
}

/** The header mapped to a format: for each file column, the column spec it is (in file order). */
export interface HeaderMatch {
  readonly format: PairCsvFormat;
  readonly columns: readonly PairCsvColumn[];
}

/** Why a header does not fit a format: columns it lacks, has twice, or does not know. */
export interface HeaderMismatch {
  readonly missing: readonly string[];
  readonly unknown: readonly string[];
  readonly duplicate: readonly string[];
}

/** Empty header cells at the end (a spreadsheet's extra commas) are not columns. */
function headerCells(header: readonly string[]): string[] {
  const cells = [...header];
  while (cells.length > 0 && cells[cells.length - 1]?.trim() === '') cells.pop();
  return cells;
}

/** Matches a header against one format. */
export function matchHeader(header: readonly string[], format: PairCsvFormat): HeaderMatch | HeaderMismatch {
  const spec = PAIR_CSV_SPECS[format];
  const byName = new Map(spec.columns.map((c) => [normalizeHeader(c.name), c]));
  const seen = new Set<string>();
  const columns: PairCsvColumn[] = [];
  const unknown: string[] = [];
  const duplicate: string[] = [];
  for (const cell of headerCells(header)) {
    const key = normalizeHeader(cell);
    const col = byName.get(key);
    if (!col) unknown.push(cell.trim() === '' ? '(empty)' : cell.trim());
    else if (seen.has(key)) duplicate.push(col.name);
    else {
      seen.add(key);
      columns.push(col);
    }
  }
  const missing = spec.columns.filter((c) => c.required && !seen.has(normalizeHeader(c.name))).map((c) => c.name);
  if (missing.length === 0 && unknown.length === 0 && duplicate.length === 0) return { format, columns };
  return { missing, unknown, duplicate };
}

/** True when `m` is a match, not a mismatch. */
export function isHeaderMatch(m: HeaderMatch | HeaderMismatch): m is HeaderMatch {
  return 'format' in m;
}

/** The format a header belongs to, or null. */
export function detectFormat(header: readonly string[]): HeaderMatch | null {
  for (const format of PAIR_CSV_FORMATS) {
    const m = matchHeader(header, format);
    if (isHeaderMatch(m)) return m;
  }
  return null;
}

/** "Source Email, Source Login Name, …" for messages. */
export function describeColumns(format: PairCsvFormat): string {
  return PAIR_CSV_SPECS[format].columns.map((c) => (c.required ? c.name : `${c.name} (optional)`)).join(', ');
}
