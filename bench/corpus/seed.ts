/**
 * Fills an IMAP account with a generated corpus, fast: each folder's messages go in UID order over
 * one connection in MULTIAPPEND batches (RFC 3502) written at once with LITERAL+ (RFC 7888), two
 * batches in flight per connection, several connections (folders) in parallel. Generation streams:
 * at most a few batches per connection are in memory. UID n of a folder seeded into an empty
 * mailbox is its message at position n-1 (cache.ts relies on it to restore flags).
 */
import { EXTRA_DATES, extraSpec, generateFolder } from './generate.ts';
import { ImapSession, quoted } from './imap-session.ts';
import type { AppendItem, ImapAccount } from './imap-session.ts';
import { CORPUS_DATES, folderPlans, planCorpus } from './plan.ts';
import type { DateRange, FolderPlan } from './plan.ts';
import type { CorpusSpec, CorpusStats } from './spec.ts';

export interface SeedAccount {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface SeedOptions {
  log?: (msg: string) => void;
}

/** Parallel connections. Four keep Dovecot's per-connection imap processes busy on 2–4 cores. */
const CONNECTIONS = 4;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_MESSAGES = 500;
/** APPEND commands in flight per connection: the next batch is on the wire while one is stored. */
const IN_FLIGHT = 2;

/** The server's name for a '/'-separated path (our names are ASCII: no modified UTF-7 needed). */
export function serverName(path: string, delimiter: string): string {
  if (path.toUpperCase() === 'INBOX') return 'INBOX';
  if (!/^[\x20-\x7e]+$/.test(path)) throw new Error(`corpus folder ${JSON.stringify(path)} is not ASCII`);
  return path.split('/').join(delimiter);
}

/** The hierarchy delimiter from `LIST "" ""` (RFC 3501 §6.3.8). */
export async function hierarchyDelimiter(session: ImapSession): Promise<string> {
  const list = await session.ok('LIST "" ""');
  const match = /^\* LIST \([^)]*\) "((?:[^"\\]|\\.)*)"/i.exec(list.untagged.find((l) => /^\* LIST /i.test(l)) ?? '');
  return match?.[1]?.replace(/\\(.)/g, '$1') ?? '/';
}

/** Parses `* STATUS <mailbox> (NAME n …)` lines into mailbox -> attribute -> number. */
export function parseStatus(lines: string[]): Map<string, Record<string, number>> {
  const result = new Map<string, Record<string, number>>();
  for (const line of lines) {
    const match = /^\* STATUS (?:"((?:[^"\\]|\\.)*)"|(\S+)) \((.*)\)$/i.exec(line);
    if (!match) continue;
    const name = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '');
    const values: Record<string, number> = {};
    const items = (match[3] ?? '').trim().split(/\s+/);
    for (let i = 0; i + 1 < items.length; i += 2) values[items[i]!.toUpperCase()] = Number(items[i + 1]);
    result.set(name, values);
  }
  return result;
}

/** STATUS of every folder, pipelined on one session; path -> attribute -> number. */
export async function statusAll(session: ImapSession, paths: string[], delimiter: string, items: string): Promise<Map<string, Record<string, number>>> {
  const responses = await Promise.all(paths.map((p) => session.ok(`STATUS ${quoted(serverName(p, delimiter))} (${items})`)));
  const byServerName = parseStatus(responses.flatMap((r) => r.untagged));
  const result = new Map<string, Record<string, number>>();
  for (const path of paths) {
    const values = byServerName.get(serverName(path, delimiter));
    if (!values) throw new Error(`no STATUS answer for ${JSON.stringify(path)}`);
    result.set(path, values);
  }
  return result;
}

/**
 * CREATE every folder (parents come first in the list). An existing one is fine (RFC 5530
 * ALREADYEXISTS); returns those, with INBOX, as the folders that may already hold mail.
 */
async function createFolders(session: ImapSession, paths: string[], delimiter: string): Promise<string[]> {
  const created = paths.filter((p) => p.toUpperCase() !== 'INBOX');
  const responses = await Promise.all(created.map((p) => session.command(`CREATE ${quoted(serverName(p, delimiter))}`)));
  const existing = paths.filter((p) => p.toUpperCase() === 'INBOX');
  responses.forEach((response, i) => {
    if (response.status === 'OK') return;
    if (!/\[ALREADYEXISTS\]/i.test(response.text)) throw new Error(`CREATE ${JSON.stringify(created[i])} failed: ${response.status} ${response.text}`);
    existing.push(created[i]!);
  });
  return existing;
}

interface Progress {
  messages: number;
  bytes: number;
}

