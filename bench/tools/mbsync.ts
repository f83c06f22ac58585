/**
 * mbsync (isync): IMAP to IMAP as a one-way pull (`Sync Pull`: new messages and flag changes),
 * target folders created, INTERNALDATE kept (`CopyArrivalDate yes`), its sync state in the pair's own
 * folder so a rerun is a delta. `FSync no`: like the other tools' state, nothing is flushed to disk per
 * write. `PipelineDepth` keeps its default (unlimited commands in flight); mbsync has no setting for
 * parallel connections: one connection per side, folders one after another.
 *
 * What the gate must know: mbsync adds an `X-TUID: <12 characters>` header line to every message it
 * copies (its way to find the new UID on servers without UIDPLUS), and isync 1.4 does not propagate
 * keywords (only \Seen \Answered \Flagged \Deleted \Draft).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero } from './types.ts';
import type { Account, PairSetup, Tool, ToolPair, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);

function account(name: string, a: Account): string {
  return [`IMAPAccount ${name}`, `Host ${a.host}`, `Port ${a.port}`, `User ${a.user}`, `Pass ${a.password}`, 'SSLType None', 'AuthMechs LOGIN', ''].join('\n');
}

export function mbsyncConfig(setup: PairSetup, stateDir: string): string {
  return [
    'FSync no', '',
    account('source', setup.source),
    account('target', setup.target),
    'IMAPStore source', 'Account source', '',
    'IMAPStore target', 'Account target', '',
    'Channel bench', 'Far :source:', 'Near :target:', 'Patterns *', 'Create Near', 'Sync Pull',
    'CopyArrivalDate yes', `SyncState ${stateDir}/`, '',
  ].join('\n');
}

export function mbsyncTool(): Tool {
  return {
    name: 'mbsync',
    gate: { dropHeader: 'X-TUID', systemFlagsOnly: true },
    incremental: true,
    targetAccess: 'imap',
    async version() {
      const { stdout } = await execFileAsync('mbsync', ['--version']).catch(() => ({ stdout: '?' }));
      return stdout.trim();
    },
    pair(setup: PairSetup): ToolPair {
      const dir = join(setup.workDir, 'mbsync');
      const conf = join(dir, 'mbsyncrc');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'state'), { recursive: true });
      writeFileSync(conf, mbsyncConfig(setup, join(dir, 'state')), { mode: 0o600 });
      return {
        async pass(kind, watch): Promise<ToolPass> {
          const m = await measure('mbsync', ['-c', conf, '-a'], { timeFile: join(dir, `${kind}.time`), watch });
          failIfNonZero('mbsync', kind, m);
          return m;
        },
      };
    },
  };
}
