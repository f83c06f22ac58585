/**
 * Starts real, independent Dovecot 2.3 instances for integration tests. Each instance has its own
 * config, state dir, sockets, log and ports under `.test-state/` (or a state dir the caller names and
 * keeps, for the benchmark's reused sources); the system `/etc/dovecot` and any system service are
 * never read or touched. The config itself is rendered by dovecot-config.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { isRoot, mailGid, mailUid, renderConfig } from './dovecot-config.ts';
import type { DovecotLayout, DovecotOptions } from './dovecot-config.ts';
import { freePort } from './free-port.ts';

export type { DovecotOptions, SpecialUseAttribute } from './dovecot-config.ts';

const execFileAsync = promisify(execFile);

export interface DovecotInstance {
  host: '127.0.0.1';
  /** Plain IMAP port (offers STARTTLS when tls is on). */
  port: number;
  /** Implicit-TLS port, only when tls is on. */
  tlsPort?: number;
  stateDir: string;
  configPath: string;
  logPath: string;
  /** PEM of the self-signed server certificate (it is its own CA), only when tls is on. */
  caCertPath?: string;
  stop(): Promise<void>;
  /** Stops and starts the same config on the same ports (mail is kept). */
  restart(): Promise<void>;
  userHome(user: string): string;
}

const repoRoot = resolve(import.meta.dirname, '../..');

/** test.sh points this at a per-run dir so it can clean up after a test process that was killed. */
function testStateRoot(): string {
  return process.env['CUTOVER_TEST_STATE'] ?? join(repoRoot, '.test-state');
}

/** Master pids of instances that are running, killed on process exit if a test forgot stop(). */
const running = new Set<number>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const pid of running) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });
}

function checkCredentialField(kind: string, value: string): void {
  // passwd-file is colon separated, one entry per line.
  if (value === '' || /[:\r\n]/.test(value)) {
    throw new Error(`startDovecot: ${kind} ${JSON.stringify(value)} must be non-empty without ':' or newlines`);
  }
}

function mkdir755(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  // mkdir honours the umask; login and auth processes run as other users and must enter these dirs.
  chmodSync(path, 0o755);
}

async function makeSelfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert,
  ]);
  chmodSync(cert, 0o644);
  // Dovecot reads the key as root (config parser) and passes it on; nobody else needs it.
  chmodSync(key, 0o600);
  return { cert, key };
}

function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      let buffered = '';
      const retry = (reason: string): void => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`Dovecot on port ${port} gave no greeting: ${reason}`));
        else setTimeout(attempt, 25);
      };
      socket.setTimeout(2000, () => retry('timeout'));
      socket.on('error', (err) => retry(err.message));
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        if (buffered.includes('\r\n')) {
          socket.destroy();
          if (buffered.startsWith('* OK')) resolvePromise();
          else retry(`unexpected greeting ${JSON.stringify(buffered)}`);
        }
      });
    };
    attempt();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startMaster(layout: DovecotLayout, port: number): Promise<number> {
  // Dovecot keeps the caller's stdout/stderr open after it daemonizes: a pipe would never reach EOF.
  const out = openSync(layout.startupLogPath, 'a');
  try {
    const child = spawn('dovecot', ['-c', layout.configPath], { stdio: ['ignore', out, out] });
    const code = await new Promise<number | null>((r, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => r(c));
    });
    if (code !== 0) {
      throw new Error(`dovecot -c ${layout.configPath} exited with ${code}:\n${readTail(layout.startupLogPath)}\n${readTail(layout.logPath)}`);
    }
  } finally {
    closeSync(out);
  }
  await waitForGreeting(port, 10_000).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${readTail(layout.logPath)}`);
  });
  const pid = Number.parseInt(readFileSync(layout.pidPath, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid file ${layout.pidPath}`);
  running.add(pid);
  return pid;
}

async function stopMaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    running.delete(pid);
    return;
  }
  // Dovecot needs ~2.5 s to shut down its processes; past 15 s something is wrong, so force it.
  const deadline = Date.now() + 15_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(25);
  }
  running.delete(pid);
}

function readTail(path: string, bytes = 4000): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return `(no ${path})`;
  }
}

/**
 * Dovecot's base_dir holds its unix sockets, and a socket path must fit in sun_path (108 bytes, see
 * unix(7)). Under a deep checkout it did not: CI's
 * `/check/work/main/.test-state/run-13419/dovecot-imap-connector-plain-18427-8f072a/run/token-login/imap-urlauth`
 * made Dovecot exit with "File name too long". So base_dir is a short dir in /tmp named by a hash of
 * the state dir (the same state dir always gets the same one, which claimStateDir relies on), and
 * `<stateDir>/run` is a symlink to it so test.sh's clean-up and post-mortems find master.pid there.
 */