/** Appends one folder's generated messages, in order, over one session. */
async function appendFolder(session: ImapSession, spec: CorpusSpec, folder: FolderPlan, dates: DateRange, delimiter: string, progress: Progress): Promise<void> {
  const multi = session.capabilities.has('MULTIAPPEND');
  const literalPlus = session.capabilities.has('LITERAL+');
  const maxMessages = multi ? BATCH_MESSAGES : 1;
  const depth = literalPlus ? IN_FLIGHT : 1;
  const mailbox = serverName(folder.path, delimiter);
  const inFlight: Array<Promise<void>> = [];
  let batch: AppendItem[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    const bytes = batchBytes;
    batch = [];
    batchBytes = 0;
    if (inFlight.length >= depth) await inFlight.shift();
    inFlight.push(session.append(mailbox, items, literalPlus).then((response) => {
      if (response.status !== 'OK') throw new Error(`APPEND of ${items.length} messages to ${JSON.stringify(folder.path)} failed: ${response.status} ${response.text}`);
      progress.messages += items.length;
      progress.bytes += bytes;
    }));
  };
  let failure: unknown;
  try {
    for (const message of generateFolder(spec, folder, dates)) {
      // A large message goes alone rather than stretching a batch far past BATCH_BYTES.
      if (batch.length > 0 && batchBytes + message.content.length > BATCH_BYTES) await flush();
      batch.push({ flags: message.flags, internalDate: message.internalDate, content: message.content });
      batchBytes += message.content.length;
      if (batch.length >= maxMessages || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    failure = err;
  }
  // Settle every APPEND before returning or throwing, so no rejection goes unobserved.
  const failed = (await Promise.allSettled(inFlight)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  failure ??= failed?.reason;
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(`APPEND to ${JSON.stringify(folder.path)} failed: ${JSON.stringify(failure)}`);
}

/**
 * Appends the given folders' generated messages (folders created as needed), biggest folders first,
 * up to CONNECTIONS at a time. Returns how many messages were stored.
 */
async function appendFolders(account: SeedAccount, spec: CorpusSpec, folders: FolderPlan[], dates: DateRange, options: SeedOptions & { requireEmpty: boolean }): Promise<number> {
  const control = await ImapSession.open(account satisfies ImapAccount);
  let delimiter: string;
  try {
    delimiter = await hierarchyDelimiter(control);
    const existing = await createFolders(control, folders.map((f) => f.path), delimiter);
    if (options.requireEmpty) {
      // Only folders that existed before can hold mail (STATUS costs Dovecot ~2–4 ms on a new folder).
      const status = await statusAll(control, existing, delimiter, 'MESSAGES');
      const busy = [...status].filter(([, v]) => (v['MESSAGES'] ?? 0) > 0).map(([p]) => p);
      if (busy.length > 0) throw new Error(`seedCorpus: ${account.user} is not empty (${busy.slice(0, 3).join(', ')} hold messages)`);
    }
  } finally {
    await control.logout();
  }
  const queue = folders.filter((f) => f.count > 0).sort((a, b) => b.count - a.count);
  const progress: Progress = { messages: 0, bytes: 0 };
  const started = performance.now();
  const ticker = options.log ? setInterval(() => {
    const s = (performance.now() - started) / 1000;
    options.log?.(`  seeding ${spec.name}: ${progress.messages} messages, ${(progress.bytes / 2 ** 20).toFixed(0)} MiB in ${s.toFixed(0)} s`);
  }, 5000) : undefined;
  try {
    await Promise.all(Array.from({ length: Math.min(CONNECTIONS, queue.length) }, async () => {
      const session = await ImapSession.open(account);
      try {
        for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
          await appendFolder(session, spec, folder, dates, delimiter, progress);
        }
      } catch (err) {
        // Stop the other connections from taking more folders.
        queue.length = 0;
        throw err;
      } finally {
        await session.logout();
      }
    }));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  return progress.messages;
}

/**
 * Seeds `spec` into an empty account: creates its folders, appends every message with its flags
 * and INTERNALDATE, then checks each folder's STATUS MESSAGES against the plan. Returns the plan.
 */
export async function seedCorpus(account: SeedAccount, spec: CorpusSpec, opts: SeedOptions = {}): Promise<CorpusStats> {
  const plan = planCorpus(spec);
  const folders = folderPlans(spec);
  const started = performance.now();
  await appendFolders(account, spec, folders, CORPUS_DATES, { ...opts, requireEmpty: true });
  const session = await ImapSession.open(account);
  try {
    const status = await statusAll(session, folders.map((f) => f.path), await hierarchyDelimiter(session), 'MESSAGES');
    for (const folder of folders) {
      const stored = status.get(folder.path)?.['MESSAGES'];
      if (stored !== folder.count) throw new Error(`seedCorpus: ${folder.path} holds ${stored} messages, planned ${folder.count}`);
    }
  } finally {
    await session.logout();
  }
  const seconds = (performance.now() - started) / 1000;
  opts.log?.(`seeded ${spec.name}: ${plan.messages} messages, ${(plan.bytes / 2 ** 20).toFixed(1)} MiB, ${plan.folders} folders in ${seconds.toFixed(1)} s`);
  return plan;
}

/**
 * The "1 % new" small delta: `count` new messages spread over the corpus's folders in its
 * proportions (INBOX its share, the rest evenly), regular sizes without the attachment tail, dated
 * after the corpus, Message-IDs carrying `salt` (use a new salt per delta). Returns how many were stored.
 */
export async function appendExtra(account: SeedAccount, spec: CorpusSpec, count: number, salt: string): Promise<number> {
  const extra = extraSpec(spec, count, salt);
  return appendFolders(account, extra, folderPlans(extra), EXTRA_DATES, { requireEmpty: false });
}
