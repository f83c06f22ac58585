/**
 * offlineimap3 (Debian package `offlineimap3`): IMAP to IMAP, both repositories `type = IMAP`, run
 * one-shot (`-o`) with the quiet UI (`-u quiet`) and its own metadata folder per pair, so a rerun is a
 * delta from its SQLite status. Settings:
 * - `maxconnections` = the harness's --connections on both sides (Cutover's --connections likewise):
 *   up to that many threads copy messages at once, across folders;
 * - the source repository `readonly = True` and `createfolders = False`: offlineimap syncs both ways,
 *   and a migration must never write to the source;
 * - `[general] fsync = false`: its status database is not flushed per message (Cutover's embedded
 *   PostgreSQL and mbsync run without fsync too).
 *
 * Headers: offlineimap adds `X-OfflineIMAP: <random>` to a message only when the target lacks UIDPLUS
 * (RFC 4315), to find the new UID by SEARCH; every Dovecot target here has UIDPLUS, so no header is
 * added. It parses each message with Python's email package and re-serialises it before APPEND, so the
 * gate compares its bytes like any other tool's. It does not carry keywords between IMAP servers.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero } from './types.ts';
import type { Account, PairSetup, Tool, ToolPair, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);

function repository(name: string, a: Account, connections: number, extra: string[]): string[] {
  return [
    `[Repository ${name}]`, 'type = IMAP', `remotehost = ${a.host}`, `remoteport = ${a.port}`,
    `remoteuser = ${a.user}`, `remotepass = ${a.password}`, 'ssl = no', 'starttls = no',
    `maxconnections = ${connections}`, ...extra, '',
  ];
}

export function offlineimapConfig(setup: PairSetup, metadata: string): string {
  return [
    '[general]', 'accounts = bench', `metadata = ${metadata}`, 'maxsyncaccounts = 1', 'fsync = false', '',
    '[Account bench]', 'localrepository = target', 'remoterepository = source', '',
    ...repository('source', setup.source, setup.connections, ['readonly = True', 'createfolders = False']),
    ...repository('target', setup.target, setup.connections, []),
  ].join('\n');
}

export function offlineimapTool(): Tool {
  return {
    name: 'offlineimap',
    gate: { systemFlagsOnly: true },
    incremental: true,
    targetAccess: 'imap',
    async version() {
      const { stdout } = await execFileAsync('offlineimap', ['--version']).catch(() => ({ stdout: '?' }));
      return `offlineimap3 ${stdout.trim()}`;
    },
    pair(setup: PairSetup): ToolPair {
      const dir = join(setup.workDir, 'offlineimap');
      const conf = join(dir, 'offlineimaprc');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'metadata'), { recursive: true });
      writeFileSync(conf, offlineimapConfig(setup, join(dir, 'metadata')), { mode: 0o600 });
      return {
        async pass(kind, watch): Promise<ToolPass> {
          const m = await measure('offlineimap', ['-c', conf, '-o', '-u', 'quiet'], { timeFile: join(dir, `${kind}.time`), watch });
          failIfNonZero('offlineimap', kind, m);
          // offlineimap exits 0 after some errors; what it printed is the only sign.
          if (/ERROR|Traceback/.test(m.stderr)) throw new Error(`offlineimap ${kind} reported errors:\n${m.stderr.slice(-3000)}`);
          return m;
        },
      };
    },
  };
}
