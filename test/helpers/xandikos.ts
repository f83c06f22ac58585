/**
 * Starts a real Xandikos (Debian package, `xandikos` command) for integration tests: a second,
 * different CalDAV/CardDAV implementation (git-backed, single user, no authentication), on a free
 * loopback port with its own state dir under `.test-state/`. Stops only the process it started.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.ts';
import { stopChild, trackChild, waitForHttp } from './radicale.ts';

/** A running Xandikos. */
export interface XandikosInstance {
  readonly name: 'xandikos';
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  /** The single user (its principal is /<user>/). */
  readonly user: string;
  homePath(user: string, kind: 'caldav' | 'carddav'): string;
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const stateRoot = (): string => process.env['CUTOVER_TEST_STATE'] ?? join(repoRoot, '.test-state');

/** Starts Xandikos with its default calendar and address book for `user` (default user1). */
export async function startXandikos(options: { user?: string } = {}): Promise<XandikosInstance> {
  const user = options.user ?? 'user1';
  const stateDir = join(stateRoot(), `xandikos-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(stateDir, { recursive: true });
  const port = await freePort();
  const logPath = join(stateDir, 'xandikos.log');
  const out = openSync(logPath, 'a');
  const child = spawn('xandikos', ['-d', join(stateDir, 'data'), '--defaults', '-l', '127.0.0.1', '-p', String(port), '--current-user-principal', `/${user}`], {
    stdio: ['ignore', out, out],
  });
  trackChild(child);
  await waitForHttp(port, 15_000, logPath);
  return {
    name: 'xandikos', url: `http://127.0.0.1:${port}/`, port, stateDir, user,
    homePath: (u, kind) => `/${u}/${kind === 'caldav' ? 'calendars' : 'contacts'}/`,
    async stop() {
      await stopChild(child);
      if (process.env['CUTOVER_KEEP_TEST_STATE'] !== '1') rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
