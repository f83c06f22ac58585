/**
 * `cutover sync`: copy one mailbox, imapsync-style. The first run is a full pass, every later run
 * with the same source, target and users is a delta pass driven by the ledger in the data folder.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { AppError, isAppError, toAppError, withDetails } from '../../core/app-error.ts';
import { systemClock } from '../../core/clock.ts';
import { describeEndpoint, type ImapEndpoint } from '../../core/endpoint.ts';
import { createLogger, silentLogger } from '../../core/logger.ts';
import type { PassOutcome } from '../../engine/pass-types.ts';
import type * as ImapSessionModule from '../../connectors/imap/imap-session.ts';
import { upsertEndpoint } from '../../store/endpoint.repository.ts';
import { listItems, resetLedger } from '../../store/ledger.repository.ts';
import { openDatabase } from '../../store/open-database.ts';
import { upsertPair } from '../../store/pair.repository.ts';
import { acquirePairLock } from '../../store/pair-lock.ts';
import { listPasses } from '../../store/pass.repository.ts';
import type { Db } from '../../store/db.ts';
import { EXIT, exitCodeForError, exitCodeForOutcome, type ExitCode } from '../exit-codes.ts';
import { parseSyncFlags, type SyncFlags } from '../sync-options.ts';
import { jsonSummary, ProgressView, textSummary } from '../sync-report.ts';
import { withSignals } from '../signals.ts';

interface GlobalFlags extends SyncFlags {
  json?: boolean;
  dataDir?: string;
  progress?: boolean;
  logLevel?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `sync` on the program. */
export function registerSync(program: Command): void {
  const cmd = program.command('sync').description('Copy one mailbox from host1 to host2 (imapsync flags). Run it again for a delta pass.');
  for (const n of [1, 2] as const) {
    const side = n === 1 ? 'source' : 'target';
    cmd
      .option(`--host${n} <host>`, `${side} IMAP server`)
      .option(`--port${n} <port>`, `${side} port (default 993 with --ssl${n}, else 143)`)
      .option(`--user${n} <user>`, `${side} account`)
      .option(`--password${n} <password>`, `${side} password (prefer --passfile${n} or CUTOVER_PASSWORD${n})`)
      .option(`--passfile${n} <file>`, `file whose first line is the ${side} password`)
      .option(`--authuser${n} <admin>`, `admin (master) user acting as --user${n} (SASL PLAIN authzid)`)
      .option(`--master-separator${n} <char>`, `log in as "user<char>admin" instead (Dovecot: *)`)
      .option(`--oauthaccesstoken${n} <token>`, `OAuth2 access token (XOAUTH2) instead of a password`)
      .option(`--ssl${n}`, 'implicit TLS (port 993)')
      .option(`--nossl${n}`, 'no implicit TLS')
      .option(`--tls${n}`, 'STARTTLS')
      .option(`--notls${n}`, `no STARTTLS (with --nossl${n}: plain text)`)
      .option(`--insecure${n}`, `do not verify the ${side} certificate (only for servers you trust)`)
      .option(`--cafile${n} <pem>`, `trust this CA for the ${side} certificate`);
  }
  cmd
    .option('--folder <name>', 'sync only this source folder (repeatable)', collect, [])
    .option('--include <regex>', 'sync only source folders matching (repeatable)', collect, [])
    .option('--exclude <regex>', 'skip source folders matching (repeatable)', collect, [])
    .option('--regextrans2 <s/from/to/>', 'rename target folders (repeatable, imapsync syntax)', collect, [])
    .option('--automap', 'guess special folders (Sent, Trash …) from names when the server does not mark them')
    .option('--maxage <days>', 'only messages at most this many days old')
    .option('--minage <days>', 'only messages at least this many days old')
    .option('--maxsize <bytes>', 'skip messages larger than this')
    .option('--minsize <bytes>', 'skip messages smaller than this')
    .option('--dry', 'show what would be done; change nothing')
    .option('--justfolders', 'create the folders only')
    .option('--justlogin', 'log in to both servers and stop')
    .option('--syncflags', 'carry flag changes (read, flagged …) of already migrated messages')
    .option('--full', 'open every folder, not only changed ones')
    .option('--reset-ledger', 'forget what this pair migrated; the next pass matches against the target again (nothing is doubled)')
    .option('--reset-folder <name>', 'the same for one source folder (repeatable)', collect, [])
    .option('--connections <n>', 'folders synced in parallel (connections per server)', '4')
    .option('--batch-messages <n>', 'messages per FETCH/APPEND batch (tuning)', '200')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar')
    .option('--data-dir <dir>', 'data folder for the ledger (default $CUTOVER_DATA_DIR or ./cutover-data)')
    .option('--log-level <level>', 'log level on stderr (default warn; off with --json unless given)')
    .action(async (flags: GlobalFlags) => {
      process.exitCode = await runSync(flags);
    });
}

