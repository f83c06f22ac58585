/**
 * Turns a CSV file of mailbox pairs (any of the three formats, see pair-csv-format.ts) into validated
 * rows, or the list of what is wrong, line by line. Pure: the endpoints' access kinds come in as data,
 * so every rule is unit-tested without a database.
 *
 * Rules per row: the column count equals the header's; required fields are present; addresses are
 * valid; a password is present where the endpoint logs in per user; the format's access needs are met
 * (Microsoft 365 form: admin access on the target; admin form: on both sides); no source and no target
 * appears twice in the file (the error names the line of the first).
 */
import type { EndpointAuthKind } from '../../store/endpoint.repository.ts';
import { rowError, type CsvRowError } from './csv-row-error.ts';
import { isEmailAddress } from './email-address.ts';
import { describeColumns, detectFormat, isHeaderMatch, matchHeader, PAIR_CSV_FORMATS, PAIR_CSV_SPECS, type HeaderMatch, type PairCsvField, type PairCsvFormat } from './pair-csv-format.ts';
import { readCsv, type CsvRecord } from './read-csv.ts';

/** How each side of the project logs in: `password` needs a password per row, the others do not. */
export interface PairCsvAccess {
  readonly source: EndpointAuthKind;
  readonly target: EndpointAuthKind;
}

/** Options of `parsePairCsv`. */
export interface PairCsvOptions {
  /** Take this format instead of detecting it from the header. */
  readonly format?: PairCsvFormat;
  readonly access: PairCsvAccess;
}

/** One valid row, in the terms of a pair. Login names default to the addresses. */
export interface PairCsvRow {
  readonly line: number;
  readonly sourceEmail: string | null;
  readonly sourceUser: string;
  readonly sourcePassword: string | null;
  readonly targetEmail: string | null;
  readonly targetUser: string;
  readonly targetPassword: string | null;
  readonly flags: string | null;
  /** Identity of the source mailbox in the project: the lower-cased address, else login name. */
  readonly sourceKey: string;
  readonly targetKey: string;
}

/** The outcome of `parsePairCsv`. */
export interface PairCsvResult {
  /** The format used; null when the header fits none. */
  readonly format: PairCsvFormat | null;
  /** Data rows in the file (the header and blank lines not counted). */
  readonly rows: number;
  /** The valid rows. */
  readonly pairs: readonly PairCsvRow[];
  /** Every problem, in line order. */
  readonly errors: readonly CsvRowError[];
  /** True when the file as a whole is unusable (unknown header, broken quoting): no row may be imported. */
  readonly fileError: boolean;
}

const isEndpointWide = (kind: EndpointAuthKind): boolean => kind !== 'password';

function headerError(header: readonly string[], format: PairCsvFormat | undefined): CsvRowError {
  const shown = header.map((c) => c.trim()).join(',');
  if (format !== undefined) {
    const m = matchHeader(header, format);
    if (!isHeaderMatch(m)) {
      const parts = [
        m.missing.length ? `missing ${m.missing.join(', ')}` : '',
        m.unknown.length ? `unknown ${m.unknown.join(', ')}` : '',
        m.duplicate.length ? `twice ${m.duplicate.join(', ')}` : '',
      ].filter(Boolean);
      return rowError(1, `unknown header "${shown}" for the ${PAIR_CSV_SPECS[format].title} format (${parts.join('; ')}); expected ${describeColumns(format)}`);
    }
  }
  const expected = PAIR_CSV_FORMATS.map((f) => `${PAIR_CSV_SPECS[f].title} (${describeColumns(f)})`).join('; or ');
  return rowError(1, `unknown header "${shown}": expected ${expected}`);
}

/** The trimmed value of each field the row has, by meaning; passwords are kept exactly as given. */
function valuesOf(match: HeaderMatch, fields: readonly string[]): Map<PairCsvField, string> {
  const values = new Map<PairCsvField, string>();
  match.columns.forEach((col, i) => {
    const raw = fields[i] ?? '';
    values.set(col.field, col.field === 'sourcePassword' || col.field === 'targetPassword' ? raw : raw.trim());
  });
  return values;
}

interface RowCheck {
  readonly row: PairCsvRow | null;
  readonly errors: CsvRowError[];
  /** Keys for the duplicate check, even when the row has other problems. */
  readonly sourceKey: string | null;
  readonly targetKey: string | null;
}

