/**
 * `cutover project create|list|show|import|start|pause|resume|report`: projects through the HTTP API
 * (`cutover serve`). Every subcommand takes --url, --token and --json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../core/app-error.ts';
import type { ApiClient } from '../api-client.ts';
import { collect, fields, print, runApiCommand, stdio, table, withApiOptions } from '../api-command.ts';

/** A project as the API answers it (the fields the CLI shows). */
interface ProjectData {
  id: string; name: string; status: string; paused: boolean; sourceEndpointId: string | null; targetEndpointId: string | null;
  domains: string[]; cutoverAt: string | null; timeZone: string; pairCount?: number; createdAt: string;
}
interface ActionData { project: ProjectData; pairs: number; queued: number; skipped: number }
interface BatchData { id: string; name: string; isTest: boolean; pairCount: number }
interface ImportData {
  format: string; rows: number; created: number; updated: number; unchanged: number; imported: boolean;
  errors: Array<{ line: number; reason: string; field?: string }>;
}

function projectLines(p: ProjectData): string {
  return fields([
    ['id', p.id], ['name', p.name], ['status', p.paused ? `${p.status} (paused)` : p.status],
    ['source endpoint', p.sourceEndpointId], ['target endpoint', p.targetEndpointId], ['domains', p.domains.join(', ')],
    ['cutover', p.cutoverAt ? `${p.cutoverAt} (${p.timeZone})` : null], ['pairs', p.pairCount], ['created', p.createdAt],
  ]);
}

/** Text summary of an import (or its dry run): counts, then one line per bad row. */
export function importLines(result: ImportData, dryRun: boolean): string {
  const head = dryRun
    ? `dry run (${result.format}): ${result.rows} rows, ${result.errors.length} with errors; would create ${result.created}, update ${result.updated}, leave ${result.unchanged} unchanged`
    : `${result.imported ? 'imported' : 'NOT imported'} (${result.format}): ${result.rows} rows; created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, errors ${result.errors.length}`;
  const errors = result.errors.map((e) => `  line ${e.line}${e.field ? ` (${e.field})` : ''}: ${e.reason}`);
  return [head, ...errors].join('\n');
}

async function show(client: ApiClient, id: string): Promise<{ project: ProjectData; batches: BatchData[]; report: unknown }> {
  const [project, batches, report] = await Promise.all([
    client.get<ProjectData>(`/api/projects/${encodeURIComponent(id)}`),
    client.get<{ batches: BatchData[] }>(`/api/projects/${encodeURIComponent(id)}/batches`),
    client.get<unknown>(`/api/projects/${encodeURIComponent(id)}/report`),
  ]);
  return { project, batches: batches.batches, report };
}

