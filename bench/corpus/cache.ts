/**
 * Seeded sources kept across benchmark runs. Seeding 100k messages (2.5 GB) costs minutes; a source
 * is seeded once into a stable state dir (default `bench/.work/source-<corpus>`) with a marker file
 * `corpus.json`: the hash of spec + generator version + kind + user, and each folder's UIDVALIDITY,
 * UIDNEXT, MESSAGES and HIGHESTMODSEQ right after seeding. The next run starts Dovecot on that dir
 * and checks the folders against the marker; what a run changed on purpose (the small-delta pass's
 * new messages and flag changes) is rolled back instead of reseeding:
 * - new messages: every UID at or above the recorded UIDNEXT is expunged (UID EXPUNGE, RFC 4315 §2.1);
 * - flags: messages changed since the recorded HIGHESTMODSEQ (CHANGEDSINCE, RFC 7162 §3.1.4) get their
 *   planned flags back — UID n is the folder's message at position n-1 because seeding appends each
 *   folder in order over one connection.
 * Anything else (a folder missing or added, UIDVALIDITY changed, an original message gone, another
 * spec) reseeds from scratch. The marker is written only after a complete, verified seeding.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBenchServer } from '../servers.ts';
import type { BenchServer, ServerKind } from '../servers.ts';
import { ImapSession, quoted } from './imap-session.ts';
import { folderPlans, planMessage } from './plan.ts';
import type { FolderPlan } from './plan.ts';
import { hierarchyDelimiter, seedCorpus, serverName, statusAll } from './seed.ts';
import type { SeedAccount } from './seed.ts';
import { GENERATOR_VERSION } from './spec.ts';
import type { CorpusSpec, CorpusStats } from './spec.ts';

const WORK = resolve(import.meta.dirname, '../.work');
const MARKER = 'corpus.json';

export interface SeededSourceOptions {
  spec: CorpusSpec;
  /** The account that holds the corpus. */
  user: string;
  password: string;
  /** More accounts on the same server, not seeded (user -> password). */
  users?: Record<string, string>;
  /** Default 'maildir'. */
  kind?: ServerKind;
  /** Default bench/.work/source-<spec.name> (plus -<kind> for other kinds). */
  stateDir?: string;
  /** false: seed a throw-away source (removed on stop) and ignore any cache. Default true. */
  reuse?: boolean;
  log?: (msg: string) => void;
}

export interface SeededSource {
  server: BenchServer;
  account: SeedAccount;
  stats: CorpusStats;
  /** True when the cached mail was used (possibly after rolling back a delta). */
  reused: boolean;
  /** Seeding time of this run, or of the run that seeded the cache. */
  seedSeconds: number;
  /** What was rolled back, e.g. 'removed 200 new messages, reset flags on 200'; '' if nothing. */
  restored: string;
}

interface FolderState {
  uidvalidity: number;
  uidnext: number;
  messages: number;
  highestmodseq?: number;
}

interface Marker {
  key: string;
  spec: CorpusSpec;
  generatorVersion: number;
  kind: ServerKind;
  user: string;
  stats: CorpusStats;
  seedSeconds: number;
  seededAt: string;
  folders: Record<string, FolderState>;
}

function cacheKey(spec: CorpusSpec, kind: ServerKind, user: string): string {
  return createHash('sha256').update(JSON.stringify({ spec, generatorVersion: GENERATOR_VERSION, kind, user })).digest('hex');
}

