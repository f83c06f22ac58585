/**
 * Dovecot's own migration path: `doveadm backup -R … imapc:` (dsync) run on the target side, reading
 * the source through imapc. It writes the target's storage directly, not through IMAP, so it is the
 * server's own limit rather than a peer: with a delay proxy only its imapc (source) side is remote, and
 * a target that hides IMAP capabilities ('cloud') does not slow it down. One imapc connection; the
 * settings are Dovecot's documented migration ones (doc.dovecot.org, "Migration with dsync").
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero } from './types.ts';
import type { PairSetup, Tool, ToolPair, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);

export function doveadmArgs(setup: PairSetup): string[] {
  const { source, target } = setup;
  return [
    '-c', setup.targetConfigPath,
    '-o', `imapc_host=${source.host}`, '-o', `imapc_port=${source.port}`,
    '-o', `imapc_user=${source.user}`, '-o', `imapc_password=${source.password}`,
    // Sizes from RFC822.SIZE and GUIDs from fetched headers, so dsync can match messages without bodies;
    // up to 20 message bodies requested ahead (pipelined FETCHes) on the one imapc connection.
    '-o', 'imapc_features=rfc822.size fetch-headers', '-o', 'mail_prefetch_count=20',
    'backup', '-R', '-u', target.user, 'imapc:',
  ];
}

export function doveadmTool(): Tool {
  return {
    name: 'doveadm',
    gate: {},
    incremental: true,
    targetAccess: 'storage',
    async version() {
      const { stdout } = await execFileAsync('dovecot', ['--version']).catch(() => ({ stdout: '?' }));
      return `doveadm backup (Dovecot ${stdout.trim()})`;
    },
    pair(setup: PairSetup): ToolPair {
      const args = doveadmArgs(setup);
      return {
        async pass(kind, watch): Promise<ToolPass> {
          const m = await measure('doveadm', args, { timeFile: join(setup.workDir, `doveadm-${kind}.time`), watch });
          failIfNonZero('doveadm backup', kind, m);
          return m;
        },
      };
    },
  };
}
