/**
 * Starts real, independent Dovecot 2.3 instances for integration tests. Each instance has its own
 * config, state dir, sockets, log and ports under `.test-state/`; the system `/etc/dovecot` and any
 * system service are never read or touched.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const execFileAsync = promisify(execFile);

export type SpecialUseAttribute = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

export interface DovecotOptions {
  /** Used in the state dir name and the instance name, so logs say which server is which. */
  name: string;
  /** user -> password */
  users: Record<string, string>;
  /** master user -> password; log in as `user*master` with the master's password. */
  masterUsers?: Record<string, string>;
  /** Hierarchy delimiter. Default '/'. */
  delimiter?: '/' | '.';
  /** Maildir layout. Default 'fs' for '/' (any name works) and 'maildir++' for '.'. maildir++ with
   * '/' imitates a server that cannot create a folder whose name contains '.'. */
  layout?: 'fs' | 'maildir++';
  /** Self-signed certificate: STARTTLS on the plain port plus an implicit-TLS port. */
  tls?: boolean;
  /** Replaces the advertised capability list (imap_capability), e.g. to hide CONDSTORE or MULTIAPPEND. */
  capabilities?: string;
  /** Folder name ('/'-separated) -> special-use attribute, e.g. { 'Sent Items': '\\Sent' }. */
  specialUse?: Record<string, SpecialUseAttribute>;
  /** Create (and subscribe) the specialUse folders at login instead of leaving them absent. */
  autoCreateSpecialUse?: boolean;
  /** Per-user storage quota. APPENDs that would exceed it fail with `NO [OVERQUOTA]`. */
  quotaBytes?: number;
  /** Largest message the server accepts (quota plugin's quota_max_mail_size); larger APPENDs fail. */
  appendLimitBytes?: number;
  /** Delay before a failed login is answered. Dovecot's default is 2 s; tests default to 0. */
  authFailureDelaySeconds?: number;
  /**
   * [issue 4, provider tests] passdb/userdb read this passwd-file instead of the generated one (the
   * test — e.g. the dovecot-passwd provider — writes it; `users` is then ignored). Dovecot re-reads it
   * when it changes.
   */
  usersFile?: string;
  /** [issue 4, provider tests] A master passdb (`user*master` logins) reading this passwd-file. */
  masterUsersFile?: string;
}

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

const isRoot = process.getuid?.() === 0;
/** Dovecot refuses mail access as uid 0, so as root mail belongs to `nobody`. */
const mailUid = isRoot ? 65534 : (process.getuid?.() ?? 65534);
const mailGid = isRoot ? 65534 : (process.getgid?.() ?? 65534);

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

