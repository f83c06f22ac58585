/**
 * CSV import with a preview: the file is checked by the server first (`dryRun`), every row is shown
 * with the server's verdict, bad rows are flagged with the reason, and nothing is imported until the
 * file is clean (or the person chooses to import only the valid rows).
 */
import { useState, type ChangeEvent } from 'react';
import { errorText, request } from '../api/client.ts';
import type { ImportResult } from '../api/types.ts';
import { Link } from '../components/link.tsx';
import { useProject } from '../project/project-context.ts';
import { CsvPreview } from './csv-preview.tsx';

function importUrl(projectId: string, options: { dryRun: boolean; batch: string; testBatch: boolean; validOnly: boolean }): string {
  const p = new URLSearchParams({ dryRun: String(options.dryRun) });
  if (options.batch) p.set('batch', options.batch);
  if (options.testBatch) p.set('testBatch', 'true');
  if (options.validOnly) p.set('importValidRows', 'true');
  return `/api/projects/${projectId}/import?${p.toString()}`;
}

/** The import tab. */
export function ImportPage() {
  const { project, canEdit, reloadProject } = useProject();
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [batch, setBatch] = useState('');
  const [testBatch, setTestBatch] = useState(false);
  const [validOnly, setValidOnly] = useState(false);
  const [preview, setPreview] = useState<{ result: ImportResult; csv: string } | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!canEdit) return <p>Viewers cannot import mailboxes.</p>;

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    setCsv(await file.text());
    setPreview(null);
    setDone(null);
  };

  const send = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const result = await request<ImportResult>(importUrl(project.id, { dryRun, batch, testBatch, validOnly }), { method: 'POST', body: csv, contentType: 'text/csv' });
      if (dryRun) {
        setPreview({ result, csv });
        setDone(null);
      } else {
        setDone(result);
        setPreview(result.imported ? null : { result, csv });
        if (result.imported) reloadProject();
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const stale = preview !== null && preview.csv !== csv;
  const bad = preview?.result.errors.length ?? 0;
  const canImport = preview !== null && !stale && (bad === 0 || validOnly) && preview.result.rows > 0;

  return (
    <div className="import">
      <section className="card panel" aria-labelledby="import-title">
        <h2 id="import-title">Import mailboxes from CSV</h2>
        <p className="muted small">
          MigrationWiz bulk-add, Microsoft 365 IMAP migration, or a plain <code>source,target</code> file (docs/csv-formats.md).
          The file is checked first; nothing is imported while a row is bad.
        </p>
        <div className="grid grid--2">
          <label className="field">
            <span>CSV file</span>
            <input type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} />
          </label>
          <label className="field">
            <span>Batch (optional)</span>
            <input value={batch} onChange={(e) => setBatch(e.target.value)} placeholder="wave 1" />
          </label>
        </div>
        <div className="field">
          <label htmlFor="csv-text">Contents{fileName ? ` of ${fileName}` : ''} — edit to fix a row, then check again</label>
          <textarea id="csv-text" className="csv-text" rows={8} spellCheck={false} value={csv} onChange={(e) => setCsv(e.target.value)} aria-describedby="csv-help" />
          <small id="csv-help" className="muted">Passwords in the file are sent to the server over this connection and stored sealed; they are never shown again.</small>
        </div>
        <div className="actions">
          <label className="field field--check"><input type="checkbox" checked={testBatch} onChange={(e) => setTestBatch(e.target.checked)} /><span>Test batch (migrated first)</span></label>
          <label className="field field--check"><input type="checkbox" checked={validOnly} onChange={(e) => setValidOnly(e.target.checked)} /><span>Import the valid rows even if some are bad</span></label>
        </div>
        <div className="actions">
          <button type="button" className="button" disabled={busy || !csv.trim()} onClick={() => void send(true)}>Check file</button>
          <button type="button" className="button button--primary" disabled={busy || !canImport} onClick={() => void send(false)}>
            {!preview || stale ? 'Import' : bad > 0 && !validOnly ? `Fix ${bad} ${bad === 1 ? 'row' : 'rows'} to import` : `Import ${preview.result.rows - (validOnly ? bad : 0)} mailboxes`}
          </button>
        </div>
        {stale && <p className="banner banner--warn" role="status">The contents changed since the check: check the file again before importing.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        {done?.imported && (
          <p className="banner banner--ok" role="status">
            Imported: {done.created} created, {done.updated} updated, {done.unchanged} unchanged. <Link href={`/projects/${project.id}/mailboxes`}>See the mailboxes</Link>
          </p>
        )}
      </section>
      {preview && <CsvPreview csv={preview.csv} result={preview.result} />}
    </div>
  );
}
