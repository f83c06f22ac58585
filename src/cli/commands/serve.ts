/**
 * `cutover serve`: everything in one process — the HTTP API (with its OpenAPI docs and the portal
 * placeholder), a worker, and, when DATABASE_URL is unset, the embedded PostgreSQL of the data folder.
 * More `cutover worker` processes can join when DATABASE_URL points at a shared server.
 * SIGTERM/SIGINT: stop the API, hand running passes back to the queue, stop the database, exit.
 */
import type { Command } from 'commander';
import { isAppError, toAppError } from '../../core/app-error.ts';
import { systemClock } from '../../core/clock.ts';
import { createOrchestratorRuntime, type OrchestratorRuntime } from '../../orchestrator/runtime/orchestrator-runtime.ts';
import { processClock } from '../../orchestrator/runtime/process-clock.ts';
import { describeConfig, loadConfig, type Config } from '../../core/config.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { openImapSession } from '../../connectors/imap/imap-session.ts';
import { startApiServer, type ApiServer } from '../../api/server.ts';
import { startWorkerHost, type WorkerHost } from '../../queue/worker-host.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../../store/embedded-db.ts';
import { openDatabase, type OpenDatabase } from '../../store/open-database.ts';
import { stopOnSignals } from '../../store/stop-on-signals.ts';
import { countUsers } from '../../store/user.repository.ts';
import { INITIAL_ADMIN_EMAIL, writeInitialAdmin } from '../initial-admin.ts';
import { EXIT } from '../exit-codes.ts';
import { addProcessOptions, printStartupError } from '../process-options.ts';

/** Registers `serve` on the program. */
export function registerServe(program: Command): void {
  const cmd = program.command('serve').description('Run the API, a worker and (without DATABASE_URL) the embedded database.');
  addProcessOptions(cmd, { api: true });
  cmd.action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runServe(flags);
  });
}

async function loginHint(config: Readonly<Config>, database: OpenDatabase, url: string): Promise<string> {
  if (initialAdminFile) {
    return `First start: created the admin ${INITIAL_ADMIN_EMAIL}; its password is in ${initialAdminFile} (readable only by you). Log in at ${url}/ (the CLI: cutover login --url ${url} --email ${INITIAL_ADMIN_EMAIL}).`;
  }
  if (config.adminEmail) {
    return `Log in at ${url}/ as ${config.adminEmail} with the password of CUTOVER_ADMIN_PASSWORD (the CLI: cutover --url ${url} …).`;
  }
  if ((await countUsers(database.pool)) === 0) {
    return 'No user exists yet: stop the server, set CUTOVER_ADMIN_EMAIL and CUTOVER_ADMIN_PASSWORD (12+ characters), and start it again to create the first admin.';
  }
  return `Log in at ${url}/ with your user, or call the API with a token (Authorization: Bearer cut_…).`;
}

/** Set when this start generated the first admin (initial-admin.ts). */
let initialAdminFile: string | null = null;

async function runServe(flags: Record<string, unknown>): Promise<number> {
  let config: Readonly<Config>;
  try {
    config = loadConfig({ env: process.env, flags, generateSecretKey: true });
  } catch (err) {
    printStartupError(toAppError(err));
    return EXIT.USAGE;
  }
  const logger: Logger = createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'cutover serve starting');
  if (config.secretKeySource === 'generated') {
    logger.warn({ dataDir: config.dataDir }, 'generated a new secret key in the data folder: back it up; workers on other machines need it as CUTOVER_SECRET_KEY');
  }

  let embedded: EmbeddedDb | undefined;
  let database: OpenDatabase | undefined;
  let host: WorkerHost | undefined;
  let api: ApiServer | undefined;
  let orchestrator: OrchestratorRuntime | undefined;
  const stopAll = async (): Promise<void> => {
    await api?.close().catch((err: unknown) => logger.warn({ err }, 'API close failed'));
    await orchestrator?.stop().catch((err: unknown) => logger.warn({ err }, 'orchestrator stop failed'));
    await host?.stop().catch((err: unknown) => logger.warn({ err }, 'queue stop failed'));
    await database?.close().catch((err: unknown) => logger.warn({ err }, 'database close failed'));
    await embedded?.stop().catch((err: unknown) => logger.warn({ err }, 'embedded database stop failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedDb({ dataDir: config.dataDir, logger });
      databaseUrl = embedded.url;
    }
    database = await openDatabase({ databaseUrl, dataDir: config.dataDir, logger, maxConnections: config.databasePoolSize });
    const clocks = await processClock(config, database.pool);
    host = await startWorkerHost({
      config, databaseUrl, pool: database.pool, logger, clock: clocks.clock,
      openSession: (endpoint, name) => openImapSession(endpoint, { logger, connectionName: name }),
      work: flags['worker'] !== false,
    });
    // The reconciler tick, the outbox sender and the steps (docs/status-flow.md "How it runs").
    orchestrator = createOrchestratorRuntime({
      db: database.pool, clock: clocks.clock, queue: host.queue, secretKey: config.secretKey, logger,
      dnsServers: config.dnsServers, from: config.smtpFrom, intervalMs: config.reconcileIntervalSeconds * 1000,
      ...(config.smtp ? { smtp: config.smtp } : {}),
    });
    orchestrator.start();
    // No admin configured and nobody to log in as: create one, its password in a 0600 file.
    let bootstrapAdmin = config.adminEmail && config.adminPassword ? { email: config.adminEmail, password: config.adminPassword } : undefined;
    if (!bootstrapAdmin && (await countUsers(database.pool)) === 0) {
      const generated = writeInitialAdmin(config.dataDir);
      bootstrapAdmin = { email: generated.email, password: generated.password };
      initialAdminFile = generated.path;
    }
    api = await startApiServer({
      // Logins and tokens stay on real time; the orchestrator (and its routes) use the process clock.
      pool: database.pool, secretKey: config.secretKey, queue: host.queue, logger, clock: systemClock, orchestrator,
      ...(clocks.fake ? { fakeClock: clocks.fake } : {}),
      ...(bootstrapAdmin ? { bootstrapAdmin } : {}),
    }, { host: config.host, port: config.port });
  } catch (err) {
    if (!isAppError(err)) logger.error({ err }, 'startup failed');
    await stopAll();
    printStartupError(toAppError(err));
    return EXIT.UNAVAILABLE;
  }

  const where = embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL of DATABASE_URL';
  process.stdout.write([
    `Cutover is running at ${api.url}`,
    `  API docs: ${api.url}/docs (OpenAPI: ${api.url}/openapi.json)`,
    `  ${await loginHint(config, database, api.url)}`,
    `  Database: ${where}; worker: ${host.worker ? `${config.workerName}, ${config.workerConcurrency} passes at once` : 'none (--no-worker)'}.`,
    '  Stop with Ctrl-C or SIGTERM (running passes are handed back and resume later).',
    '',
  ].join('\n'));
  // Exits with 130/143 once everything stopped.
  stopOnSignals({ close: stopAll }, { logger });
  return new Promise<never>(() => undefined);
}
