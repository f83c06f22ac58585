/**
 * imapsync-style flags of `cutover sync` turned into endpoints and pass options. Pure except for
 * reading --passfile, so it is unit-tested flag by flag. Every problem is collected and reported at
 * once (USAGE_INVALID listing each), rather than the first one only.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../core/app-error.ts';
import { defaultImapPort, type ImapAuth, type ImapEndpoint, type TlsMode } from '../core/endpoint.ts';
import type { FilterOptions } from '../engine/filters.ts';
import { parseRegexTrans } from '../engine/folder-map.ts';
import { DEFAULT_BATCH, type FolderSelection, type PassOptions } from '../engine/pass-types.ts';

/** Raw flags as commander hands them over (strings, booleans, repeatable lists). */
export interface SyncFlags {
  host1?: string; port1?: string; user1?: string; password1?: string; passfile1?: string; authuser1?: string;
  ssl1?: boolean; nossl1?: boolean; tls1?: boolean; notls1?: boolean; insecure1?: boolean; cafile1?: string;
  masterSeparator1?: string; oauthaccesstoken1?: string;
  host2?: string; port2?: string; user2?: string; password2?: string; passfile2?: string; authuser2?: string;
  ssl2?: boolean; nossl2?: boolean; tls2?: boolean; notls2?: boolean; insecure2?: boolean; cafile2?: string;
  masterSeparator2?: string; oauthaccesstoken2?: string;
  folder?: string[]; include?: string[]; exclude?: string[]; regextrans2?: string[]; automap?: boolean;
  maxage?: string; minage?: string; maxsize?: string; minsize?: string;
  dry?: boolean; justfolders?: boolean; justlogin?: boolean; syncflags?: boolean;
  connections?: string; full?: boolean; batchMessages?: string;
  resetLedger?: boolean; resetFolder?: string[];
}

export interface SyncPlan {
  readonly source: ImapEndpoint;
  readonly target: ImapEndpoint;
  readonly pass: PassOptions;
  readonly justLogin: boolean;
  /** Forget the ledger before the pass: everything (true) or these source folders. */
  readonly reset: true | readonly string[] | null;
}

/**
 * TLS mode from imapsync's four switches. Cutover is secure by default: without a switch it uses
 * implicit TLS on port 993 and STARTTLS elsewhere (and fails rather than fall back to plain text);
 * plain text only with both --nosslN and --notlsN.
 */
export function tlsModeFrom(flags: { ssl?: boolean; nossl?: boolean; tls?: boolean; notls?: boolean; port?: number }): TlsMode {
  if (flags.ssl) return 'implicit';
  if (flags.tls) return 'starttls';
  if (flags.nossl && flags.notls) return 'none';
  if (flags.notls) return 'implicit';
  if (flags.nossl) return 'starttls';
  return flags.port === 993 ? 'implicit' : 'starttls';
}

function integer(name: string, value: string | undefined, problems: string[], min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    problems.push(`--${name} must be a whole number ≥ ${min} (got "${value}")`);
    return undefined;
  }
  return n;
}

function secret(n: 1 | 2, flags: SyncFlags, env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const direct = n === 1 ? flags.password1 : flags.password2;
  if (direct !== undefined) return direct;
  const file = n === 1 ? flags.passfile1 : flags.passfile2;
  if (file !== undefined) {
    try {
      // imapsync reads the first line of the file; trailing CR/LF are not part of the password.
      return (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '');
    } catch (err) {
      problems.push(`--passfile${n} "${file}" cannot be read: ${(err as Error).message}`);
      return undefined;
    }
  }
  return env[`CUTOVER_PASSWORD${n}`] ?? env[`IMAPSYNC_PASSWORD${n}`];
}

