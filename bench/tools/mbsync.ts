/**
 * mbsync (isync): IMAP to IMAP as a one-way pull, the configuration SERVICES.md measured. Its sync
 * state lives in an explicit directory so reruns are deltas, like Cutover's ledger.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero } from './types.ts';
import type { Account, Tool, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);

function account(name: string, a: Account): string {
  return [`IMAPAccount ${name}`, `Host ${a.host}`, `Port ${a.port}`, `User ${a.user}`, `Pass ${a.password}`, 'SSLType None', 'AuthMechs LOGIN', ''].join('\n');
}

export function mbsyncTool(opts: { source: Account; target: Account; workDir: string }): Tool {
  const dir = join(opts.workDir, 'mbsync');
  const conf = join(dir, 'mbsyncrc');
  return {
    name: 'mbsync',
    async version() {
      const { stdout } = await execFileAsync('mbsync', ['--version']).catch(() => ({ stdout: '?' }));
      return stdout.trim();
    },
    prepare() {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'state'), { recursive: true });
      writeFileSync(conf, [
        account('source', opts.source),
        account('target', opts.target),
        'IMAPStore source', 'Account source', '',
        'IMAPStore target', 'Account target', '',
        'Channel bench', 'Far :source:', 'Near :target:', 'Patterns *', 'Create Near', 'Sync Pull',
        'CopyArrivalDate yes', `SyncState ${join(dir, 'state')}/`, '',
      ].join('\n'), { mode: 0o600 });
    },
    async run(label): Promise<ToolPass> {
      const m = await measure('mbsync', ['-c', conf, '-a'], { timeFile: join(dir, `${label}.time`) });
      failIfNonZero('mbsync', label, m);
      return m;
    },
  };
}
