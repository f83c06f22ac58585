/**
 * The benchmark mailbox: N messages made from the real fixture messages (Enron + MIME edge cases),
 * spread over nested folders with flags. Each copy gets its own Message-ID (`<n.original>`), the rest
 * of the bytes stay as they are, so sizes and MIME structure are real and no tool can deduplicate
 * copies of one fixture against each other.
 */
import { join, resolve } from 'node:path';
import { headerDate, loadCorpusFolder, toCrlf } from '../test/helpers/seed-mailbox.ts';
import type { SeedFolder, SeedMessage } from '../test/helpers/seed-mailbox.ts';

const FIXTURES = resolve(import.meta.dirname, '../test/fixtures/mail');

/** Folder path -> share of the messages; nested paths make every tool create parents. */
const FOLDERS: ReadonlyArray<[string, number]> = [
  ['INBOX', 30],
  ['Sent', 15],
  ['Archive/2001', 12],
  ['Archive/2002', 10],
  ['Projects/ACME', 8],
  ['Projects/ACME/Contracts', 6],
  ['Projects/Beta', 5],
  ['Lists/dev', 7],
  ['Drafts', 2],
  ['Trash', 5],
];

export interface MessageSetStats {
  messages: number;
  bytes: number;
  medianBytes: number;
  meanBytes: number;
  maxBytes: number;
  folders: number;
  /** Messages per folder path. */
  perFolder: Record<string, number>;
}

export interface MessageSet {
  folders: SeedFolder[];
  stats: MessageSetStats;
}

let fixtures: Buffer[] | undefined;

function loadFixtures(): Buffer[] {
  // CRLF up front: sizes are then what the servers store, and the seeder has nothing left to change.
  fixtures ??= [join(FIXTURES, 'enron-scholtes-d'), join(FIXTURES, 'mail-edge')]
    .flatMap((dir) => loadCorpusFolder(dir))
    .map((m) => toCrlf(m.raw));
  return fixtures;
}

const MESSAGE_ID = /^(message-id:[ \t]*(?:\r\n[ \t]+)*<)/im;

/** Same bytes with a unique Message-ID: `<tag.original>`, or a new header line when there is none. */
export function uniqueCopy(raw: Buffer, tag: string): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end === -1 ? raw.length : end).toString('latin1');
  const match = MESSAGE_ID.exec(header);
  if (match) {
    const at = match.index + match[1]!.length;
    return Buffer.concat([raw.subarray(0, at), Buffer.from(`${tag}.`), raw.subarray(at)]);
  }
  return Buffer.concat([Buffer.from(`Message-ID: <${tag}@bench.cutover.test>\r\n`), raw]);
}

function flagsFor(i: number): string[] {
  const flags: string[] = [];
  // Roughly a real mailbox: most read, a few flagged/answered, a sprinkling of keywords.
  if (i % 10 < 7) flags.push('\\Seen');
  if (i % 23 === 0) flags.push('\\Flagged');
  if (i % 11 === 0) flags.push('\\Answered');
  if (i % 37 === 0) flags.push('$Label1');
  return flags;
}

const FALLBACK_DATE = new Date(Date.UTC(2001, 5, 1, 12, 0, 0));

/**
 * `count` messages; `idPrefix` keeps sets of different accounts apart (the scaling run seeds several
 * sources from the same fixtures).
 */
export function buildMessageSet(count: number, idPrefix = 'b'): MessageSet {
  const source = loadFixtures();
  const folders: SeedFolder[] = FOLDERS.map(([path]) => ({ path, messages: [] as SeedMessage[] }));
  // Deterministic interleaving: message i goes to the folder whose share is most behind.
  const filled = FOLDERS.map(() => 0);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    let pick = 0;
    let worst = Infinity;
    for (let f = 0; f < FOLDERS.length; f++) {
      const ratio = filled[f]! / FOLDERS[f]![1];
      if (ratio < worst) {
        worst = ratio;
        pick = f;
      }
    }
    filled[pick]!++;
    const fixture = source[i % source.length]!;
    const raw = uniqueCopy(fixture, `${idPrefix}${i}`);
    sizes.push(raw.length);
    folders[pick]!.messages.push({ raw, flags: flagsFor(i), internalDate: headerDate(raw) ?? FALLBACK_DATE });
  }
  sizes.sort((a, b) => a - b);
  const bytes = sizes.reduce((n, s) => n + s, 0);
  const used = folders.filter((f) => f.messages.length > 0);
  return {
    folders: used,
    stats: {
      messages: count,
      bytes,
      medianBytes: sizes[Math.floor(sizes.length / 2)] ?? 0,
      meanBytes: count > 0 ? Math.round(bytes / count) : 0,
      maxBytes: sizes[sizes.length - 1] ?? 0,
      folders: used.length,
      perFolder: Object.fromEntries(used.map((f) => [f.path, f.messages.length])),
    },
  };
}
