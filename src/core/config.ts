/**
 * The process configuration of `cutover serve` and `cutover worker`: one schema, one loader, defaults
 * in one object. Sources, later ones winning: environment variables, then an optional JSON file
 * (`--config <file>`), then command-line flags. Startup fails with CONFIG_INVALID listing every
 * invalid key at once (with where it came from), never only the first. The result is frozen and
 * passed down; nothing else reads `process.env`.
 *
 * The secret key seals endpoint passwords and tokens at rest (core/secret-box.ts). It comes from
 * CUTOVER_SECRET_KEY, else from the key file (`<dataDir>/secret.key` unless set); a single-machine
 * `cutover serve` may generate that file (mode 0600) on first start. Workers on other machines must
 * be given the same key, so they never generate one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './app-error.ts';
import { parseSecretKey } from './secret-box.ts';

/** Log levels pino understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every default, in one place (docs/configuration.md lists them too). */
export const CONFIG_DEFAULTS = {
  dataDir: './cutover-data',
  host: '127.0.0.1',
  port: 8080,
  workerConcurrency: 4,
  passConnections: 2,
  logLevel: 'info',
  queueSchema: 'pgboss',
  jobHeartbeatSeconds: 10,
  superviseSeconds: 5,
  jobRetryLimit: 20,
  jobExpireSeconds: 86_400,
  shutdownTimeoutSeconds: 30,
  slotPollMilliseconds: 250,
  smtpPort: 25,
  smtpTls: 'starttls',
  smtpFrom: 'cutover@localhost',
  dnsServers: [] as string[],
  reconcileIntervalSeconds: 30,
  fakeClock: false,
} as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The schema of the merged settings (before the secret key is resolved). */
const settingsSchema = z.object({
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: int(0, 65_535),
  secretKey: z.string().min(1).optional(),
  secretKeyFile: z.string().min(1).optional(),
  workerConcurrency: int(1, 256),
  passConnections: int(1, 64),
  workerName: z.string().min(1).max(200).optional(),
  logLevel: z.enum(LOG_LEVELS),
  adminEmail: z.email().optional(),
  adminPassword: z.string().min(12, 'must be at least 12 characters').optional(),
  queueSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier'),
  // pg-boss refuses heartbeats under 10 s.
  jobHeartbeatSeconds: int(10, 3600),
  superviseSeconds: int(1, 3600),
  jobRetryLimit: int(0, 1000),
  // pg-boss caps job expiry at 24 h.
  jobExpireSeconds: int(60, 86_400),
  shutdownTimeoutSeconds: int(1, 3600),
  slotPollMilliseconds: int(20, 60_000),
  databasePoolSize: int(2, 1000).optional(),
  // Notifications (docs/notifications.md): no smtpHost = the outbox fills but nothing is sent.
  smtpHost: z.string().min(1).optional(),
  smtpPort: int(1, 65_535),
  smtpTls: z.enum(['implicit', 'starttls', 'none']),
  smtpUser: z.string().min(1).optional(),
  smtpPassword: z.string().optional(),
  // localhost addresses are fine here (zod's email() refuses a domain without a dot).
  smtpFrom: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
  // Resolvers the DNS checks ask (host, host:port, [v6]:port); the system's when empty.
  dnsServers: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v),
    z.array(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be host, host:port or [v6]:port')),
  ),
  reconcileIntervalSeconds: z.coerce.number().min(0.2).max(3600),
  // true, or the ISO time the fake clock starts at (when the database has none yet).
  fakeClock: z.preprocess(
    (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
    z.union([z.boolean(), z.iso.datetime({ offset: true })]),
  ),
});

type Settings = z.infer<typeof settingsSchema>;
type SettingKey = keyof Settings;