async function runSync(flags: GlobalFlags): Promise<ExitCode> {
  const logger = flags.json && !flags.logLevel ? silentLogger() : createLogger({ level: flags.logLevel ?? 'warn', human: process.stderr.isTTY });
  const fail = (err: AppError): ExitCode => {
    const code = exitCodeForError(err);
    if (flags.json) process.stdout.write(JSON.stringify({ error: err.toJSON(), exitCode: code }, null, 2) + '\n');
    else process.stderr.write(`Error: [${err.code}] ${err.message}\n  What to do: ${err.hint}\n`);
    return code;
  };
  let plan;
  try {
    plan = parseSyncFlags(flags, process.env, `${hostname()}:${process.pid}`);
  } catch (err) {
    return fail(toAppError(err));
  }
  if (plan.justLogin) {
    const { openImapSession } = await import('../../connectors/imap/imap-session.ts');
    return justLogin(openImapSession, plan.source, plan.target, flags.json ?? false, fail);
  }

  const dataDir = flags.dataDir ?? process.env['CUTOVER_DATA_DIR'] ?? './cutover-data';
  // The engine and ImapFlow take a few hundred ms to load; loading them while the embedded PostgreSQL
  // starts (another process we mostly wait for) keeps a no-change delta short.
  const engine = Promise.all([import('../../engine/run-pass.ts'), import('../../connectors/imap/imap-session.ts')]);
  engine.catch(() => undefined);
  let database;
  try {
    database = await openDatabase({ databaseUrl: process.env['DATABASE_URL'], dataDir, logger });
  } catch (err) {
    return fail(toAppError(err));
  }
  const db = database.pool;
  const [{ runPass }, { openImapSession }] = await engine;
  const progress = flags.progress !== false && !flags.json && process.stderr.isTTY ? new ProgressView(process.stderr) : null;
  try {
    const pairId = await registerPair(db, plan.source, plan.target);
    if (plan.reset !== null && !plan.pass.dryRun) {
      // Under the pair's lock, so a pass of the same pair elsewhere (shared DATABASE_URL) never sees half a reset.
      const lock = await acquirePairLock(db, pairId);
      if (!lock) throw new AppError('PASS_ALREADY_RUNNING', `A pass for this mailbox pair is running; the ledger was not reset.`);
      try {
        for (const folder of plan.reset === true ? [undefined] : plan.reset) await resetLedger(db, pairId, folder);
      } finally {
        await lock.release();
      }
    }
    const previous = await listPasses(db, pairId, 1);
    const pass = { ...plan.pass, kind: plan.pass.kind === 'full' || previous.length === 0 ? 'full' as const : 'delta' as const };
    const outcome: PassOutcome = await withSignals((signal) => runPass({
      pool: db, openSession: (endpoint, name) => openImapSession(endpoint, { logger, connectionName: name }),
      logger, clock: systemClock, signal, onProgress: (event) => progress?.update(event),
    }, { id: pairId, source: plan.source, target: plan.target }, pass));
    progress?.stop();
    const exitCode = exitCodeForOutcome(outcome);
    const failedItems = outcome.dryRun ? [] : await listItems(db, pairId, { state: 'failed', limit: 10_000, offset: 0 });
    const summary = { source: describeEndpoint(plan.source), target: describeEndpoint(plan.target), outcome, exitCode, failedItems };
    process.stdout.write(flags.json ? jsonSummary(summary) : textSummary(summary));
    return exitCode;
  } catch (err) {
    progress?.stop();
    if (!isAppError(err)) logger.error({ err }, 'sync failed');
    return fail(toAppError(err));
  } finally {
    await database.close();
  }
}

async function registerPair(db: Db, source: ImapEndpoint, target: ImapEndpoint): Promise<string> {
  const endpointRow = (e: ImapEndpoint) => ({
    protocol: 'imap' as const, host: e.host, port: e.port, tlsMode: e.tls, tlsVerify: e.tlsVerify, authKind: e.auth.kind,
    adminUser: e.auth.kind === 'master' ? e.auth.adminUser : null,
    // `cutover sync` never stores the password: it is given again on every run.
    secretSealed: null, maxConnections: e.maxConnections,
  });
  const sourceId = await upsertEndpoint(db, endpointRow(source));
  const targetId = await upsertEndpoint(db, endpointRow(target));
  return upsertPair(db, { sourceEndpointId: sourceId, targetEndpointId: targetId, sourceUser: source.auth.user, targetUser: target.auth.user });
}

type OpenSession = typeof ImapSessionModule.openImapSession;

async function justLogin(openImapSession: OpenSession, source: ImapEndpoint, target: ImapEndpoint, json: boolean, fail: (err: AppError) => ExitCode): Promise<ExitCode> {
  const result: Record<string, { capabilities: string[]; server: string | null }> = {};
  for (const [side, endpoint] of [['source', source], ['target', target]] as const) {
    try {
      const session = await openImapSession(endpoint, { connectionName: `justlogin-${side}` });
      result[side] = { capabilities: [...session.info.capabilities].sort(), server: session.info.serverName };
      await session.close();
    } catch (err) {
      return fail(withDetails(toAppError(err), { side }));
    }
  }
  if (json) process.stdout.write(JSON.stringify({ login: 'ok', ...result }, null, 2) + '\n');
  else {
    process.stdout.write(`Login OK on source ${describeEndpoint(source)}\n  capabilities: ${result['source']?.capabilities.join(' ')}\n`);
    process.stdout.write(`Login OK on target ${describeEndpoint(target)}\n  capabilities: ${result['target']?.capabilities.join(' ')}\n`);
  }
  return EXIT.OK;
}
