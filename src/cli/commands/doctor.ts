/**
 * `cutover doctor`: checks endpoints before anything runs.
 *
 * - Directly with the connector, no server needed: `--host1 …` and/or `--host2 …` with the flags of
 *   `cutover sync` — connect, TLS, login, master-user check, capabilities (UIDPLUS, CONDSTORE, MULTIAPPEND).
 * - A project's endpoints through the API: `--project <id>` (the server logs in with its stored admin
 *   secret; give the account with --user1/--password1 and --user2/--password2).
 * - `--project <id> --csv <file>`: a login check of every row of the CSV against the project's
 *   endpoints, one line per row with OK or the error code. Rows with their own passwords are checked
 *   from this machine; rows that need the endpoint's admin secret are checked by the server.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError, toAppError } from '../../core/app-error.ts';
import type { ImapEndpoint } from '../../core/endpoint.ts';
import { checkImapLogin, type ConnectionCheck } from '../../api/connection-check.ts';
import { parsePairCsv, type PairCsvRow } from '../../projects/csv/parse-pair-csv.ts';
import { ApiClient, apiClientOptions } from '../api-client.ts';
import { stdio, type Output } from '../api-command.ts';
import { doctorText, type DoctorCheck } from '../doctor-report.ts';
import { EXIT, exitCodeForError } from '../exit-codes.ts';
import { parseSyncFlags, type SyncFlags } from '../sync-options.ts';

interface DoctorFlags extends SyncFlags {
  project?: string;
  csv?: string;
  url?: string;
  token?: string;
  json?: boolean;
  concurrency?: string;
}

/** An endpoint as the API shows it (no secret). */
interface EndpointData {
  id: string; host: string; port: number; tls: ImapEndpoint['tls']; tlsVerify: boolean; tlsCa: string | null;
  authKind: 'password' | 'master' | 'oauth2'; adminUser: string | null; maxConnections: number;
}
/** The API's "test connection" answer. */
interface TestData {
  ok: boolean; server: string; tls: ImapEndpoint['tls']; serverName: string | null; capabilities: string[]; missing: string[];
  error: { code: string; message: string; hint: string } | null;
}

type Side = 'source' | 'target';

/** Side `n`'s flags as side 1 and 2 both, so parseSyncFlags validates one side with its own rules. */
function mirror(flags: SyncFlags, n: 1 | 2, env: NodeJS.ProcessEnv): { flags: SyncFlags; env: NodeJS.ProcessEnv } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    const m = /^(.*?)([12])$/.exec(key);
    if (m?.[2] === String(n)) {
      out[`${m[1] ?? ''}1`] = value;
      out[`${m[1] ?? ''}2`] = value;
    }
  }
  const password = env[`CUTOVER_PASSWORD${n}`] ?? env[`IMAPSYNC_PASSWORD${n}`];
  const mirroredEnv = { ...env, CUTOVER_PASSWORD1: password, CUTOVER_PASSWORD2: password, IMAPSYNC_PASSWORD1: undefined, IMAPSYNC_PASSWORD2: undefined };
  return { flags: out, env: mirroredEnv };
}

/** The endpoint of side `n` from sync-style flags; USAGE_INVALID naming side n's flags. */
export function endpointFromFlags(flags: SyncFlags, n: 1 | 2, env: NodeJS.ProcessEnv): ImapEndpoint {
  const m = mirror(flags, n, env);
  try {
    return parseSyncFlags(m.flags, m.env, 'doctor').source;
  } catch (err) {
    const e = toAppError(err);
    if (n === 1) throw e;
    const message = e.message.replace(/(--[a-z-]+)1\b/g, '$12').replace(/account 1\b/g, 'account 2').replace(/PASSWORD1\b/g, 'PASSWORD2');
    throw new AppError(e.code, message, { details: e.details });
  }
}

/** A direct connector check in the report's shape. */
function fromConnector(side: Side, endpoint: ImapEndpoint, check: ConnectionCheck): DoctorCheck {
  return {
    side, server: check.server, tls: check.tls, user: endpoint.auth.user, authKind: endpoint.auth.kind,
    adminUser: endpoint.auth.kind === 'master' ? endpoint.auth.adminUser : null, ok: check.ok, serverName: check.serverName,
    capabilities: check.capabilities, missing: check.missing,
    error: check.error ? { code: check.error.code, message: check.error.message, hint: check.error.hint } : null,
  };
}

/** An API test in the report's shape. */
function fromApi(side: Side, endpoint: EndpointData, user: string | null, data: TestData): DoctorCheck {
  return {
    side, server: data.server, tls: data.tls, user, authKind: endpoint.authKind, adminUser: endpoint.adminUser, ok: data.ok,
    serverName: data.serverName, capabilities: data.capabilities, missing: data.missing, error: data.error,
  };
}