function readMarker(dir: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

function writeMarker(dir: string, marker: Marker): void {
  const tmp = join(dir, `${MARKER}.tmp`);
  writeFileSync(tmp, JSON.stringify(marker, null, 2) + '\n');
  renameSync(tmp, join(dir, MARKER));
}

async function folderStates(account: SeedAccount, folders: FolderPlan[]): Promise<Record<string, FolderState>> {
  const session = await ImapSession.open(account);
  try {
    const condstore = session.capabilities.has('CONDSTORE');
    const status = await statusAll(session, folders.map((f) => f.path), await hierarchyDelimiter(session), `MESSAGES UIDNEXT UIDVALIDITY${condstore ? ' HIGHESTMODSEQ' : ''}`);
    return Object.fromEntries([...status].map(([path, v]) => {
      const state: FolderState = { uidvalidity: v['UIDVALIDITY'] ?? 0, uidnext: v['UIDNEXT'] ?? 0, messages: v['MESSAGES'] ?? 0 };
      if (v['HIGHESTMODSEQ'] !== undefined) state.highestmodseq = v['HIGHESTMODSEQ'];
      return [path, state];
    }));
  } finally {
    await session.logout();
  }
}

/** RFC 3501 sequence set of sorted UIDs, runs compressed ("1:5,9"). */
function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length;) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(i === j ? `${uids[i]}` : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const sameFlags = (a: string[], b: string[]): boolean => a.length === b.length && a.every((f) => b.includes(f));

/** Rolls one changed folder back to the seeded state; returns [new messages removed, flags reset]. */
async function restoreFolder(session: ImapSession, spec: CorpusSpec, folder: FolderPlan, recorded: FolderState, delimiter: string): Promise<[number, number]> {
  await session.ok(`SELECT ${quoted(serverName(folder.path, delimiter))}`);
  // "n:*" also matches the highest UID when it is below n (RFC 3501 §6.4.8), hence the filter.
  const search = await session.ok(`UID SEARCH UID ${recorded.uidnext}:*`);
  const extras = search.untagged.filter((l) => /^\* SEARCH/i.test(l)).flatMap((l) => l.slice(8).trim().split(/\s+/)).map(Number).filter((uid) => uid >= recorded.uidnext).sort((a, b) => a - b);
  if (extras.length > 0) {
    await session.ok(`UID STORE ${uidSet(extras)} +FLAGS.SILENT (\\Deleted)`);
    await session.ok(`UID EXPUNGE ${uidSet(extras)}`);
  }
  let reset = 0;
  if (folder.count > 0) {
    const since = recorded.highestmodseq !== undefined && session.capabilities.has('CONDSTORE') ? ` (CHANGEDSINCE ${recorded.highestmodseq})` : '';
    const fetch = await session.ok(`UID FETCH 1:${folder.count} (FLAGS)${since}`);
    const wrong = new Map<string, number[]>();
    for (const line of fetch.untagged) {
      const uid = Number(/[( ]UID (\d+)/i.exec(line)?.[1]);
      const flags = /FLAGS \(([^)]*)\)/i.exec(line)?.[1];
      if (!Number.isInteger(uid) || uid < 1 || uid > folder.count || flags === undefined) continue;
      // \Recent is per session (RFC 3501 §2.3.2), not stored state.
      const actual = flags.split(' ').filter((f) => f !== '' && f.toLowerCase() !== '\\recent');
      const planned = planMessage(spec, folder, uid - 1).flags;
      if (sameFlags(actual, planned)) continue;
      const key = planned.join(' ');
      wrong.set(key, [...(wrong.get(key) ?? []), uid]);
      reset++;
    }
    for (const [flags, uids] of wrong) await session.ok(`UID STORE ${uidSet(uids)} FLAGS.SILENT (${flags})`);
  }
  await session.ok('CLOSE');
  return [extras.length, reset];
}

/** Checks the cached source against the marker and rolls back deltas; a string says why it cannot be reused. */
async function checkAndRestore(account: SeedAccount, spec: CorpusSpec, marker: Marker): Promise<{ restored: string } | string> {
  const folders = folderPlans(spec);
  const session = await ImapSession.open(account);
  try {
    const delimiter = await hierarchyDelimiter(session);
    const list = await session.ok('LIST "" "*"');
    const listed = new Set(list.untagged.flatMap((l) => {
      const m = /^\* LIST \([^)]*\) (?:"(?:[^"\\]|\\.)*"|NIL) (?:"((?:[^"\\]|\\.)*)"|(\S+))$/i.exec(l);
      return m ? [m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')] : [];
    }));
    const expected = new Set(folders.map((f) => serverName(f.path, delimiter)));
    const odd = [...listed].filter((n) => !expected.has(n)).concat([...expected].filter((n) => !listed.has(n)));
    if (odd.length > 0) return `folders differ from the plan (${odd.slice(0, 3).join(', ')})`;
    const condstore = session.capabilities.has('CONDSTORE');
    const status = await statusAll(session, folders.map((f) => f.path), delimiter, `MESSAGES UIDNEXT UIDVALIDITY${condstore ? ' HIGHESTMODSEQ' : ''}`);
    let removed = 0;
    let reset = 0;
    for (const folder of folders) {
      const now = status.get(folder.path);
      const recorded = marker.folders[folder.path];
      if (!now || !recorded) return `no record of ${folder.path}`;
      if (now['UIDVALIDITY'] !== recorded.uidvalidity) return `${folder.path}: UIDVALIDITY changed`;
      const unchanged = now['MESSAGES'] === recorded.messages && now['UIDNEXT'] === recorded.uidnext && (recorded.highestmodseq === undefined || now['HIGHESTMODSEQ'] === recorded.highestmodseq);
      // Without CONDSTORE a flag change leaves no trace in STATUS: always compare every message's flags.
      if (unchanged && recorded.highestmodseq !== undefined) continue;
      const [r, f] = await restoreFolder(session, spec, folder, recorded, delimiter);
      removed += r;
      reset += f;
    }
    const after = await statusAll(session, folders.map((f) => f.path), delimiter, 'MESSAGES');
    const short = folders.find((f) => after.get(f.path)?.['MESSAGES'] !== f.count);
    if (short) return `${short.path} holds ${after.get(short.path)?.['MESSAGES']} messages, planned ${short.count}`;
    const restored = [removed > 0 ? `removed ${removed} new messages` : '', reset > 0 ? `reset flags on ${reset}` : ''].filter(Boolean).join(', ');
    return { restored };
  } finally {
    await session.logout();
  }
}

/**
 * A running source holding `spec` in `user`: reused from the state dir when its marker matches (after
 * rolling back deltas), else seeded afresh and recorded. The caller stops the server; the state dir stays.
 */
export async function startSeededSource(opts: SeededSourceOptions): Promise<SeededSource> {
  const kind = opts.kind ?? 'maildir';
  const log = opts.log ?? ((): void => undefined);
  const users = { ...opts.users, [opts.user]: opts.password };
  const name = `source-${opts.spec.name}${kind === 'maildir' ? '' : `-${kind}`}`;
  const accountOf = (server: BenchServer): SeedAccount => ({ host: server.host, port: server.port, user: opts.user, password: opts.password });

  if (opts.reuse === false) {
    const server = await startBenchServer({ name, kind, users });
    try {
      const started = performance.now();
      const stats = await seedCorpus(accountOf(server), opts.spec, { log });
      return { server, account: accountOf(server), stats, reused: false, seedSeconds: (performance.now() - started) / 1000, restored: '' };
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  const dir = resolve(opts.stateDir ?? join(WORK, name));
  const key = cacheKey(opts.spec, kind, opts.user);
  const marker = readMarker(dir);
  if (marker?.key === key) {
    const server = await startBenchServer({ name, kind, users, stateDir: dir });
    try {
      const check = await checkAndRestore(accountOf(server), opts.spec, marker);
      if (typeof check !== 'string') {
        if (check.restored !== '') {
          writeMarker(dir, { ...marker, folders: await folderStates(accountOf(server), folderPlans(opts.spec)) });
          log(`source ${opts.spec.name}: reused ${dir} (${check.restored})`);
        } else {
          log(`source ${opts.spec.name}: reused ${dir}`);
        }
        return { server, account: accountOf(server), stats: marker.stats, reused: true, seedSeconds: marker.seedSeconds, restored: check.restored };
      }
      log(`source ${opts.spec.name}: cannot reuse ${dir}: ${check}; seeding again`);
    } catch (err) {
      await server.stop();
      throw err;
    }
    await server.stop();
  } else if (existsSync(dir)) {
    log(`source ${opts.spec.name}: ${dir} holds ${marker ? 'another corpus' : 'no complete seeding'}; seeding again`);
  }

  rmSync(dir, { recursive: true, force: true });
  const server = await startBenchServer({ name, kind, users, stateDir: dir });
  try {
    const started = performance.now();
    const stats = await seedCorpus(accountOf(server), opts.spec, { log });
    const seedSeconds = (performance.now() - started) / 1000;
    const folders = await folderStates(accountOf(server), folderPlans(opts.spec));
    writeMarker(dir, { key, spec: opts.spec, generatorVersion: GENERATOR_VERSION, kind, user: opts.user, stats, seedSeconds, seededAt: new Date().toISOString(), folders });
    return { server, account: accountOf(server), stats, reused: false, seedSeconds, restored: '' };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
