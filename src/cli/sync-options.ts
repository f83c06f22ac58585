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
import { DEFAULT_BATCH, DEFAULT_SPLIT_MESSAGES, type FolderSelection, type PassOptions } from '../engine/pass-types.ts';
import type { DavAuth, DavEndpoint, DavKind } from '../connectors/dav/types.ts';
import type { DavPassOptions } from '../engine/dav/dav-pass-types.ts';
import type { EventWindow } from '../engine/dav/event-window.ts';
import { parseDomainRewrite, type DomainRewrite } from '../engine/dav/rewrite-addresses.ts';

/** Raw flags as commander hands them over (strings, booleans, repeatable lists). */
export interface SyncFlags {
  host1?: string; port1?: string; user1?: string; password1?: string; passfile1?: string; authuser1?: string;
  ssl1?: boolean; nossl1?: boolean; tls1?: boolean; notls1?: boolean; insecure1?: boolean; cafile1?: string; compress1?: boolean; nocompress1?: boolean;
  masterSeparator1?: string; oauthaccesstoken1?: string;
  host2?: string; port2?: string; user2?: string; password2?: string; passfile2?: string; authuser2?: string;
  ssl2?: boolean; nossl2?: boolean; tls2?: boolean; notls2?: boolean; insecure2?: boolean; cafile2?: string; compress2?: boolean; nocompress2?: boolean;
  masterSeparator2?: string; oauthaccesstoken2?: string;
  folder?: string[]; include?: string[]; exclude?: string[]; regextrans2?: string[]; automap?: boolean;
  maxage?: string; minage?: string; maxsize?: string; minsize?: string;
  dry?: boolean; justfolders?: boolean; justlogin?: boolean; syncflags?: boolean;
  connections?: string; full?: boolean; batchMessages?: string; split?: string;
  resetLedger?: boolean; resetFolder?: string[];
  // Calendars and contacts (docs/calendars-and-contacts.md)
  caldav1?: string; caldav2?: string; carddav1?: string; carddav2?: string;
  davFrom?: string; davUntil?: string; davMap?: string[]; rewriteDomain?: string[]; davEtagOnly?: boolean;
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
  const compressOn = get('compress') as boolean | undefined;
  const compressOff = get('nocompress') as boolean | undefined;
  if (compressOn && compressOff) problems.push(`--compress${n} and --nocompress${n} contradict each other`);
  if (!host || !user) return null;
  const separator = get('masterSeparator') as string | undefined;
  let auth: ImapAuth;
  if (token !== undefined) auth = { kind: 'oauth2', user, accessToken: token };
  else if (authuser) auth = { kind: 'master', user, adminUser: authuser, password: password ?? '', method: separator ? 'separator' : 'authzid', ...(separator ? { separator } : {}) };
  else auth = { kind: 'password', user, password: password ?? '' };
  return {
    host, port: explicitPort ?? defaultImapPort(tls), tls, tlsVerify: !(get('insecure') as boolean | undefined),
    ...(caPem ? { tlsCa: caPem } : {}), auth, maxConnections: connections,
    ...(compressOn ? { compress: 'on' as const } : compressOff ? { compress: 'off' as const } : {}),
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
  const splitMessages = integer('split', flags.split, problems, 0) ?? DEFAULT_SPLIT_MESSAGES;
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
      batchMessages, batchBytes: DEFAULT_BATCH.batchBytes, memoryBytes: DEFAULT_BATCH.memoryBytes, splitMessages,
    },
  };
}

/** One DAV pair of `cutover sync`: calendars (caldav) or address books (carddav). */
export interface DavSyncPair {
  readonly kind: DavKind;
  readonly source: DavEndpoint;
  readonly target: DavEndpoint;
}

/** The calendar/contact part of a sync plan. */
export interface DavSyncPlan {
  readonly pairs: readonly DavSyncPair[];
  readonly pass: DavPassOptions;
  readonly reset: boolean;
}

/** Whether any calendar or contact endpoint flag was given. */
export function hasDavFlags(flags: SyncFlags): boolean {
  return [flags.caldav1, flags.caldav2, flags.carddav1, flags.carddav2].some((v) => v !== undefined);
}

function davUrl(name: string, value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.toString();
  } catch {
    problems.push(`--${name} must be an http:// or https:// URL (got "${value}")`);
    return null;
  }
}

