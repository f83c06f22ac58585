/**
 * Cutover: `cutover sync` with imapsync flags (docs/cli-sync.md), a JSON summary and its own data
 * folder per pair. Every pass runs with `--syncflags`, so delta passes carry flag changes like the other
 * tools do (a mirror of content and flags: the same work), and `--connections N` (folders in parallel,
 * one connection per side each; N is the harness's --connections, default 4 as the CLI's). The data
 * folder starts as a copy of one that already ran a tiny sync of another pair (initdb and migrations are
 * a one-time cost per installation, not part of a copy).
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero, ToolFailed } from './types.ts';
import type { Account, PairSetup, Tool, ToolPair, ToolPass } from './types.ts';
import { CUTOVER_NODE_OPTIONS } from '../node-options.ts';

const execFileAsync = promisify(execFile);
export const CUTOVER_BIN = resolve(import.meta.dirname, '../../bin/cutover.js');

export function cutoverSyncArgs(source: Account, target: Account, dataDir: string): string[] {
  return [
    ...CUTOVER_NODE_OPTIONS, CUTOVER_BIN, 'sync',
    '--host1', source.host, '--port1', String(source.port), '--user1', source.user, '--password1', source.password, '--nossl1', '--notls1',
    '--host2', target.host, '--port2', String(target.port), '--user2', target.user, '--password2', target.password, '--nossl2', '--notls2',
    '--json', '--no-progress', '--data-dir', dataDir,
  ];
}

export interface CutoverSummary {
  status: string;
  durationMs: number;
  exitCode: number;
  counts: { copied: number; alreadyThere: number; skipped: number; failed: number; bytes: number };
}

export function parseSummary(label: string, stdout: string, stderr: string): CutoverSummary {
  try {
    return JSON.parse(stdout) as CutoverSummary;
  } catch {
    throw new ToolFailed(`cutover ${label}: output is not JSON:\n${stdout.slice(-2000)}\n--- stderr:\n${stderr.slice(-2000)}`);
  }
}

/**
 * Copies the pre-initialised template (a stopped cluster copies like any directory). `cp -a`, because
 * as root the cluster belongs to the unprivileged user PostgreSQL runs as, and fs.cpSync drops owners.
 */
export function freshDataDir(template: string, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  execFileSync('cp', ['-a', template, dir]);
}

/**
 * A data folder that has run once (initdb, migrations, a one-message sync of `source` -> `target`),
 * to be copied for every timed pair. Returns its path and how long that first run took.
 */
export async function warmDataDir(workDir: string, source: Account, target: Account): Promise<{ dir: string; firstRunS: number }> {
  const dir = join(workDir, 'cutover-template');
  rmSync(dir, { recursive: true, force: true });
  const m = await measure(process.execPath, cutoverSyncArgs(source, target, dir), { timeFile: join(workDir, 'cutover-warm.time') });
  const summary = parseSummary('warm-up', m.stdout, m.stderr);
  if (m.code !== 0 || summary.status !== 'completed') throw new Error(`cutover warm-up sync failed (exit ${m.code}):\n${m.stdout}\n${m.stderr}`);
  return { dir, firstRunS: m.wallS };
}

export function cutoverTool(opts: { template: () => string }): Tool {
  return {
    name: 'cutover',
    gate: {},
    incremental: true,
    targetAccess: 'imap',
    async version() {
      const { stdout } = await execFileAsync(process.execPath, [CUTOVER_BIN, '--version']).catch(() => ({ stdout: '?' }));
      return `cutover ${stdout.trim()} (Node ${process.version})`;
    },
    pair(setup: PairSetup): ToolPair {
      const dataDir = join(setup.workDir, 'cutover-data');
      freshDataDir(opts.template(), dataDir);
      const args = [...cutoverSyncArgs(setup.source, setup.target, dataDir), '--syncflags', '--connections', String(setup.connections)];
      return {
        async pass(kind, watch): Promise<ToolPass> {
          const m = await measure(process.execPath, args, { timeFile: join(setup.workDir, `cutover-${kind}.time`), watch });
          failIfNonZero('cutover', kind, m);
          const summary = parseSummary(kind, m.stdout, m.stderr);
          if (summary.status !== 'completed' || summary.counts.failed > 0) {
            throw new ToolFailed(`cutover ${kind}: status ${summary.status}, ${summary.counts.failed} failed:\n${m.stdout.slice(0, 3000)}`);
          }
          return { ...m, reportedS: summary.durationMs / 1000 };
        },
      };
    },
  };
}