/** The loaded configuration. Secrets (`secretKey`, `adminPassword`, the password in `databaseUrl`) are never logged: use `describeConfig`. */
export interface Config {
  /** External PostgreSQL; absent: the embedded one in `dataDir` (serve only). */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** Where the API listens. */
  readonly host: string;
  readonly port: number;
  /** 32-byte key sealing endpoint passwords and tokens. */
  readonly secretKey: Buffer;
  /** Where the key came from (for messages): `env`, `file` or `generated`. */
  readonly secretKeySource: 'env' | 'file' | 'generated';
  /** Passes one worker process runs at once. */
  readonly workerConcurrency: number;
  /** IMAP connections per side a pass asks for (fewer when the endpoint's cap is reached). */
  readonly passConnections: number;
  /** Name of this process in pass records (default host:pid). */
  readonly workerName: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** First admin user, created at start when no user exists. */
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  /** PostgreSQL schema of the queue (pg-boss), apart from Cutover's tables. */
  readonly queueSchema: string;
  /** A worker that stops sending heartbeats for this long loses its passes to other workers. */
  readonly jobHeartbeatSeconds: number;
  /** How often each process looks for passes of dead workers (and expired ones). */
  readonly superviseSeconds: number;
  /** How often a pass may be handed back (shutdown, killed worker) before it counts as failed. */
  readonly jobRetryLimit: number;
  /** Longest a single pass may run before it is handed to another worker (it resumes there). */
  readonly jobExpireSeconds: number;
  /** SIGTERM: how long to wait for passes to reach a batch boundary before failing them over. */
  readonly shutdownTimeoutSeconds: number;
  /** How often a pass waiting for a free connection slot of an endpoint tries again (ms, jittered). */
  readonly slotPollMilliseconds: number;
  /** Pool size of the application's PostgreSQL pool (default from the concurrency). */
  readonly databasePoolSize: number;
  /** SMTP server of notifications; absent: notifications stay in the outbox. */
  readonly smtp?: { readonly host: string; readonly port: number; readonly tls: 'implicit' | 'starttls' | 'none'; readonly user?: string; readonly password?: string };
  /** From address of notifications (a project's `fromEmail` setting wins). */
  readonly smtpFrom: string;
  /** DNS resolvers of the domain checks; empty: the system's. */
  readonly dnsServers: readonly string[];
  /** Seconds between reconciler ticks (the orchestrator, the outbox). */
  readonly reconcileIntervalSeconds: number;
  /** Fake-clock mode (docs/fake-clock.md): the time lives in the database and moves only by the admin API. */
  readonly fakeClock: boolean;
  /** Start of the fake clock when the database holds none yet (default: the real time at start). */
  readonly fakeClockStart?: string;
}

