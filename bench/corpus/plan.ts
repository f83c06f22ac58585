/**
 * The plan of a corpus without its bodies: which folder each message goes to, its exact size in
 * bytes, flags and INTERNALDATE. Message i's plan depends only on (spec, i), so planning 100k
 * messages takes milliseconds and the generator builds bodies of exactly the planned size.
 */
import { folderCounts, folderNames } from './spec.ts';
import type { CorpusSpec, CorpusStats } from './spec.ts';
import { normal, randomFor, randomInt } from './prng.ts';

/** Smallest message: large enough for any generated header block plus a short text body. */
export const MIN_MESSAGE_BYTES = 1024;
/** Largest message outside the tail, so the tail stays a distinct class. */
export const MAX_REGULAR_BYTES = 4 * 1024 * 1024;

/** Stream numbers for randomFor(seed, index, stream): plan and body draws never shift each other. */
export const PLAN_STREAM = 1;
export const BODY_STREAM = 2;

/** One folder of the corpus: its messages are global indexes first … first+count-1, in UID order. */
export interface FolderPlan {
  path: string;
  /** Position in folderNames order (0 = INBOX). */
  ordinal: number;
  first: number;
  count: number;
}

export interface MessagePlan {
  folder: string;
  /** Global index in the corpus (0-based); folder by folder, in folderNames order. */
  index: number;
  /** Position within its folder (0-based): the UID after seeding into an empty folder is position + 1. */
  position: number;
  bytes: number;
  /** An attachment mail of the spec's tail. */
  tail: boolean;
  flags: string[];
  internalDate: Date;
}

/** INTERNALDATEs spread over these years, oldest first within each folder (as UIDs usually are). */
export interface DateRange {
  fromMs: number;
  toMs: number;
}
export const CORPUS_DATES: DateRange = { fromMs: Date.UTC(2014, 0, 1), toMs: Date.UTC(2025, 5, 1) };

export function folderPlans(spec: CorpusSpec): FolderPlan[] {
  const names = folderNames(spec.folders);
  const counts = folderCounts(spec);
  let first = 0;
  return names.map((path, ordinal) => {
    const count = counts[ordinal] ?? 0;
    const plan = { path, ordinal, first, count };
    first += count;
    return plan;
  });
}

function plannedBytes(spec: CorpusSpec, index: number, random: () => number): { bytes: number; tail: boolean } {
  const { tail } = spec;
  // Draw the regular size first in every case, so the tail does not shift later draws.
  const regular = Math.round(spec.medianBytes * Math.exp(spec.sigma * normal(random)));
  const tailSize = tail ? randomInt(random, tail.minBytes, tail.maxBytes) : 0;
  if (tail && index % tail.everyNth === Math.floor(tail.everyNth / 2)) return { bytes: tailSize, tail: true };
  return { bytes: Math.min(MAX_REGULAR_BYTES, Math.max(MIN_MESSAGE_BYTES, regular)), tail: false };
}

function plannedFlags(folder: string, random: () => number): string[] {
  const flags: string[] = [];
  // Roughly a real mailbox: most read, some answered, a few flagged, a sprinkling of one keyword.
  const seen = random() < 0.7;
  if (seen) flags.push('\\Seen');
  if (seen && random() < 0.15) flags.push('\\Answered');
  if (random() < 0.04) flags.push('\\Flagged');
  if (random() < 0.03) flags.push('$Label1');
  if (folder === 'Drafts') flags.push('\\Draft');
  return flags;
}

/** The plan of message `position` of `folder`. */
export function planMessage(spec: CorpusSpec, folder: FolderPlan, position: number, dates: DateRange = CORPUS_DATES): MessagePlan {
  const index = folder.first + position;
  const random = randomFor(spec.seed, index, PLAN_STREAM);
  const { bytes, tail } = plannedBytes(spec, index, random);
  const flags = plannedFlags(folder.path, random);
  // Evenly over the range by position, ±12 h of jitter; IMAP INTERNALDATE has whole seconds.
  const span = dates.toMs - dates.fromMs;
  const at = dates.fromMs + ((position + 0.5) / Math.max(1, folder.count)) * span + (random() - 0.5) * 24 * 3600_000;
  const internalDate = new Date(Math.floor(at / 1000) * 1000);
  return { folder: folder.path, index, position, bytes, tail, flags, internalDate };
}

/** Every message's plan, folder by folder in UID order. */
export function* planMessages(spec: CorpusSpec, folder: FolderPlan, dates: DateRange = CORPUS_DATES): Generator<MessagePlan> {
  for (let position = 0; position < folder.count; position++) yield planMessage(spec, folder, position, dates);
}

/** Sizes and folders of the corpus without building a single body. */
export function planCorpus(spec: CorpusSpec): CorpusStats {
  const folders = folderPlans(spec);
  const sizes = new Float64Array(spec.messages);
  let bytes = 0;
  let largestBytes = 0;
  let i = 0;
  for (const folder of folders) {
    for (const message of planMessages(spec, folder)) {
      sizes[i++] = message.bytes;
      bytes += message.bytes;
      largestBytes = Math.max(largestBytes, message.bytes);
    }
  }
  sizes.sort();
  const medianBytes = sizes.length === 0 ? 0 : sizes.length % 2 === 1 ? sizes[(sizes.length - 1) / 2]! : Math.round((sizes[sizes.length / 2 - 1]! + sizes[sizes.length / 2]!) / 2);
  return {
    messages: spec.messages,
    bytes,
    medianBytes,
    meanBytes: spec.messages > 0 ? Math.round(bytes / spec.messages) : 0,
    largestBytes,
    folders: folders.length,
    perFolder: Object.fromEntries(folders.map((f) => [f.path, f.count])),
  };
}
