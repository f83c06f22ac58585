/**
 * Starts a real Radicale (Debian package, `radicale` command) for integration tests, on a free loopback
 * port with its own config, htpasswd users (bcrypt), rights and storage under `.test-state/`. Stops
 * only the process it started; the system service is never touched.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import { freePort } from './free-port.ts';

/** A running Radicale. */
export interface RadicaleInstance {
  readonly name: 'radicale';
  /** Server root, e.g. http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  /** Home set (the principal collection) of a user: Radicale keeps calendars and address books together. */
  homePath(user: string, kind: 'caldav' | 'carddav'): string;
  stop(): Promise<void>;
}

/** Options of `startRadicale`. */
export interface RadicaleOptions {
  /** user -> password */
  readonly users: Record<string, string>;
  /** Admin users who may read and write every user's collections (rights file). */
  readonly admins?: Record<string, string>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const stateRoot = (): string => process.env['CUTOVER_TEST_STATE'] ?? join(repoRoot, '.test-state');
const running = new Set<ChildProcess>();
let exitHook = false;

/** Resolves when something answers HTTP on the port. */
export async function waitForHttp(port: number, timeoutMs: number, logPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'OPTIONS' }, (res) => {
        res.resume();
        r(true);
      });
      req.on('error', () => r(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no HTTP answer on port ${port}:\n${readTail(logPath)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The end of a log file, for error messages. */
export function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-3000);
  } catch {
    return `(no ${path})`;
  }
}

/** Stops a child started by a helper: SIGTERM, then SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Kills children left running when the test process exits. */
export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

/** Starts Radicale with the given users. */
export async function startRadicale(options: RadicaleOptions): Promise<RadicaleInstance> {
  const stateDir = join(stateRoot(), `radicale-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(join(stateDir, 'collections'), { recursive: true });
  const users = join(stateDir, 'users');
  const all = { ...options.users, ...(options.admins ?? {}) };
  writeFileSync(users, '');
  for (const [user, password] of Object.entries(all)) execFileSync('htpasswd', ['-B', '-b', users, user, password], { stdio: 'ignore' });
  const rights = [
    ...Object.keys(options.admins ?? {}).map((admin) => `[admin-${admin}]\nuser: ${admin}\ncollection: .*\npermissions: RrWw\n`),
    '[owner]\nuser: .+\ncollection: {user}(/.*)?\npermissions: RrWw\n',
    '[root]\nuser: .+\ncollection:\npermissions: R\n',
  ].join('\n');
  writeFileSync(join(stateDir, 'rights'), rights);
  const port = await freePort();
  const config = [
    '[server]', `hosts = 127.0.0.1:${port}`,
    '[auth]', 'type = htpasswd', `htpasswd_filename = ${users}`, 'htpasswd_encryption = bcrypt', 'delay = 0',
    '[rights]', 'type = from_file', `file = ${join(stateDir, 'rights')}`,
    '[storage]', `filesystem_folder = ${join(stateDir, 'collections')}`,
    '[logging]', 'level = warning',
  ].join('\n') + '\n';
  const configPath = join(stateDir, 'radicale.conf');
  writeFileSync(configPath, config);
  const logPath = join(stateDir, 'radicale.log');
  const out = openSync(logPath, 'a');
  const child = spawn('radicale', ['--config', configPath], { stdio: ['ignore', out, out] });
  trackChild(child);
  await waitForHttp(port, 15_000, logPath);
  return {
    name: 'radicale', url: `http://127.0.0.1:${port}/`, port, stateDir,
    homePath: (user) => `/${user}/`,
    async stop() {
      await stopChild(child);
      if (process.env['CUTOVER_KEEP_TEST_STATE'] !== '1') rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
