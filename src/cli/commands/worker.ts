/**
 * `cutover worker`: a worker process and nothing else, against the PostgreSQL of DATABASE_URL. Start
 * as many as the work needs, on as many machines: they share the projects through the queue.
 * SIGTERM/SIGINT: stop taking passes, hand the running ones back to the queue, exit.
 */
import type { Command } from 'commander';
import { AppError, toAppError } from '../../core/app-error.ts';
import { processClock } from '../../orchestrator/runtime/process-clock.ts';
import { describeConfig, loadConfig, type Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { openImapSession } from '../../connectors/imap/imap-session.ts';
import { startWorkerHost } from '../../queue/worker-host.ts';
import { openDatabase } from '../../store/open-database.ts';
import { stopOnSignals } from '../../store/stop-on-signals.ts';
import { EXIT } from '../exit-codes.ts';
import { addProcessOptions, printStartupError } from '../process-options.ts';

/** Registers `worker` on the program. */
export function registerWorker(program: Command): void {
  const cmd = program.command('worker').description('Run passes from the queue (needs DATABASE_URL; start one per machine or more).');
  addProcessOptions(cmd, { api: false });
  cmd.action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runWorker(flags);
  });
}

async function runWorker(flags: Record<string, unknown>): Promise<number> {
  let config: Readonly<Config>;
  try {
    config = loadConfig({ env: process.env, flags });
    if (!config.databaseUrl) {
      throw new AppError('CONFIG_INVALID', 'cutover worker needs DATABASE_URL (or --database-url): the PostgreSQL server that `cutover serve` and every other worker use. The embedded database of `serve` is not reachable from other processes.', { details: { keys: 'databaseUrl' } });
    }
  } catch (err) {
    printStartupError(toAppError(err));
    return EXIT.USAGE;
  }
  const databaseUrl = config.databaseUrl;
  const logger = createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'cutover worker starting');
  let database;
  let host;
  try {
    database = await openDatabase({ databaseUrl, dataDir: config.dataDir, logger, maxConnections: config.databasePoolSize });
    // Fake-clock mode: passes record their start on the database's shared fake clock.
    const { clock } = await processClock(config, database.pool);
    host = await startWorkerHost({
      config, databaseUrl, pool: database.pool, logger, clock,
      openSession: (endpoint, name) => openImapSession(endpoint, { logger, connectionName: name }),
    });
  } catch (err) {
    await database?.close();
    printStartupError(toAppError(err));
    return EXIT.UNAVAILABLE;
  }
  const running = host;
  const db = database;
  process.stdout.write(`cutover worker ${config.workerName}: taking passes from the queue (${config.workerConcurrency} at once). Stop with SIGTERM or Ctrl-C.\n`);
  // Exits with 130/143 once the passes were handed back and the database closed.
  stopOnSignals({ close: () => db.close() }, { logger, beforeStop: () => running.stop() });
  return new Promise<never>(() => undefined);
}