/** Where a setting may come from: its environment variable and its flag. */
const SOURCES: Readonly<Record<SettingKey, { env: readonly string[]; flag: string }>> = {
  databaseUrl: { env: ['DATABASE_URL'], flag: '--database-url' },
  dataDir: { env: ['CUTOVER_DATA_DIR'], flag: '--data-dir' },
  host: { env: ['CUTOVER_HOST'], flag: '--host' },
  port: { env: ['CUTOVER_PORT', 'PORT'], flag: '--port' },
  secretKey: { env: ['CUTOVER_SECRET_KEY'], flag: '--secret-key' },
  secretKeyFile: { env: ['CUTOVER_SECRET_KEY_FILE'], flag: '--secret-key-file' },
  workerConcurrency: { env: ['CUTOVER_WORKER_CONCURRENCY'], flag: '--concurrency' },
  passConnections: { env: ['CUTOVER_PASS_CONNECTIONS'], flag: '--pass-connections' },
  workerName: { env: ['CUTOVER_WORKER_NAME'], flag: '--worker-name' },
  logLevel: { env: ['CUTOVER_LOG_LEVEL', 'LOG_LEVEL'], flag: '--log-level' },
  adminEmail: { env: ['CUTOVER_ADMIN_EMAIL'], flag: '--admin-email' },
  adminPassword: { env: ['CUTOVER_ADMIN_PASSWORD'], flag: '--admin-password' },
  queueSchema: { env: ['CUTOVER_QUEUE_SCHEMA'], flag: '--queue-schema' },
  jobHeartbeatSeconds: { env: ['CUTOVER_JOB_HEARTBEAT_SECONDS'], flag: '--job-heartbeat-seconds' },
  superviseSeconds: { env: ['CUTOVER_SUPERVISE_SECONDS'], flag: '--supervise-seconds' },
  jobRetryLimit: { env: ['CUTOVER_JOB_RETRY_LIMIT'], flag: '--job-retry-limit' },
  jobExpireSeconds: { env: ['CUTOVER_JOB_EXPIRE_SECONDS'], flag: '--job-expire-seconds' },
  shutdownTimeoutSeconds: { env: ['CUTOVER_SHUTDOWN_TIMEOUT_SECONDS'], flag: '--shutdown-timeout-seconds' },
  slotPollMilliseconds: { env: ['CUTOVER_SLOT_POLL_MILLISECONDS'], flag: '--slot-poll-milliseconds' },
  databasePoolSize: { env: ['CUTOVER_DATABASE_POOL_SIZE'], flag: '--database-pool-size' },
  smtpHost: { env: ['CUTOVER_SMTP_HOST'], flag: '--smtp-host' },
  smtpPort: { env: ['CUTOVER_SMTP_PORT'], flag: '--smtp-port' },
  smtpTls: { env: ['CUTOVER_SMTP_TLS'], flag: '--smtp-tls' },
  smtpUser: { env: ['CUTOVER_SMTP_USER'], flag: '--smtp-user' },
  smtpPassword: { env: ['CUTOVER_SMTP_PASSWORD'], flag: '--smtp-password' },
  smtpFrom: { env: ['CUTOVER_SMTP_FROM'], flag: '--smtp-from' },
  dnsServers: { env: ['CUTOVER_DNS_SERVERS'], flag: '--dns-servers' },
  reconcileIntervalSeconds: { env: ['CUTOVER_RECONCILE_INTERVAL_SECONDS'], flag: '--reconcile-interval-seconds' },
  fakeClock: { env: ['CUTOVER_FAKE_CLOCK'], flag: '--fake-clock' },
};

