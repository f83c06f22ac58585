/**
 * Dovecot's own migration path: `doveadm backup -R` (dsync) on the target side, reading the source
 * through imapc. It writes the target's storage directly, not through IMAP, which is why it is the
 * fast anchor; Cutover can only use IMAP on both sides.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from '../measure.ts';
import { failIfNonZero } from './types.ts';
import type { Account, TargetAccount, Tool, ToolPass } from './types.ts';

const execFileAsync = promisify(execFile);

export function doveadmTool(opts: { source: Account; target: TargetAccount; workDir: string }): Tool {
  const { source, target } = opts;
  const args = [
    '-c', target.configPath,
    '-o', `imapc_host=${source.host}`, '-o', `imapc_port=${source.port}`,
    '-o', `imapc_user=${source.user}`, '-o', `imapc_password=${source.password}`,
    // Dovecot's documented migration settings: sizes from RFC822.SIZE, headers by FETCH for GUIDs.
    '-o', 'imapc_features=rfc822.size fetch-headers', '-o', 'mail_prefetch_count=20',
    'backup', '-R', '-u', target.user, 'imapc:',
  ];
  return {
    name: 'doveadm',
    async version() {
      const { stdout } = await execFileAsync('dovecot', ['--version']).catch(() => ({ stdout: '?' }));
      return `doveadm backup (Dovecot ${stdout.trim()})`;
    },
    prepare() {},
    async run(label): Promise<ToolPass> {
      const m = await measure('doveadm', args, { timeFile: join(opts.workDir, `doveadm-${label}.time`) });
      failIfNonZero('doveadm backup', label, m);
      return m;
    },
  };
}