/** Registers `project` and its subcommands. */
export function registerProject(program: Command): void {
  const project = program.command('project').description('Migration projects on a Cutover server (through its API)');

  withApiOptions(project.command('create <name>').description('Create a project'))
    .option('--source <endpointId>', 'source endpoint id')
    .option('--target <endpointId>', 'target endpoint id')
    .option('--domain <domain>', 'a domain of the organisation (repeatable)', collect, [])
    .option('--cutover-at <time>', 'planned cutover time, ISO 8601 with offset (2025-06-01T18:00:00+02:00)')
    .option('--time-zone <zone>', 'IANA time zone of the cutover, e.g. Europe/Berlin')
    .action((name: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ source?: string; target?: string; domain: string[]; cutoverAt?: string; timeZone?: string }>();
      const created = await client.post<ProjectData>('/api/projects', {
        name, ...(o.source ? { sourceEndpointId: o.source } : {}), ...(o.target ? { targetEndpointId: o.target } : {}),
        ...(o.domain.length > 0 ? { domains: o.domain } : {}), ...(o.cutoverAt ? { cutoverAt: o.cutoverAt } : {}),
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      });
      print(stdio, flags, created, () => projectLines(created));
    }));

  withApiOptions(project.command('list').description('List projects'))
    .action((_opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const { projects } = await client.get<{ projects: ProjectData[] }>('/api/projects');
      print(stdio, flags, projects, () => table(['ID', 'NAME', 'STATUS', 'PAIRS', 'CUTOVER'],
        projects.map((p) => [p.id, p.name, p.paused ? `${p.status} (paused)` : p.status, p.pairCount, p.cutoverAt])));
    }));

  withApiOptions(project.command('show <id>').description('Show a project, its batches and progress'))
    .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const data = await show(client, id);
      print(stdio, flags, data, () => [
        projectLines(data.project), '', 'batches:',
        data.batches.length === 0 ? '  (none)' : table(['ID', 'NAME', 'TEST', 'PAIRS'], data.batches.map((b) => [b.id, b.name, b.isTest ? 'yes' : '', b.pairCount])),
        '', 'report:', JSON.stringify(data.report, null, 2),
      ].join('\n'));
    }));

  withApiOptions(project.command('import <id> <file>').description('Import mailbox pairs from a CSV (MigrationWiz, Microsoft 365 IMAP, or source,target)'))
    .option('--batch <name>', 'batch to put the pairs in (default: the file name)')
    .option('--test-batch', 'make this batch the project\'s test batch')
    .option('--format <format>', 'force the CSV format instead of detecting it from the header')
    .option('--dry-run', 'check every row and show what would change; import nothing')
    .option('--import-valid-rows', 'import the valid rows even when some rows are bad')
    .action((id: string, file: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ batch?: string; testBatch?: boolean; format?: string; dryRun?: boolean; importValidRows?: boolean }>();
      let csv: string;
      try {
        csv = await readFile(file, 'utf8');
      } catch (err) {
        throw new AppError('USAGE_INVALID', `cannot read ${file}: ${(err as Error).message}`);
      }
      const batchName = o.batch ?? file.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
      const result = await client.request<ImportData>(`/api/projects/${encodeURIComponent(id)}/import`, {
        method: 'POST', text: csv, contentType: 'text/csv',
        query: { dryRun: o.dryRun ? 'true' : undefined, importValidRows: o.importValidRows ? 'true' : undefined, batch: batchName, testBatch: o.testBatch ? 'true' : undefined, format: o.format },
      });
      print(stdio, flags, result, () => importLines(result, o.dryRun ?? false));
      return result.errors.length > 0 ? 1 : 0;
    }));

  withApiOptions(project.command('start <id>').description('Start the project: queue a full pass for every idle pair'))
    .option('--batch <batchId>', 'only the pairs of this batch (e.g. the test batch)')
    .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const batch = cmd.opts<{ batch?: string }>().batch;
      const r = await client.post<ActionData>(`/api/projects/${encodeURIComponent(id)}/start`, batch ? { batchId: batch } : {});
      print(stdio, flags, r, () => `project ${r.project.id} started: ${r.queued} passes queued, ${r.skipped} pairs skipped (of ${r.pairs})`);
    }));

  for (const verb of ['pause', 'resume'] as const) {
    withApiOptions(project.command(`${verb} <id>`).description(verb === 'pause' ? 'Pause the project: no new pass starts' : 'Resume a paused project'))
      .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
        const r = await client.post<ActionData>(`/api/projects/${encodeURIComponent(id)}/${verb}`);
        print(stdio, flags, r, () => `project ${r.project.id} ${r.project.paused ? 'paused' : 'resumed'} (${r.pairs} pairs${r.queued > 0 ? `, ${r.queued} passes queued` : ''})`);
      }));
  }

  withApiOptions(project.command('report <id>').description('Project report: totals, progress, per-pair rows'))
    .option('--csv', 'the per-pair report as CSV')
    .option('--failed', 'the failed items instead (with --csv as CSV)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ csv?: boolean; failed?: boolean; out?: string }>();
      const path = `/api/projects/${encodeURIComponent(id)}/${o.failed ? 'failed-items' : 'report'}`;
      const body = await client.get<unknown>(path, o.csv ? { format: 'csv' } : undefined);
      const text = typeof body === 'string' ? body
        : flags.json || o.out || o.failed ? JSON.stringify(body, null, 2)
        : reportText(body as ReportData);
      if (o.out) {
        await writeFile(o.out, text);
        if (!flags.json) stdio.out(`written to ${o.out}`);
      } else {
        stdio.out(text);
      }
    }));
}


interface ReportData {
  projectName: string;
  pairs: { total: number; byState: Record<string, number> };
  items: { migrated: number; excluded: number; failed: number; inDoubt: number };
  bytes: number;
  throughput: { itemsPerSecond: number | null; bytesPerSecond: number | null } | null;
  progressPercent: number | null;
  estimatedSecondsLeft: number | null;
  pairRows?: Array<{ pairId: string; sourceEmail: string | null; targetEmail: string | null; state: string; migrated: number; failed: number; lastErrorCode: string | null }>;
}

/** The project report for people: totals, then one line per pair (--json gives everything). */
function reportText(r: ReportData): string {
  const states = Object.entries(r.pairs.byState).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`).join(', ');
  const mib = (r.bytes / 1048576).toFixed(1);
  const rate = r.throughput?.itemsPerSecond ? `${r.throughput.itemsPerSecond.toFixed(1)} items/s` : '-';
  const eta = r.estimatedSecondsLeft === null ? '-' : r.estimatedSecondsLeft === 0 ? 'done' : `${Math.ceil(r.estimatedSecondsLeft / 60)} min`;
  const head = fields([
    ['project', r.projectName],
    ['pairs', `${r.pairs.total} (${states || 'none'})`],
    ['items', `${r.items.migrated} migrated, ${r.items.excluded} excluded, ${r.items.failed} failed, ${r.items.inDoubt} in doubt`],
    ['data', `${mib} MiB`],
    ['progress', r.progressPercent === null ? '-' : `${r.progressPercent}%`],
    ['throughput', rate],
    ['time left', eta],
  ]);
  const rows = r.pairRows ?? [];
  return rows.length === 0 ? head
    : `${head}\n\n${table(['pair', 'source', 'target', 'state', 'migrated', 'failed', 'last error'], rows.map((p) => [p.pairId, p.sourceEmail, p.targetEmail, p.state, p.migrated, p.failed, p.lastErrorCode]))}`;
}