/** The property commander gives a flag's value: `--job-heartbeat-seconds` → `jobHeartbeatSeconds`. */
function flagProperty(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The keys a config file and the flags object may carry. */
export const CONFIG_KEYS: readonly SettingKey[] = Object.keys(SOURCES) as SettingKey[];

/** What `loadConfig` reads. */
export interface LoadConfigInput {
  /** Usually `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Parsed command-line flags (commander's camelCase names); unknown keys are ignored. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** JSON config file (`--config`); when absent, `flags.config` is used if given. */
  readonly file?: string;
  /** Generate `<dataDir>/secret.key` when no key is configured (single-machine `serve`). Default false. */
  readonly generateSecretKey?: boolean;
  /** Process name default (tests). */
  readonly defaultWorkerName?: string;
}

interface Problem {
  readonly key: string;
  readonly message: string;
}

/**
 * Loads, validates and freezes the configuration. Throws AppError CONFIG_INVALID whose message lists
 * every invalid key (`details.keys` names them) — never a secret value.
 */
export function loadConfig(input: LoadConfigInput): Readonly<Config> {
  const problems: Problem[] = [];
  const merged: Partial<Record<SettingKey, unknown>> = {};
  const origin: Partial<Record<SettingKey, string>> = {};

  for (const key of CONFIG_KEYS) {
    for (const name of SOURCES[key].env) {
      const value = input.env[name];
      if (value !== undefined && value !== '') {
        merged[key] = value;
        origin[key] = name;
        break;
      }
    }
  }

  const flagFile = input.flags?.['config'];
  const file = input.file ?? (typeof flagFile === 'string' ? flagFile : undefined);
  if (file !== undefined) {
    const fromFile = readConfigFile(file, problems);
    for (const [key, value] of Object.entries(fromFile)) {
      if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
        problems.push({ key: `${key} (in ${file})`, message: 'unknown setting' });
        continue;
      }
      if (value === null || value === undefined) continue;
      merged[key as SettingKey] = value;
      origin[key as SettingKey] = `${key} in ${file}`;
    }
  }

  for (const key of CONFIG_KEYS) {
    // Commander names a flag's value after the flag (`--concurrency` → `concurrency`), not the setting.
    const value = input.flags?.[flagProperty(SOURCES[key].flag)];
    if (value !== undefined && value !== null && value !== '') {
      merged[key] = value;
      origin[key] = SOURCES[key].flag;
    }
  }

  const withDefaults = { ...CONFIG_DEFAULTS, ...merged };
  const parsed = settingsSchema.safeParse(withDefaults);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '(config)') as SettingKey;
      problems.push({ key: origin[key] ? `${key} (${origin[key]})` : key, message: issue.message });
    }
  }
  if (problems.length > 0 || !parsed.success) fail(problems);

  const settings = parsed.data;
  const secret = resolveSecretKey(settings, origin, input.generateSecretKey ?? false, problems);
  if (problems.length > 0 || !secret) fail(problems);

  const config: Config = {
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
    dataDir: settings.dataDir,
    host: settings.host,
    port: settings.port,
    secretKey: secret.key,
    secretKeySource: secret.source,
    workerConcurrency: settings.workerConcurrency,
    passConnections: settings.passConnections,
    workerName: settings.workerName ?? input.defaultWorkerName ?? `${hostname()}:${process.pid}`,
    logLevel: settings.logLevel,
    ...(settings.adminEmail ? { adminEmail: settings.adminEmail } : {}),
    ...(settings.adminPassword ? { adminPassword: settings.adminPassword } : {}),
    queueSchema: settings.queueSchema,
    jobHeartbeatSeconds: settings.jobHeartbeatSeconds,
    superviseSeconds: settings.superviseSeconds,
    jobRetryLimit: settings.jobRetryLimit,
    jobExpireSeconds: settings.jobExpireSeconds,
    shutdownTimeoutSeconds: settings.shutdownTimeoutSeconds,
    slotPollMilliseconds: settings.slotPollMilliseconds,
    // Each running pass holds up to two connections (its pair lock and its queries), plus the queue's.
    databasePoolSize: settings.databasePoolSize ?? Math.max(10, settings.workerConcurrency * 3 + 4),
    ...(settings.smtpHost ? {
      smtp: {
        host: settings.smtpHost, port: settings.smtpPort, tls: settings.smtpTls,
        ...(settings.smtpUser ? { user: settings.smtpUser, password: settings.smtpPassword ?? '' } : {}),
      },
    } : {}),
    smtpFrom: settings.smtpFrom,
    dnsServers: settings.dnsServers,
    reconcileIntervalSeconds: settings.reconcileIntervalSeconds,
    fakeClock: settings.fakeClock !== false,
    ...(typeof settings.fakeClock === 'string' ? { fakeClockStart: settings.fakeClock } : {}),
  };
  if (config.adminPassword !== undefined && config.adminEmail === undefined) {
    fail([{ key: 'adminEmail', message: 'is required when an admin password is given' }]);
  }
  return Object.freeze(config);
}

function fail(problems: readonly Problem[]): never {
  const list = problems.map((p) => `  - ${p.key}: ${p.message}`).join('\n');
  throw new AppError('CONFIG_INVALID', `invalid configuration (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${list}`, {
    details: { keys: problems.map((p) => p.key).join(', ') },
  });
}

function readConfigFile(file: string, problems: Problem[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ key: `--config ${file}`, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    problems.push({ key: `--config ${file}`, message: `is not valid JSON (${(err as Error).message})` });
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ key: `--config ${file}`, message: 'must hold one JSON object of settings' });
    return {};
  }
  return value as Record<string, unknown>;
}

