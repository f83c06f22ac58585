/**
 * Reads CSV text into records that know the physical line they start on (the header is line 1), with
 * csv-parse (RFC 4180 quoting: commas, quotes and line breaks inside quoted fields; CRLF, LF or CR line
 * ends, even mixed; a UTF-8 byte order mark).
 *
 * Line numbers are counted here, not taken from csv-parse: a record starts one line after the previous
 * one ended, and it ends as many lines later as its quoted fields hold line breaks. Blank lines (and
 * lines of commas only, as spreadsheets export them) are skipped but counted.
 */
import { parse } from 'csv-parse/sync';

/** One CSV record and the line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** What `readCsv` found: the records up to the first unreadable spot, and that spot if any. */
export interface CsvReadResult {
  readonly records: readonly CsvRecord[];
  /** A quoting error ends the reading: nothing after it can be trusted. */
  readonly error: { readonly line: number; readonly reason: string } | null;
}

const LINE_BREAK = /\r\n|\r|\n/g;

function lineBreaks(fields: readonly string[]): number {
  let n = 0;
  for (const field of fields) n += field.match(LINE_BREAK)?.length ?? 0;
  return n;
}

/** Splits CSV text into records with their starting line numbers. */
export function readCsv(text: string): CsvReadResult {
  const records: CsvRecord[] = [];
  let nextLine = 1;
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      on_record: (fields: string[]) => {
        const line = nextLine;
        nextLine += 1 + lineBreaks(fields);
        if (fields.some((f) => f.trim() !== '')) records.push({ line, fields });
        // Keep nothing in csv-parse's own output: the records are collected here.
        return null;
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'CSV_ERROR';
    const reason = code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field is never closed (a missing closing ")'
      : `the CSV cannot be read here (${code}): ${(err as Error).message.replace(/ at line \d+.*$/s, '')}`;
    return { records, error: { line: nextLine, reason } };
  }
  return { records, error: null };
}