function checkRow(format: PairCsvFormat, record: CsvRecord, values: Map<PairCsvField, string>, access: PairCsvAccess): RowCheck {
  const line = record.line;
  const errors: CsvRowError[] = [];
  const name = (field: PairCsvField): string => PAIR_CSV_SPECS[format].columns.find((c) => c.field === field)?.name ?? field;
  const get = (field: PairCsvField): string => values.get(field) ?? '';
  const required = (field: PairCsvField): string | null => {
    const value = get(field);
    if (value.trim() === '') {
      errors.push(rowError(line, `missing required field ${name(field)}`, name(field)));
      return null;
    }
    return value;
  };
  const email = (field: PairCsvField): string | null => {
    const value = required(field);
    if (value === null) return null;
    if (!isEmailAddress(value)) {
      errors.push(rowError(line, `invalid email address in ${name(field)}: "${value}"`, name(field)));
      return null;
    }
    return value;
  };
  const password = (field: PairCsvField, side: 'source' | 'target'): string | null => {
    const value = get(field);
    if (value !== '') return value;
    if (!isEndpointWide(access[side])) {
      errors.push(rowError(line, `password missing: ${name(field)} is required because the ${side} endpoint logs in per user (password access), not with admin (master) access`, name(field)));
    }
    return null;
  };
  const needAdmin = (side: 'source' | 'target'): void => {
    if (!isEndpointWide(access[side])) {
      errors.push(rowError(line, `the ${PAIR_CSV_SPECS[format].title} format needs admin (master) access on the ${side} endpoint, but it uses per-user password access`));
    }
  };

  let sourceEmail: string | null = null;
  let sourceUser: string | null = null;
  let targetEmail: string | null = null;
  let targetUser: string | null = null;
  let sourcePassword: string | null = null;
  let targetPassword: string | null = null;
  let flags: string | null = null;
  if (format === 'migrationwiz') {
    sourceEmail = email('sourceEmail');
    sourceUser = get('sourceLogin') || sourceEmail;
    sourcePassword = password('sourcePassword', 'source');
    targetEmail = email('targetEmail');
    targetUser = get('targetLogin') || targetEmail;
    targetPassword = password('targetPassword', 'target');
    flags = get('flags') || null;
  } else if (format === 'm365') {
    targetEmail = email('targetEmail');
    targetUser = targetEmail;
    sourceUser = required('sourceLogin');
    sourceEmail = sourceUser !== null && isEmailAddress(sourceUser) ? sourceUser : null;
    sourcePassword = password('sourcePassword', 'source');
    needAdmin('target');
  } else {
    sourceEmail = email('sourceEmail');
    sourceUser = sourceEmail;
    targetEmail = email('targetEmail');
    targetUser = targetEmail;
    needAdmin('source');
    needAdmin('target');
  }
  const sourceKey = (sourceEmail ?? sourceUser)?.toLowerCase() ?? null;
  const targetKey = (targetEmail ?? targetUser)?.toLowerCase() ?? null;
  return {
    row: errors.length === 0 && sourceUser !== null && targetUser !== null && sourceKey !== null && targetKey !== null ? { line, sourceEmail, sourceUser, sourcePassword, targetEmail, targetUser, targetPassword, flags, sourceKey, targetKey } : null,
    errors,
    sourceKey,
    targetKey,
  };
}

/** Parses and validates a CSV file of mailbox pairs. Never throws for bad input: it is all in `errors`. */
export function parsePairCsv(text: string, options: PairCsvOptions): PairCsvResult {
  const read = readCsv(text);
  const [header, ...records] = read.records;
  if (!header) {
    const errors = read.error ? [rowError(read.error.line, read.error.reason)] : [rowError(1, 'the file is empty: a header line is expected')];
    return { format: options.format ?? null, rows: 0, pairs: [], errors, fileError: true };
  }
  if (header.line !== 1) {
    return { format: options.format ?? null, rows: records.length, pairs: [], errors: [rowError(1, 'the first line is blank: the header must be on line 1')], fileError: true };
  }
  const detected = options.format === undefined ? detectFormat(header.fields) : matchHeader(header.fields, options.format);
  if (detected === null || !isHeaderMatch(detected)) {
    return { format: options.format ?? null, rows: records.length, pairs: [], errors: [headerError(header.fields, options.format)], fileError: true };
  }
  const format = detected.format;
  const errors: CsvRowError[] = [];
  const pairs: PairCsvRow[] = [];
  const firstSource = new Map<string, number>();
  const firstTarget = new Map<string, number>();
  for (const record of records) {
    if (record.fields.length !== header.fields.length) {
      errors.push(rowError(record.line, `wrong column count: ${record.fields.length} fields, the header has ${header.fields.length}`));
      continue;
    }
    const check = checkRow(format, record, valuesOf(detected, record.fields), options.access);
    const rowErrors = [...check.errors];
    const dup = (key: string | null, first: Map<string, number>, what: 'source' | 'target'): void => {
      if (key === null) return;
      const seen = first.get(key);
      if (seen === undefined) first.set(key, record.line);
      else rowErrors.push(rowError(record.line, `duplicate ${what} "${key}": first on line ${seen}`));
    };
    dup(check.sourceKey, firstSource, 'source');
    dup(check.targetKey, firstTarget, 'target');
    errors.push(...rowErrors);
    if (rowErrors.length === 0 && check.row) pairs.push(check.row);
  }
  if (read.error) errors.push(rowError(read.error.line, read.error.reason));
  return { format, rows: records.length, pairs, errors, fileError: read.error !== null };
}