function resolveSecretKey(
  settings: Settings,
  origin: Partial<Record<SettingKey, string>>,
  generate: boolean,
  problems: Problem[],
): { key: Buffer; source: Config['secretKeySource'] } | null {
  if (settings.secretKey !== undefined) {
    try {
      return { key: parseSecretKey(settings.secretKey), source: 'env' };
    } catch (err) {
      problems.push({ key: `secretKey (${origin.secretKey ?? 'secretKey'})`, message: (err as Error).message });
      return null;
    }
  }
  const keyFile = path.resolve(settings.secretKeyFile ?? path.join(settings.dataDir, 'secret.key'));
  const fileKey = origin.secretKeyFile ? `secretKeyFile (${origin.secretKeyFile})` : `secretKey (file ${keyFile})`;
  if (existsSync(keyFile)) {
    try {
      const mode = statSync(keyFile).mode & 0o077;
      if (mode !== 0 && process.platform !== 'win32') {
        problems.push({ key: fileKey, message: `is readable by other users (mode ${(statSync(keyFile).mode & 0o777).toString(8)}); run chmod 600 on it` });
        return null;
      }
      return { key: parseSecretKey(readFileSync(keyFile, 'utf8')), source: 'file' };
    } catch (err) {
      problems.push({ key: fileKey, message: (err as Error).message });
      return null;
    }
  }
  if (!generate || settings.secretKeyFile !== undefined) {
    problems.push({
      key: 'secretKey (CUTOVER_SECRET_KEY)',
      message: `is required: set CUTOVER_SECRET_KEY to the key every cutover process shares (openssl rand -base64 32)${settings.secretKeyFile ? `, or create ${keyFile}` : ''}`,
    });
    return null;
  }
  try {
    mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    // 'wx': never overwrite a key another process wrote meanwhile (that would orphan its secrets).
    writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(keyFile, 0o600);
    return { key, source: 'generated' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseSecretKey(readFileSync(keyFile, 'utf8')), source: 'file' };
    problems.push({ key: fileKey, message: `cannot be created (${(err as Error).message})` });
    return null;
  }
}

/** A log-safe view of the configuration: secrets replaced, the database URL without its password. */
export function describeConfig(config: Readonly<Config>): Record<string, string | number | boolean | null> {
  let database = 'embedded';
  if (config.databaseUrl) {
    try {
      const u = new URL(config.databaseUrl);
      database = `${u.hostname}:${u.port || '5432'}${u.pathname}`;
    } catch {
      database = '(unparseable URL)';
    }
  }
  return {
    database, dataDir: config.dataDir, host: config.host, port: config.port,
    secretKey: `[${config.secretKeySource}]`, workerConcurrency: config.workerConcurrency,
    passConnections: config.passConnections, workerName: config.workerName, logLevel: config.logLevel,
    adminEmail: config.adminEmail ?? null, adminPassword: config.adminPassword ? '[set]' : null,
    queueSchema: config.queueSchema, jobHeartbeatSeconds: config.jobHeartbeatSeconds,
    superviseSeconds: config.superviseSeconds, jobRetryLimit: config.jobRetryLimit,
    jobExpireSeconds: config.jobExpireSeconds, shutdownTimeoutSeconds: config.shutdownTimeoutSeconds,
    slotPollMilliseconds: config.slotPollMilliseconds, databasePoolSize: config.databasePoolSize,
    smtp: config.smtp ? `${config.smtp.host}:${config.smtp.port} (${config.smtp.tls}${config.smtp.user ? ', user [set]' : ''})` : null,
    smtpFrom: config.smtpFrom, dnsServers: config.dnsServers.join(',') || '(system)',
    reconcileIntervalSeconds: config.reconcileIntervalSeconds, fakeClock: config.fakeClockStart ?? config.fakeClock,
  };
}