function davEndpoint(n: 1 | 2, url: string, flags: SyncFlags, env: NodeJS.ProcessEnv, connections: number, problems: string[], etagOnly: boolean): DavEndpoint {
  const user = (n === 1 ? flags.user1 : flags.user2) ?? '';
  if (!user) problems.push(`--user${n} is required with --caldav${n} / --carddav${n}`);
  const password = secret(n, flags, env, problems);
  const admin = n === 1 ? flags.authuser1 : flags.authuser2;
  let auth: DavAuth;
  if (admin) auth = { kind: 'admin', user, adminUser: admin, password: password ?? '' };
  // No password: a server without authentication (Xandikos), or one in front of a trusted proxy.
  else if (password === undefined) auth = { kind: 'none', user };
  else auth = { kind: 'password', user, password };
  let tlsCa: string | undefined;
  const cafile = n === 1 ? flags.cafile1 : flags.cafile2;
  if (cafile) {
    try {
      tlsCa = readFileSync(cafile, 'utf8');
    } catch (err) {
      problems.push(`--cafile${n} "${cafile}" cannot be read: ${(err as Error).message}`);
    }
  }
  return {
    url, auth, tlsVerify: !(n === 1 ? flags.insecure1 : flags.insecure2), ...(tlsCa ? { tlsCa } : {}),
    maxConnections: connections, ...(etagOnly && n === 1 ? { disableSyncCollection: true } : {}),
  };
}

function dateFlag(name: string, value: string | undefined, problems: string[]): Date | null {
  if (value === undefined) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) {
    problems.push(`--${name} must be a date (YYYY-MM-DD or ISO 8601), got "${value}"`);
    return null;
  }
  return date;
}

/**
 * The calendar/contact pairs and pass options from the flags, or null when no DAV endpoint was given.
 * `now` anchors --maxage/--minage for events (rounded to the day, so the filter hash stays stable).
 */
export function parseDavFlags(flags: SyncFlags, env: NodeJS.ProcessEnv, worker: string, now: Date): DavSyncPlan | null {
  if (!hasDavFlags(flags)) return null;
  const problems: string[] = [];
  const connections = integer('connections', flags.connections, problems, 1) ?? 4;
  const batchItems = integer('batch-messages', flags.batchMessages, problems, 1) ?? 100;
  const pairs: DavSyncPair[] = [];
  for (const kind of ['caldav', 'carddav'] as const) {
    const s = davUrl(`${kind}1`, kind === 'caldav' ? flags.caldav1 : flags.carddav1, problems);
    const t = davUrl(`${kind}2`, kind === 'caldav' ? flags.caldav2 : flags.carddav2, problems);
    if ((s === null) !== (t === null)) problems.push(`--${kind}1 and --${kind}2 go together`);
    if (s !== null && t !== null) {
      pairs.push({ kind, source: davEndpoint(1, s, flags, env, connections, problems, flags.davEtagOnly ?? false), target: davEndpoint(2, t, flags, env, connections, problems, false) });
    }
  }
  const day = 86_400_000;
  const today = Math.floor(now.getTime() / day) * day;
  const maxAge = integer('maxage', flags.maxage, problems);
  const minAge = integer('minage', flags.minage, problems);
  const from = dateFlag('dav-from', flags.davFrom, problems) ?? (maxAge !== undefined ? new Date(today - maxAge * day) : null);
  const until = dateFlag('dav-until', flags.davUntil, problems) ?? (minAge !== undefined ? new Date(today - minAge * day) : null);
  const eventWindow: EventWindow | null = from || until
    ? { from, until, rule: `events ${from ? `from ${from.toISOString().slice(0, 10)}` : ''}${from && until ? ' ' : ''}${until ? `until ${until.toISOString().slice(0, 10)}` : ''}` }
    : null;
  const rewrites: DomainRewrite[] = [];
  for (const spec of flags.rewriteDomain ?? []) {
    try {
      rewrites.push(parseDomainRewrite(spec));
    } catch (err) {
      problems.push(`--rewrite-domain: ${(err as Error).message}`);
    }
  }
  const collectionRules = new Map<string, string>();
  for (const spec of flags.davMap ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1 || spec.slice(eq + 1).includes('/')) problems.push(`--dav-map expects SOURCE=TARGET (a collection name), got "${spec}"`);
    else collectionRules.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  if (problems.length > 0) {
    throw new AppError('USAGE_INVALID', `cutover sync: ${problems.length} problem(s) with the options:\n  - ${problems.join('\n  - ')}`, { details: { problems: problems.length } });
  }
  return {
    pairs, reset: flags.resetLedger ?? false,
    pass: {
      kind: flags.full ? 'full' : 'delta', dryRun: flags.dry ?? false, worker, eventWindow, rewrites, collectionRules, batchItems,
    },
  };
}
