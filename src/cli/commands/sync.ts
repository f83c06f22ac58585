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
import type { ImapSession } from '../../connectors/imap/types.ts';
import { upsertEndpoint } from '../../store/endpoint.repository.ts';
import { listItems, resetLedger } from '../../store/ledger.repository.ts';
import { openDatabase } from '../../store/open-database.ts';
import { upsertPair } from '../../store/pair.repository.ts';
import { acquirePairLock } from '../../store/pair-lock.ts';
import { listPasses } from '../../store/pass.repository.ts';
import type { Db } from '../../store/db.ts';
import type { Pool } from 'pg';
import { EXIT, exitCodeForError, exitCodeForOutcome, type ExitCode } from '../exit-codes.ts';
import { hasDavFlags, parseDavFlags, parseSyncFlags, type DavSyncPair, type DavSyncPlan, type SyncFlags } from '../sync-options.ts';
import { describeDavEndpoint } from '../../connectors/dav/types.ts';
import type { DavPassOutcome } from '../../engine/dav/dav-pass-types.ts';
import { listDavItems, resetDavLedger, type DavItem } from '../../store/dav-item.repository.ts';
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
      .option(`--cafile${n} <pem>`, `trust this CA for the ${side} certificate`)
      .option(`--compress${n}`, `always use COMPRESS=DEFLATE with the ${side} when offered (default: only when its round trip is 10 ms or more)`)
      .option(`--nocompress${n}`, `never use COMPRESS=DEFLATE with the ${side}`);
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
    .option('--split <n>', 'a folder with more new messages than this is shared between connections in parts of this size; 0 never (default 1000)')
    .option('--caldav1 <url>', 'source CalDAV server (root URL or calendar home); --user1/--password1/--authuser1 log in')
    .option('--caldav2 <url>', 'target CalDAV server')
    .option('--carddav1 <url>', 'source CardDAV server (root URL or address-book home)')
    .option('--carddav2 <url>', 'target CardDAV server')
    .option('--dav-from <date>', 'only events that end on or after this date (YYYY-MM-DD); --maxage works too')
    .option('--dav-until <date>', 'only events that start on or before this date')
    .option('--dav-map <src=dst>', 'put source calendar/address book SRC (name or display name) into target collection DST (repeatable)', collect, [])
    .option('--rewrite-domain <old=new>', 'rewrite e-mail addresses @old to @new in organizers, attendees and vCard emails (repeatable)', collect, [])
    .option('--dav-etag-only', 'find changes by ETag listing even where the source offers sync-collection')
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
  let davPlan: DavSyncPlan | null;
  const worker = `${hostname()}:${process.pid}`;
  try {
    davPlan = parseDavFlags(flags, process.env, worker, new Date());
    // With only calendar/contact endpoints no IMAP is needed.
    plan = hasDavFlags(flags) && flags.host1 === undefined && flags.host2 === undefined ? null : parseSyncFlags(flags, process.env, worker);
  } catch (err) {
    return fail(toAppError(err));
  }
  if (plan === null) return runDavOnly(flags, davPlan as DavSyncPlan, logger, fail);
  if (plan.justLogin) {
    const { openImapSession } = await import('../../connectors/imap/imap-session.ts');
    return justLogin(openImapSession, plan.source, plan.target, flags.json ?? false, fail);
  }

  const dataDir = flags.dataDir ?? process.env['CUTOVER_DATA_DIR'] ?? './cutover-data';
  // The engine and ImapFlow take a few hundred ms to load; loading them while the embedded PostgreSQL
  // starts (another process we mostly wait for) keeps a no-change delta short.
  const engine = Promise.all([import('../../engine/run-pass.ts'), import('../../connectors/imap/imap-session.ts')]);
  engine.catch(() => undefined);
  // Every pass starts by logging in to the source (the target only if something changed), so that login
  // runs while PostgreSQL starts too; the pass takes it as its first source session (`early`).
  const sourceSession = plan.source;
  let early: Promise<ImapSession> | null = engine.then(([, { openImapSession }]) => openImapSession(sourceSession, { logger, connectionName: 'source-0' }));
  early.catch(() => undefined);
  const closeEarly = async (): Promise<void> => {
    const unused = early;
    early = null;
    if (unused) await unused.then((session) => session.close(), () => undefined);
  };
  let database;
  try {
    database = await openDatabase({ databaseUrl: process.env['DATABASE_URL'], dataDir, logger });
  } catch (err) {
    await closeEarly();
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
      pool: db,
      openSession: (endpoint, name) => {
        if (early && endpoint === sourceSession) {
          const session = early;
          early = null;
          return session;
        }
        return openImapSession(endpoint, { logger, connectionName: name });
      },
      logger, clock: systemClock, signal, onProgress: (event) => progress?.update(event),
    }, { id: pairId, source: plan.source, target: plan.target }, pass));
    progress?.stop();
    const imapExit = exitCodeForOutcome(outcome);
    const dav = davPlan ? await runDavPairs(db, davPlan, logger) : [];
    const exitCode = imapExit !== EXIT.OK ? imapExit : worstDavExit(dav);
    const failedItems = outcome.dryRun ? [] : await listItems(db, pairId, { state: 'failed', limit: 10_000, offset: 0 });
    const summary = { source: describeEndpoint(plan.source), target: describeEndpoint(plan.target), outcome, exitCode, failedItems };
    if (flags.json) {
      const json = JSON.parse(jsonSummary(summary)) as Record<string, unknown>;
      process.stdout.write(JSON.stringify(dav.length > 0 ? { ...json, dav: dav.map(davJson) } : json, null, 2) + '\n');
    } else {
      process.stdout.write(textSummary(summary) + dav.map(davText).join(''));
    }
    return exitCode;
  } catch (err) {
    progress?.stop();
    if (!isAppError(err)) logger.error({ err }, 'sync failed');
    return fail(toAppError(err));
  } finally {
    await closeEarly();
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

/** One DAV pass of `cutover sync`, with what its summary needs. */
interface DavRun {
  readonly pair: DavSyncPair;
  readonly outcome: DavPassOutcome;
  readonly failedItems: readonly DavItem[];
  readonly exitCode: ExitCode;
}

async function runDavOnly(flags: GlobalFlags, plan: DavSyncPlan, logger: ReturnType<typeof createLogger>, fail: (err: AppError) => ExitCode): Promise<ExitCode> {
  const dataDir = flags.dataDir ?? process.env['CUTOVER_DATA_DIR'] ?? './cutover-data';
  let database;
  try {
    database = await openDatabase({ databaseUrl: process.env['DATABASE_URL'], dataDir, logger });
  } catch (err) {
    return fail(toAppError(err));
  }
  try {
    const runs = await runDavPairs(database.pool, plan, logger);
    const exitCode = worstDavExit(runs);
    if (flags.json) process.stdout.write(JSON.stringify({ dav: runs.map(davJson), exitCode, exitName: exitName(exitCode) }, null, 2) + '\n');
    else process.stdout.write(runs.map(davText).join('') + `Exit code: ${exitCode} (${exitName(exitCode)})\n`);
    return exitCode;
  } catch (err) {
    if (!isAppError(err)) logger.error({ err }, 'sync failed');
    return fail(toAppError(err));
  } finally {
    await database.close();
  }
}

/** Registers each DAV pair and runs its pass (calendars, then contacts); one failing pair does not stop the other. */
async function runDavPairs(db: Pool, plan: DavSyncPlan, logger: ReturnType<typeof createLogger>): Promise<DavRun[]> {
  const [{ runDavPass }, { openDavSession }] = await Promise.all([import('../../engine/dav/run-dav-pass.ts'), import('../../connectors/dav/dav-session.ts')]);
  const runs: DavRun[] = [];
  for (const pair of plan.pairs) {
    const pairId = await registerDavPair(db, pair);
    if (plan.reset && !plan.pass.dryRun) {
      const lock = await acquirePairLock(db, pairId);
      if (!lock) throw new AppError('PASS_ALREADY_RUNNING', `A pass for this ${pair.kind} pair is running; the ledger was not reset.`);
      try {
        await resetDavLedger(db, pairId);
      } finally {
        await lock.release();
      }
    }
    const previous = await listPasses(db, pairId, 1);
    const pass = { ...plan.pass, kind: plan.pass.kind === 'full' || previous.length === 0 ? 'full' as const : 'delta' as const };
    const outcome = await withSignals((signal) => runDavPass({ pool: db, openSession: openDavSession, logger, clock: systemClock, signal }, { id: pairId, ...pair }, pass));
    const failedItems = outcome.dryRun ? [] : await listDavItems(db, pairId, { state: 'failed', limit: 10_000, offset: 0 });
    runs.push({ pair, outcome, failedItems, exitCode: davExitCode(outcome) });
  }
  return runs;
}

async function registerDavPair(db: Db, pair: DavSyncPair): Promise<string> {
  const row = (e: DavSyncPair['source']) => {
    const url = new URL(e.url);
    const https = url.protocol === 'https:';
    return {
      protocol: pair.kind, host: url.hostname, port: url.port ? Number(url.port) : https ? 443 : 80, tlsMode: https ? 'implicit' as const : 'none' as const,
      tlsVerify: e.tlsVerify, authKind: e.auth.kind === 'admin' ? 'master' as const : 'password' as const,
      adminUser: e.auth.kind === 'admin' ? e.auth.adminUser : null, secretSealed: null, maxConnections: e.maxConnections,
    };
  };
  const sourceId = await upsertEndpoint(db, row(pair.source));
  const targetId = await upsertEndpoint(db, row(pair.target));
  return upsertPair(db, { sourceEndpointId: sourceId, targetEndpointId: targetId, sourceUser: pair.source.auth.user, targetUser: pair.target.auth.user });
}

function exitName(code: number): string {
  return Object.entries(EXIT).find(([, value]) => value === code)?.[0] ?? 'UNKNOWN';
}

/** Exit code of a DAV pass, in imapsync's numbers (docs/cli-sync.md). */
function davExitCode(outcome: DavPassOutcome): ExitCode {
  const err = outcome.error;
  if (err) {
    const side = err.details['side'];
    if (err.code === 'DAV_AUTH_FAILED' || err.code === 'DAV_FORBIDDEN') return side === 'source' ? EXIT.AUTHENTICATION_FAILURE_USER1 : side === 'target' ? EXIT.AUTHENTICATION_FAILURE_USER2 : EXIT.AUTHENTICATION_FAILURE;
    if (err.code === 'DAV_CONNECT_FAILED' || err.code === 'DAV_TIMEOUT' || err.code === 'DAV_DISCOVERY_FAILED') return side === 'source' ? EXIT.CONNECTION_FAILURE_HOST1 : side === 'target' ? EXIT.CONNECTION_FAILURE_HOST2 : EXIT.CONNECTION_FAILURE;
    if (err.code === 'DAV_TLS_FAILED') return EXIT.TLS_FAILURE;
    if (err.code === 'DAV_QUOTA_EXCEEDED') return EXIT.OVERQUOTA;
    return exitCodeForError(err);
  }
  if (outcome.status === 'interrupted') return EXIT.BY_SIGNAL;
  if (outcome.collections.some((c) => c.error?.code === 'DAV_COLLECTION_CREATE_FAILED')) return EXIT.ERR_CREATE;
  if (outcome.counts.failed > 0) return EXIT.ERR_APPEND;
  if (outcome.status !== 'completed') return EXIT.WITH_ERRORS;
  return EXIT.OK;
}

function worstDavExit(runs: readonly DavRun[]): ExitCode {
  return runs.find((r) => r.exitCode !== EXIT.OK)?.exitCode ?? EXIT.OK;
}

function davText(run: DavRun): string {
  const { outcome: o, pair } = run;
  const c = o.counts;
  const what = pair.kind === 'caldav' ? 'Calendars' : 'Address books';
  const lines = [
    `cutover sync (${pair.kind}): ${describeDavEndpoint(pair.source)} -> ${describeDavEndpoint(pair.target)}${o.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `${what}: ${c.collections} (${o.collections.length} opened, ${c.collections - o.collections.length} unchanged)`,
    `Items: ${o.dryRun ? 'would copy' : 'copied'} ${c.copied}, updated ${c.updated}, already there ${c.alreadyThere}, migrated before ${c.skipped}, excluded ${c.excluded}, failed ${c.failed} (${(o.durationMs / 1000).toFixed(2)} s)`,
  ];
  for (const col of o.collections) {
    if (col.error) lines.push(`Collection error: "${col.source}" -> "${col.target}": [${col.error.code}] ${col.error.message}`);
  }
  if (run.failedItems.length > 0) {
    lines.push(`Failed items (${c.failed} in this pass; retried on the next run):`);
    for (const item of run.failedItems.slice(0, 20)) lines.push(`  ${item.sourceHref} "${item.summary ?? ''}": [${item.reasonCode}] ${item.reasonText ?? ''}`);
    if (run.failedItems.length > 20) lines.push(`  … and ${run.failedItems.length - 20} more (cutover sync --json lists all)`);
  }
  for (const warning of o.warnings) lines.push(`Warning: ${warning}`);
  if (o.error) lines.push(`Error: [${o.error.code}] ${o.error.message}\n  What to do: ${o.error.hint}`);
  return lines.join('\n') + '\n';
}

function davJson(run: DavRun): Record<string, unknown> {
  const o = run.outcome;
  return {
    kind: run.pair.kind, source: describeDavEndpoint(run.pair.source), target: describeDavEndpoint(run.pair.target),
    passId: o.passId, status: o.status, dryRun: o.dryRun, counts: o.counts, durationMs: Math.round(o.durationMs),
    collections: o.collections.map((c) => ({ ...c, error: c.error?.toJSON() ?? null })),
    failedItems: run.failedItems.map((i) => ({
      collection: i.sourceCollection, href: i.sourceHref, uid: i.uid, component: i.component, summary: i.summary,
      reasonCode: i.reasonCode, reason: i.reasonText, attempts: i.attempts,
    })),
    warnings: o.warnings, error: o.error?.toJSON() ?? null, exitCode: run.exitCode, exitName: exitName(run.exitCode),
  };
}
