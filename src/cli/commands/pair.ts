/**
 * `cutover pair list|show|delta|full|verify|pause|resume|stop|reset|retry|failed`: mailbox pairs through
 * the HTTP API. Every subcommand takes --url, --token and --json.
 */
import type { Command } from 'commander';
import { fields, print, runApiCommand, stdio, table, withApiOptions } from '../api-command.ts';

/** A pair as the API answers it. */
interface PairData {
  id: string; projectId: string | null; batchName: string | null; sourceEmail: string | null; targetEmail: string | null;
  sourceUser: string; targetUser: string; state: string; paused: boolean; lastErrorCode: string | null; lastErrorText: string | null;
  lastPassAt: string | null;
}
interface ActionData { pair: PairData; pass: { kind: string; jobId: string | null; alreadyQueued: boolean } | null; reset: { items: number; folders: number } | null }
interface PassData {
  id: string; kind: string; status: string; startedAt: string; finishedAt: string | null; worker: string | null; errorCode: string | null;
  counts: { copied: number; alreadyThere: number; skipped: number; excluded: number; failed: number; bytes: number };
}

const enc = encodeURIComponent;

function stateOf(p: PairData): string {
  return p.paused && p.state !== 'paused' ? `${p.state} (paused)` : p.state;
}

/** The simple actions: CLI verb → API path segment and what it prints. */
const ACTIONS: ReadonlyArray<{ verb: string; path: string; description: string }> = [
  { verb: 'full', path: 'full', description: 'Queue a full pass' },
  { verb: 'delta', path: 'delta', description: 'Queue a delta pass (new and previously failed items)' },
  { verb: 'verify', path: 'verify', description: 'Queue a verify pass: name every missing or extra item' },
  { verb: 'pause', path: 'pause', description: 'Pause the pair' },
  { verb: 'resume', path: 'resume', description: 'Resume the pair' },
  { verb: 'stop', path: 'stop', description: 'Stop the pair: cancel queued passes, interrupt a running one' },
  { verb: 'retry', path: 'retry-failed', description: 'Queue a pass that retries the failed items' },
];

/** Registers `pair` and its subcommands. */
export function registerPair(program: Command): void {
  const pair = program.command('pair').description('Mailbox pairs of a project on a Cutover server (through its API)');

  withApiOptions(pair.command('list <projectId>').description('List the pairs of a project'))
    .option('--batch <batchId>', 'only this batch')
    .option('--state <state>', 'only this state (idle, queued, running, paused, stopped, failed, completed)')
    .option('--search <text>', 'address or login name contains')
    .option('--sort <field>', 'id, source, target, state, batch, lastPassAt; -field descending')
    .option('--limit <n>', 'rows per page', '100')
    .option('--offset <n>', 'rows to skip', '0')
    .action((projectId: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ batch?: string; state?: string; search?: string; sort?: string; limit: string; offset: string }>();
      const data = await client.get<{ pairs: PairData[]; total: number; offset: number }>(`/api/projects/${enc(projectId)}/pairs`, {
        batchId: o.batch, state: o.state, search: o.search, sort: o.sort, limit: o.limit, offset: o.offset,
      });
      print(stdio, flags, data, () => [
        table(['ID', 'SOURCE', 'TARGET', 'BATCH', 'STATE', 'LAST ERROR'],
          data.pairs.map((p) => [p.id, p.sourceEmail ?? p.sourceUser, p.targetEmail ?? p.targetUser, p.batchName, stateOf(p), p.lastErrorCode])),
        `${data.pairs.length} of ${data.total} pairs (from ${data.offset + 1})`,
      ].join('\n'));
    }));

  withApiOptions(pair.command('show <pairId>').description('Show a pair and its pass history'))
    .action((pairId: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const [p, passes] = await Promise.all([
        client.get<PairData>(`/api/pairs/${enc(pairId)}`),
        client.get<{ passes: PassData[] }>(`/api/pairs/${enc(pairId)}/passes`, { limit: 20 }),
      ]);
      print(stdio, flags, { pair: p, passes: passes.passes }, () => [
        fields([
          ['id', p.id], ['project', p.projectId], ['batch', p.batchName], ['source', `${p.sourceEmail ?? ''} (login ${p.sourceUser})`],
          ['target', `${p.targetEmail ?? ''} (login ${p.targetUser})`], ['state', stateOf(p)], ['last pass', p.lastPassAt],
          ['last error', p.lastErrorCode ? `${p.lastErrorCode}: ${p.lastErrorText ?? ''}` : null],
        ]),
        '', 'passes:',
        passes.passes.length === 0 ? '  (none)' : table(['ID', 'KIND', 'STATUS', 'STARTED', 'COPIED', 'FAILED', 'BYTES', 'WORKER', 'ERROR'],
          passes.passes.map((s) => [s.id, s.kind, s.status, s.startedAt, s.counts.copied, s.counts.failed, s.counts.bytes, s.worker, s.errorCode])),
      ].join('\n'));
    }));

  for (const action of ACTIONS) {
    withApiOptions(pair.command(`${action.verb} <pairId>`).description(action.description))
      .action((pairId: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
        const r = await client.post<ActionData>(`/api/pairs/${enc(pairId)}/${action.path}`);
        print(stdio, flags, r, () => `pair ${r.pair.id}: ${action.verb} ${r.pass?.alreadyQueued ? 'already queued' : 'done'}; state ${stateOf(r.pair)}`);
      }));
  }

  withApiOptions(pair.command('reset <pairId>').description('Reset the ledger of a pair (or of one folder); the next pass looks on the target before copying'))
    .option('--folder <name>', 'only this source folder')
    .action((pairId: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const folder = cmd.opts<{ folder?: string }>().folder;
      const r = await client.request<ActionData>(`/api/pairs/${enc(pairId)}/reset`, { method: 'POST', json: {}, query: { folder } });
      print(stdio, flags, r, () => `pair ${r.pair.id}: ledger reset${folder ? ` for folder ${folder}` : ''} (${r.reset?.items ?? 0} items, ${r.reset?.folders ?? 0} folders)`);
    }));

  withApiOptions(pair.command('failed <pairId>').description('Failed items of a pair: folder, subject, date, size, reason'))
    .option('--limit <n>', 'rows', '100')
    .option('--offset <n>', 'rows to skip', '0')
    .action((pairId: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ limit: string; offset: string }>();
      const data = await client.get<{ items: Array<Record<string, unknown>>; total?: number }>(`/api/pairs/${enc(pairId)}/failed-items`, { limit: o.limit, offset: o.offset });
      print(stdio, flags, data, () => data.items.length === 0 ? 'no failed items' : table(['FOLDER', 'SUBJECT', 'DATE', 'SIZE', 'REASON'],
        data.items.map((i) => [i['folder'], i['subject'], i['date'], i['size'], [i['reasonCode'], i['reasonText']].filter(Boolean).join(': ')])));
    }));
}
