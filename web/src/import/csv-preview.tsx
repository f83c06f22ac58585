/** Every row of the checked file with the server's verdict: OK, or the reason it is bad. */
import type { ImportResult } from '../api/types.ts';
import { isSecretColumn, parseCsv } from '../lib/csv.ts';

/** Props of `CsvPreview`. */
export interface CsvPreviewProps {
  readonly csv: string;
  readonly result: ImportResult;
}

/** Rows shown at most (the summary counts all of them). */
const MAX_ROWS = 500;

/** The preview table. */
export function CsvPreview({ csv, result }: CsvPreviewProps) {
  const rows = parseCsv(csv);
  const header = rows[0] ?? [];
  const body = rows.slice(1).map((cells, i) => ({ line: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== ''));
  const errorsByLine = new Map<number, string[]>();
  for (const e of result.errors) errorsByLine.set(e.line, [...(errorsByLine.get(e.line) ?? []), e.reason]);
  const shownLines = new Set(body.slice(0, MAX_ROWS).map((r) => r.line));
  const orphanErrors = result.errors.filter((e) => !shownLines.has(e.line));
  const secret = header.map(isSecretColumn);
  const bad = result.errors.length;

  return (
    <section className="card panel" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p className={bad ? 'banner banner--bad' : 'banner banner--ok'} role="status">
        {result.rows} rows ({result.format ?? 'unknown format'}): {bad ? `${bad} ${bad === 1 ? 'row needs' : 'rows need'} fixing` : 'all rows are valid'}
        {' · '}{result.created} new, {result.updated} changed, {result.unchanged} unchanged.
      </p>
      {orphanErrors.length > 0 && (
        <ul className="error">{orphanErrors.map((e) => <li key={`${e.line}-${e.reason}`}>{e.message}</li>)}</ul>
      )}
      <div className="table-wrap">
        <table className="table table--compact csv-preview">
          <caption className="visually-hidden">Rows of the file with their check result</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Result</th>
              {header.map((h, i) => <th key={i} scope="col">{h}</th>)}
            </tr>
          </thead>
          <tbody>
            {body.slice(0, MAX_ROWS).map((r) => {
              const reasons = errorsByLine.get(r.line);
              return (
                <tr key={r.line} className={reasons ? 'row--bad' : ''} data-line={r.line} aria-invalid={reasons ? true : undefined}>
                  <th scope="row">{r.line}</th>
                  <td>{reasons ? <span className="bad"><span aria-hidden="true">✗ </span>{reasons.join('; ')}</span> : <span className="ok"><span aria-hidden="true">✓ </span>OK</span>}</td>
                  {header.map((_, i) => <td key={i}>{secret[i] && r.cells[i] ? '••••••' : r.cells[i] ?? ''}</td>)}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {body.length > MAX_ROWS && <p className="muted small">Showing the first {MAX_ROWS} of {body.length} rows; every bad row is listed above the table when it is further down.</p>}
    </section>
  );
}
