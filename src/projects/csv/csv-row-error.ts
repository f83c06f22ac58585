/** A problem of one line of an imported CSV file. */
export interface CsvRowError {
  /** Physical line in the file, the header being line 1 (a record spanning lines counts from its first). */
  readonly line: number;
  /** What is wrong, in words for the user; never a password. */
  readonly reason: string;
  /** The column concerned, as the format names it, when one is. */
  readonly field?: string;
  /** `line N: reason` — ready to print. */
  readonly message: string;
}

/** A row error with its printable message. */
export function rowError(line: number, reason: string, field?: string): CsvRowError {
  return field === undefined ? { line, reason, message: `line ${line}: ${reason}` } : { line, reason, field, message: `line ${line}: ${reason}` };
}