/** An ImapEndpoint for a stored endpoint and a row's own password (password endpoints only). */
function passwordEndpoint(endpoint: EndpointData, user: string, password: string): ImapEndpoint {
  return {
    host: endpoint.host, port: endpoint.port, tls: endpoint.tls, tlsVerify: endpoint.tlsVerify,
    ...(endpoint.tlsCa ? { tlsCa: endpoint.tlsCa } : {}), auth: { kind: 'password', user, password }, maxConnections: endpoint.maxConnections,
  };
}

/** The exit code of a set of checks: 0 when all logged in, else that of the first failure. */
function exitCode(checks: readonly DoctorCheck[]): number {
  const failed = checks.find((c) => c.error);
  if (!failed?.error) return EXIT.OK;
  const code = failed.error.code;
  return exitCodeForError(new AppError(code as AppError['code'], failed.error.message, { details: { side: failed.side } }));
}

async function projectEndpoints(client: ApiClient, projectId: string): Promise<{ source: EndpointData; target: EndpointData }> {
  const project = await client.get<{ sourceEndpointId: string | null; targetEndpointId: string | null }>(`/api/projects/${encodeURIComponent(projectId)}`);
  if (!project.sourceEndpointId || !project.targetEndpointId) {
    throw new AppError('USAGE_INVALID', `project ${projectId} has no source or no target endpoint yet; set them first`);
  }
  const [source, target] = await Promise.all([
    client.get<EndpointData>(`/api/endpoints/${project.sourceEndpointId}`),
    client.get<EndpointData>(`/api/endpoints/${project.targetEndpointId}`),
  ]);
  return { source, target };
}

/** One side of one CSV row: directly when the row carries the password, else through the server. */
async function checkRowSide(client: ApiClient, side: Side, endpoint: EndpointData, user: string, password: string | null): Promise<DoctorCheck> {
  if (endpoint.authKind === 'password') {
    if (password === null) {
      return fromApi(side, endpoint, user, {
        ok: false, server: `${endpoint.host}:${endpoint.port}`, tls: endpoint.tls, serverName: null, capabilities: [], missing: [],
        error: { code: 'PAIR_CREDENTIALS_MISSING', message: 'the row has no password for this side', hint: '' },
      });
    }
    const imap = passwordEndpoint(endpoint, user, password);
    return fromConnector(side, imap, await checkImapLogin(imap));
  }
  const data = await client.post<TestData>(`/api/endpoints/${endpoint.id}/test`, { user });
  return fromApi(side, endpoint, user, data);
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** A login check of every CSV row; returns the exit code. */
async function checkCsv(client: ApiClient, flags: DoctorFlags, output: Output): Promise<number> {
  if (!flags.project) throw new AppError('USAGE_INVALID', '--csv needs --project <id>: rows are checked against the project\'s endpoints');
  const { source, target } = await projectEndpoints(client, flags.project);
  let text: string;
  try {
    text = await readFile(flags.csv ?? '', 'utf8');
  } catch (err) {
    throw new AppError('USAGE_INVALID', `cannot read ${flags.csv ?? ''}: ${(err as Error).message}`);
  }
  const parsed = parsePairCsv(text, { access: { source: source.authKind, target: target.authKind } });
  const concurrency = Math.max(1, Math.min(Number(flags.concurrency ?? 4) || 4, source.maxConnections, target.maxConnections));
  const checked = await mapLimited(parsed.pairs, concurrency, async (row: PairCsvRow) => {
    const checks = [
      await checkRowSide(client, 'source', source, row.sourceUser, row.sourcePassword),
      await checkRowSide(client, 'target', target, row.targetUser, row.targetPassword),
    ];
    return { row, checks };
  });
  type Line = { line: number; source: string; target: string; ok: boolean; code: string | null; side: Side | null; message: string | null };
  const lines: Line[] = [
    ...parsed.errors.map((e): Line => ({ line: e.line, source: '', target: '', ok: false, code: 'CSV_ROW_INVALID', side: null, message: e.reason })),
    ...checked.map(({ row, checks }): Line => {
      const failed = checks.find((c) => c.error);
      return {
        line: row.line, source: row.sourceEmail ?? row.sourceUser, target: row.targetEmail ?? row.targetUser, ok: !failed,
        code: failed?.error?.code ?? null, side: failed?.side ?? null, message: failed?.error?.message ?? null,
      };
    }),
  ].sort((a, b) => a.line - b.line);
  const bad = lines.filter((l) => !l.ok).length;
  if (flags.json) {
    output.out(JSON.stringify({ format: parsed.format, rows: lines.length, failed: bad, lines }, null, 2));
  } else {
    for (const l of lines) {
      const who = l.source ? `${l.source} -> ${l.target}` : '';
      output.out(`line ${l.line}  ${who}  ${l.ok ? 'OK' : `${l.code ?? ''}${l.side ? ` (${l.side})` : ''}${l.message ? `: ${l.message}` : ''}`}`);
    }
    output.out(`${lines.length} rows: ${lines.length - bad} OK, ${bad} failed`);
  }
  return bad === 0 ? EXIT.OK : EXIT.AUTHENTICATION_FAILURE;
}

/** Runs the doctor with parsed flags; returns the exit code. */
export async function runDoctor(flags: DoctorFlags, env: NodeJS.ProcessEnv = process.env, output: Output = stdio): Promise<number> {
  const client = new ApiClient(apiClientOptions(flags, env));
  if (flags.csv) return checkCsv(client, flags, output);
  const checks: DoctorCheck[] = [];
  if (flags.project) {
    const { source, target } = await projectEndpoints(client, flags.project);
    for (const [side, endpoint, n] of [['source', source, 1], ['target', target, 2]] as const) {
      const user = (n === 1 ? flags.user1 : flags.user2) ?? null;
      const password = (n === 1 ? flags.password1 : flags.password2) ?? env[`CUTOVER_PASSWORD${n}`];
      const data = await client.post<TestData>(`/api/endpoints/${endpoint.id}/test`, { ...(user ? { user } : {}), ...(password !== undefined ? { password } : {}) });
      checks.push(fromApi(side, endpoint, user, data));
    }
  } else {
    const sides = ([1, 2] as const).filter((n) => (n === 1 ? flags.host1 : flags.host2) !== undefined);
    if (sides.length === 0) throw new AppError('USAGE_INVALID', 'cutover doctor: give --host1 … and/or --host2 … (as for cutover sync), or --project <id> [--csv file]');
    for (const n of sides) {
      const endpoint = endpointFromFlags(flags, n, env);
      const side: Side = n === 1 ? 'source' : 'target';
      checks.push(fromConnector(side, endpoint, await checkImapLogin(endpoint)));
    }
  }
  output.out(flags.json ? JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2) : checks.map(doctorText).join('\n\n'));
  return exitCode(checks);
}