/** Dovecot config strings: quote so names with spaces work; the delimiter inside is the server's. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
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

interface Layout {
  stateDir: string;
  configPath: string;
  logPath: string;
  startupLogPath: string;
  pidPath: string;
}

function renderConfig(options: DovecotOptions, layout: Layout, ports: { port: number; tlsPort: number | undefined }, certs: { cert: string; key: string } | undefined, instanceName: string): string {
  const delimiter = options.delimiter ?? '/';
  const { stateDir } = layout;
  const lines: string[] = [
    '# Generated by test/helpers/dovecot.ts for one test instance; nothing from /etc/dovecot is included.',
    `instance_name = ${instanceName}`,
    `base_dir = ${join(stateDir, 'run')}`,
    `state_dir = ${join(stateDir, 'lib')}`,
    `log_path = ${layout.logPath}`,
    'listen = 127.0.0.1',
    'protocols = imap',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    // The default of 10 is too low for parallel workers plus the test's own connections.
    'mail_max_userip_connections = 100',
    `mail_location = maildir:~/Maildir${(options.layout ?? (delimiter === '/' ? 'fs' : 'maildir++')) === 'fs' ? ':LAYOUT=fs' : ''}`,
    // Throw-away test mail: skipping fsync makes APPEND several times faster.
    'mail_fsync = never',
    `auth_failure_delay = ${options.authFailureDelaySeconds ?? 0} secs`,
    // Faster shutdown: do not wait for IMAP clients to log out when the master stops.
    'shutdown_clients = yes',
  ];
  if (!isRoot) {
    // Without root Dovecot cannot switch users: everything runs as the caller.
    const me = userInfo().username;
    lines.push(`default_login_user = ${me}`, `default_internal_user = ${me}`, `default_internal_group = ${me}`);
  }
  if (certs) {
    lines.push('ssl = yes', `ssl_cert = <${certs.cert}`, `ssl_key = <${certs.key}`);
    if (existsSync('/usr/share/dovecot/dh.pem')) lines.push('ssl_dh = </usr/share/dovecot/dh.pem');
  } else {
    lines.push('ssl = no');
  }
  if (options.capabilities !== undefined) {
    lines.push(`imap_capability = ${options.capabilities}`);
  }

  const quota = options.quotaBytes !== undefined || options.appendLimitBytes !== undefined;
  if (quota) {
    lines.push('mail_plugins = $mail_plugins quota', 'protocol imap {', '  mail_plugins = $mail_plugins imap_quota', '}');
    lines.push('plugin {');
    // count backend: exact, no maildir++ quota file to keep in sync; it needs virtual sizes.
    lines.push('  quota = count:User quota', '  quota_vsizes = yes');
    lines.push(`  quota_rule = *:storage=${options.quotaBytes !== undefined ? `${Math.max(1, Math.ceil(options.quotaBytes / 1024))}K` : '0'}`);
    if (options.appendLimitBytes !== undefined) lines.push(`  quota_max_mail_size = ${options.appendLimitBytes}B`);
    lines.push('}');
  }

  const masterFile = options.masterUsersFile ?? join(stateDir, 'master-users');
  const usersFile = options.usersFile ?? join(stateDir, 'users');
  if (options.masterUsersFile !== undefined || (options.masterUsers && Object.keys(options.masterUsers).length > 0)) {
    lines.push(
      'auth_master_user_separator = *',
      'passdb {',
      '  driver = passwd-file',
      '  master = yes',
      // pass = yes: after the master password matched, the next passdb must still know the user.
      '  pass = yes',
      `  args = scheme=PLAIN username_format=%u ${masterFile}`,
      '}',
    );
  }
  lines.push(
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${usersFile}`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${usersFile}`,
    '}',
  );

  lines.push('namespace inbox {', '  inbox = yes', `  separator = ${delimiter}`, '  prefix =');
  for (const [folder, attribute] of Object.entries(options.specialUse ?? {})) {
    const serverName = folder.split('/').join(delimiter);
    lines.push(`  mailbox ${quote(serverName)} {`, `    special_use = ${attribute}`, `    auto = ${options.autoCreateSpecialUse ? 'subscribe' : 'no'}`, '  }');
  }
  lines.push('}');

  lines.push(
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${ports.port}`,
    '  }',
    '  inet_listener imaps {',
    '    address = 127.0.0.1',
    `    port = ${ports.tlsPort ?? 0}`,
    '    ssl = yes',
    '  }',
    ...(isRoot ? [] : ['  chroot =']),
    '}',
  );
  // No per-IP auth penalty (up to 15 s per login): every test connects from 127.0.0.1, so one test's
  // deliberate failed login would slow down all later logins of every other test on this instance.
  lines.push('service anvil {', '  unix_listener anvil-auth-penalty {', '    mode = 0', '  }', ...(isRoot ? [] : ['  chroot =']), '}');
  return lines.join('\n') + '\n';
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

async function startMaster(layout: Layout, port: number): Promise<number> {
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

export async function startDovecot(options: DovecotOptions): Promise<DovecotInstance> {
  installExitHandler();
  for (const [user, password] of [...Object.entries(options.users), ...Object.entries(options.masterUsers ?? {})]) {
    checkCredentialField('user', user);
    checkCredentialField('password', password);
  }
  const safeName = options.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  const root = testStateRoot();
  mkdir755(root);
  const stateDir = join(root, `dovecot-${safeName}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdir755(stateDir);
  for (const sub of ['run', 'lib', 'home', 'tls']) mkdir755(join(stateDir, sub));

  const layout: Layout = {
    stateDir,
    configPath: join(stateDir, 'dovecot.conf'),
    logPath: join(stateDir, 'dovecot.log'),
    startupLogPath: join(stateDir, 'startup.log'),
    pidPath: join(stateDir, 'run', 'master.pid'),
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
      // Keep the state (logs, maildirs) when asked to, for post-mortems.
      if (process.env['CUTOVER_KEEP_TEST_STATE'] !== '1') rmSync(stateDir, { recursive: true, force: true });
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