function endpoint(n: 1 | 2, flags: SyncFlags, env: NodeJS.ProcessEnv, connections: number, problems: string[]): ImapEndpoint | null {
  const get = <K extends string>(key: K): unknown => (flags as Record<string, unknown>)[`${key}${n}`];
  const host = get('host') as string | undefined;
  const user = get('user') as string | undefined;
  if (!host) problems.push(`--host${n} is required`);
  if (!user) problems.push(`--user${n} is required`);
  const explicitPort = integer(`port${n}`, get('port') as string | undefined, problems, 1);
  const tls = tlsModeFrom({
    ssl: get('ssl') as boolean | undefined, nossl: get('nossl') as boolean | undefined,
    tls: get('tls') as boolean | undefined, notls: get('notls') as boolean | undefined, port: explicitPort,
  });
  const token = get('oauthaccesstoken') as string | undefined;
  const password = token === undefined ? secret(n, flags, env, problems) : undefined;
  const authuser = get('authuser') as string | undefined;
  if (token === undefined && password === undefined) {
    problems.push(`a password for account ${n} is needed: --password${n}, --passfile${n} or the CUTOVER_PASSWORD${n} environment variable`);
  }
  let caPem: string | undefined;
  const cafile = get('cafile') as string | undefined;
  if (cafile) {
    try {
      caPem = readFileSync(cafile, 'utf8');
    } catch (err) {
      problems.push(`--cafile${n} "${cafile}" cannot be read: ${(err as Error).message}`);
    }
  }
  if (!host || !user) return null;
  const separator = get('masterSeparator') as string | undefined;
  let auth: ImapAuth;
  if (token !== undefined) auth = { kind: 'oauth2', user, accessToken: token };
  else if (authuser) auth = { kind: 'master', user, adminUser: authuser, password: password ?? '', method: separator ? 'separator' : 'authzid', ...(separator ? { separator } : {}) };
  else auth = { kind: 'password', user, password: password ?? '' };
  return {
    host, port: explicitPort ?? defaultImapPort(tls), tls, tlsVerify: !(get('insecure') as boolean | undefined),
    ...(caPem ? { tlsCa: caPem } : {}), auth, maxConnections: connections,
  };
}

function regexes(name: string, values: readonly string[] | undefined, problems: string[]): RegExp[] {
  return (values ?? []).flatMap((value) => {
    try {
      return [new RegExp(value)];
    } catch (err) {
      problems.push(`--${name} "${value}" is not a valid regular expression: ${(err as Error).message}`);
      return [];
    }
  });
}

/** Turns flags into a sync plan, or throws USAGE_INVALID listing every problem. */
export function parseSyncFlags(flags: SyncFlags, env: NodeJS.ProcessEnv, worker: string): SyncPlan {
  const problems: string[] = [];
  const connections = integer('connections', flags.connections, problems, 1) ?? 4;
  const batchMessages = integer('batch-messages', flags.batchMessages, problems, 1) ?? DEFAULT_BATCH.batchMessages;
  const source = endpoint(1, flags, env, connections, problems);
  const target = endpoint(2, flags, env, connections, problems);
  const regexTrans: Array<{ pattern: RegExp; replacement: string }> = [];
  for (const spec of flags.regextrans2 ?? []) {
    try {
      regexTrans.push(parseRegexTrans(spec));
    } catch (err) {
      problems.push(`--regextrans2 "${spec}": ${(err as Error).message}`);
    }
  }
  const selection: FolderSelection = {
    include: regexes('include', flags.include, problems),
    exclude: regexes('exclude', flags.exclude, problems),
    folders: flags.folder && flags.folder.length > 0 ? flags.folder : null,
    regexTrans,
    automap: flags.automap ?? false,
  };
  const filters: FilterOptions = {
    maxAgeDays: integer('maxage', flags.maxage, problems),
    minAgeDays: integer('minage', flags.minage, problems),
    maxSize: integer('maxsize', flags.maxsize, problems),
    minSize: integer('minsize', flags.minsize, problems),
  };
  if (problems.length > 0 || !source || !target) {
    throw new AppError('USAGE_INVALID', `cutover sync: ${problems.length} problem(s) with the options:\n  - ${problems.join('\n  - ')}`, { details: { problems: problems.length } });
  }
  const reset = flags.resetLedger ? true : flags.resetFolder && flags.resetFolder.length > 0 ? flags.resetFolder : null;
  return {
    source, target, justLogin: flags.justlogin ?? false, reset,
    pass: {
      kind: flags.full ? 'full' : 'delta', selection, filters, syncFlags: flags.syncflags ?? false,
      dryRun: flags.dry ?? false, justFolders: flags.justfolders ?? false, connections, worker,
      batchMessages, batchBytes: DEFAULT_BATCH.batchBytes,
    },
  };
}