export function runDirFor(stateDir: string): string {
  return join('/tmp', `cutover-dovecot-${createHash('sha256').update(stateDir).digest('hex').slice(0, 16)}`);
}

/**
 * A reused state dir may hold the run dir of an earlier master: refuse when that master still runs
 * (two instances on one mail store would corrupt each other's indexes), else clear the stale sockets.
 */
function claimStateDir(stateDir: string): void {
  const pidPath = join(stateDir, 'run', 'master.pid');
  if (existsSync(pidPath)) {
    const pid = Number.parseInt(readFileSync(pidPath, 'utf8').trim(), 10);
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // Not running (or not Linux): treat as stale.
    }
    if (Number.isInteger(pid) && pid > 0 && comm === 'dovecot' && isAlive(pid)) {
      throw new Error(`startDovecot: state dir ${stateDir} is in use by the running Dovecot master ${pid}`);
    }
  }
  // The link (or, from before the short run dirs, a real dir) and what it points to.
  rmSync(join(stateDir, 'run'), { recursive: true, force: true });
  rmSync(runDirFor(stateDir), { recursive: true, force: true });
}

export async function startDovecot(options: DovecotOptions): Promise<DovecotInstance> {
  installExitHandler();
  for (const [user, password] of [...Object.entries(options.users), ...Object.entries(options.masterUsers ?? {})]) {
    checkCredentialField('user', user);
    checkCredentialField('password', password);
  }
  const safeName = options.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  // A caller's own state dir is reused and kept; otherwise a fresh one that stop() removes.
  const keepState = options.stateDir !== undefined;
  let stateDir: string;
  if (options.stateDir !== undefined) {
    stateDir = resolve(options.stateDir);
    claimStateDir(stateDir);
  } else {
    const root = testStateRoot();
    mkdir755(root);
    stateDir = join(root, `dovecot-${safeName}-${process.pid}-${randomBytes(3).toString('hex')}`);
  }
  mkdir755(stateDir);
  for (const sub of ['lib', 'home', 'tls']) mkdir755(join(stateDir, sub));
  const runDir = runDirFor(stateDir);
  rmSync(runDir, { recursive: true, force: true });
  mkdir755(runDir);
  symlinkSync(runDir, join(stateDir, 'run'));

  const layout: DovecotLayout = {
    stateDir,
    runDir,
    configPath: join(stateDir, 'dovecot.conf'),
    logPath: join(stateDir, 'dovecot.log'),
    startupLogPath: join(stateDir, 'startup.log'),
    pidPath: join(runDir, 'master.pid'),
  };
  const userHome = (user: string): string => join(stateDir, 'home', user);

  const userLines: string[] = [];
  for (const [user, password] of Object.entries(options.users)) {
    const home = userHome(user);
    mkdir755(home);
    if (isRoot) chownSync(home, mailUid, mailGid);
    userLines.push(`${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::`);
  }
  writeFileSync(join(stateDir, 'users'), userLines.join('\n') + '\n', { mode: 0o644 });
  if (options.masterUsers) {
    const masterLines = Object.entries(options.masterUsers).map(([user, password]) => `${user}:{PLAIN}${password}`);
    writeFileSync(join(stateDir, 'master-users'), masterLines.join('\n') + '\n', { mode: 0o644 });
  }

  const certs = options.tls ? await makeSelfSignedCert(join(stateDir, 'tls')) : undefined;
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const instanceName = `cutover-test-${safeName}-${randomBytes(3).toString('hex')}`;
  writeFileSync(layout.configPath, renderConfig(options, layout, { port, tlsPort }, certs, instanceName), { mode: 0o644 });

  let pid: number | undefined = await startMaster(layout, port);
  let stopped = false;

  const instance: DovecotInstance = {
    host: '127.0.0.1',
    port,
    stateDir,
    configPath: layout.configPath,
    logPath: layout.logPath,
    userHome,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pid !== undefined) await stopMaster(pid);
      pid = undefined;
      // Only sockets and master.pid live there: nothing worth keeping once the master is gone.
      rmSync(runDir, { recursive: true, force: true });
      // Keep the state (logs, maildirs) when asked to, for post-mortems, or when it is the caller's.
      if (!keepState && process.env['CUTOVER_KEEP_TEST_STATE'] !== '1') rmSync(stateDir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      if (pid !== undefined) await stopMaster(pid);
      pid = undefined;
      pid = await startMaster(layout, port);
    },
  };
  if (tlsPort !== undefined) instance.tlsPort = tlsPort;
  if (certs) instance.caCertPath = certs.cert;
  return instance;
}

/** Runs doveadm against this instance's config, e.g. `['mailbox', 'status', '-u', 'alice', 'messages', 'INBOX']`. */
export async function doveadm(instance: Pick<DovecotInstance, 'configPath'>, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('doveadm', ['-c', instance.configPath, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`doveadm ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}
