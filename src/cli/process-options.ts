/**
 * The settings flags shared by `cutover serve` and `cutover worker`, and how both print a startup error.
 * In a file of their own so that `cutover worker` does not load the API server (Fastify, OpenAPI, the
 * portal routes) just to declare its flags.
 */
import type { Command } from 'commander';
import type { AppError } from '../core/app-error.ts';

/** Adds the settings flags shared by `serve` and `worker` (docs/configuration.md lists them all). */
export function addProcessOptions(cmd: Command, options: { api: boolean }): Command {
  cmd
    .option('--config <file>', 'JSON file of settings (environment < file < flags)')
    .option('--data-dir <dir>', 'data folder: embedded database, secret key (default ./cutover-data)')
    .option('--database-url <url>', 'PostgreSQL shared by every process (default $DATABASE_URL)')
    .option('--secret-key-file <file>', 'file holding the secret key (default <data-dir>/secret.key)')
    .option('--concurrency <n>', 'passes this process runs at once (default 4)')
    .option('--pass-connections <n>', 'IMAP connections per side a pass asks for (default 2)')
    .option('--worker-name <name>', 'name in pass records (default host:pid)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--queue-schema <name>', 'PostgreSQL schema of the queue (default pgboss)')
    .option('--job-heartbeat-seconds <n>', 'a silent worker loses its passes after this long (default 10, min 10)')
    .option('--supervise-seconds <n>', 'how often dead workers are looked for (default 5)')
    .option('--shutdown-timeout-seconds <n>', 'SIGTERM: longest wait for passes to stop (default 30)')
    .option('--fake-clock [start]', 'demonstrations and tests: a clock in the database that only the admin API moves (optional ISO start time)')
    .option('--smtp-host <host>', 'SMTP server of notifications (none: they stay in the outbox)')
    .option('--smtp-port <port>', 'its port (default 25)')
    .option('--smtp-tls <mode>', 'implicit, starttls or none (default starttls)')
    .option('--smtp-from <address>', 'From address of notifications (default cutover@localhost)')
    .option('--dns-servers <list>', 'DNS resolvers of the domain checks, comma-separated host[:port] (default: the system\'s)')
    .option('--reconcile-interval-seconds <n>', 'seconds between reconciler ticks (default 30)');
  if (options.api) {
    cmd
      .option('--host <host>', 'address the API listens on (default 127.0.0.1)')
      .option('--port <port>', 'port of the API (default 8080; 0 picks a free one)')
      .option('--no-worker', 'run no worker in this process (API only)');
  }
  return cmd;
}

/** Prints a startup error (CONFIG_INVALID lists every bad setting) with its hint. */
export function printStartupError(err: AppError): void {
  process.stderr.write(`Error: [${err.code}] ${err.message}\n  What to do: ${err.hint}\n`);
}