/** Registers `doctor`. */
export function registerDoctor(program: Command): void {
  const cmd = program.command('doctor').description('Check endpoints before a migration: connectivity, TLS, login, master user, capabilities; or every row of a CSV');
  for (const n of [1, 2] as const) {
    const side = n === 1 ? 'source' : 'target';
    cmd
      .option(`--host${n} <host>`, `${side} IMAP server`)
      .option(`--port${n} <port>`, `${side} port`)
      .option(`--user${n} <user>`, `${side} account (with --project: the account the check logs in as)`)
      .option(`--password${n} <password>`, `${side} password (or --passfile${n}, CUTOVER_PASSWORD${n})`)
      .option(`--passfile${n} <file>`, `file whose first line is the ${side} password`)
      .option(`--authuser${n} <admin>`, `admin (master) user acting as --user${n}`)
      .option(`--master-separator${n} <char>`, 'log in as "user<char>admin" instead')
      .option(`--oauthaccesstoken${n} <token>`, 'OAuth2 access token')
      .option(`--ssl${n}`, 'implicit TLS').option(`--nossl${n}`, 'no implicit TLS')
      .option(`--tls${n}`, 'STARTTLS').option(`--notls${n}`, 'no STARTTLS')
      .option(`--insecure${n}`, 'do not verify the certificate').option(`--cafile${n} <pem>`, 'trust this CA');
  }
  cmd
    .option('--project <id>', 'check the endpoints of this project (through the API)')
    .option('--csv <file>', 'with --project: log in with every row of this CSV, one line per row')
    .option('--concurrency <n>', 'rows checked at once (capped by the endpoints\' connection limits)', '4')
    .option('--url <url>', 'Cutover server (default $CUTOVER_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (default $CUTOVER_TOKEN)')
    .option('--json', 'print JSON')
    .action(async (flags: DoctorFlags) => {
      try {
        process.exitCode = await runDoctor(flags);
      } catch (err) {
        const error = toAppError(err);
        if (flags.json) stdio.out(JSON.stringify({ error: error.toJSON() }, null, 2));
        else stdio.err(`${error.code}: ${error.message}\n  ${error.hint}`);
        process.exitCode = exitCodeForError(error);
      }
    });
}
