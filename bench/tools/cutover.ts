/**
 * Cutover: `cutover sync` with imapsync flags, JSON summary, its own data folder. The data folder is a
 * copy of one that already ran a tiny sync (see warm-data-dir.ts), so the timed full copy measures the
 * copy, not PostgreSQL's one-time initdb.
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero, ToolFailed } from './types.ts';
import type { Account, Tool, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);
export const CUTOVER_BIN = resolve(import.meta.dirname, '../../bin/cutover.js');

export function cutoverSyncArgs(source: Account, target: Account, dataDir: string): string[] {
  return [
    CUTOVER_BIN, 'sync',
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

export function cutoverTool(opts: { source: Account; target: Account; workDir: string; template: string }): Tool {
  const dataDir = join(opts.workDir, 'cutover-data');
  return {
    name: 'cutover',
    async version() {
      const { stdout } = await execFileAsync(process.execPath, [CUTOVER_BIN, '--version']).catch(() => ({ stdout: '?' }));
      return `cutover ${stdout.trim()} (Node ${process.version})`;
    },
    prepare() {
      freshDataDir(opts.template, dataDir);
    },
    async run(label): Promise<ToolPass> {
      const m = await measure(process.execPath, cutoverSyncArgs(opts.source, opts.target, dataDir), { timeFile: join(opts.workDir, `cutover-${label}.time`) });
      failIfNonZero('cutover', label, m);
      const summary = parseSummary(label, m.stdout, m.stderr);
      if (summary.status !== 'completed' || summary.counts.failed > 0) {
        throw new ToolFailed(`cutover ${label}: status ${summary.status}, ${summary.counts.failed} failed:\n${m.stdout.slice(0, 3000)}`);
      }
      return { ...m, reportedS: summary.durationMs / 1000 };
    },
  };
}
