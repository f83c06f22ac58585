/**
 * Builds a corpus's messages one at a time (never the whole corpus in memory): folder by folder in
 * folderNames order, each folder in UID order. Same spec, same bytes, on any machine.
 */
import { buildMessage } from './mime.ts';
import { CORPUS_DATES, folderPlans, planMessages } from './plan.ts';
import type { DateRange, FolderPlan } from './plan.ts';
import { hashString } from './prng.ts';
import type { CorpusSpec } from './spec.ts';

export { planCorpus } from './plan.ts';

export interface GeneratedMessage {
  /** '/'-separated folder path. */
  folder: string;
  /** Global index in the corpus (0-based), folder by folder. */
  index: number;
  content: Buffer;
  flags: string[];
  internalDate: Date;
}

/** One folder's messages in UID order. */
export function* generateFolder(spec: CorpusSpec, folder: FolderPlan, dates: DateRange = CORPUS_DATES): Generator<GeneratedMessage> {
  for (const plan of planMessages(spec, folder, dates)) {
    yield { folder: plan.folder, index: plan.index, content: buildMessage(spec, plan), flags: plan.flags, internalDate: plan.internalDate };
  }
}

/** Every message of the corpus, folder by folder. */
export function* generateMessages(spec: CorpusSpec): Generator<GeneratedMessage> {
  for (const folder of folderPlans(spec)) yield* generateFolder(spec, folder);
}

/** New mail arrives after the corpus's last INTERNALDATE. */
export const EXTRA_DATES: DateRange = { fromMs: CORPUS_DATES.toMs + 86_400_000, toMs: CORPUS_DATES.toMs + 31 * 86_400_000 };

/**
 * The `count` new messages of a small-delta pass: the corpus's folders and proportions, sizes from
 * its log-normal but no attachment tail, dated after the corpus, Message-IDs carrying `salt` so each
 * delta is new to every tool.
 */
export function extraSpec(spec: CorpusSpec, count: number, salt: string): CorpusSpec {
  const safeSalt = salt.replace(/[^A-Za-z0-9-]/g, '-');
  if (safeSalt === '') throw new Error('extraSpec: salt must not be empty');
  return { ...spec, name: `${spec.name}+${safeSalt}`, messages: count, tail: null, seed: (spec.seed ^ hashString(salt)) >>> 0 };
}
