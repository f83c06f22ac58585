/**
 * What a generated benchmark corpus looks like: message count, folder tree, size distribution, seed.
 * The corpora of issue 7 (1k; 20k ≈ 0.5 GB in 20 folders; 100k in 100 folders with one of 50k) and
 * the folder-count variants for the no-op delta figure. Pure data: building and seeding live in
 * generate.ts and seed.ts.
 */

/** A generated corpus, fully determined by these fields (they are also the cache key). */
export interface CorpusSpec {
  /** '1k' | '20k' | '100k' | 'folders-10' | …: used in cache keys, Message-IDs and reports. */
  name: string;
  messages: number;
  /** Folder count incl. INBOX; parents of nested folders ('Projects/ACME/2024') are folders too. */
  folders: number;
  /** Share of the messages in the biggest folder (INBOX); the rest is spread evenly over the others. */
  largestFolderShare: number;
  /** Median message size in bytes (the log-normal's e^μ). */
  medianBytes: number;
  /** Log-normal shape σ: mean = median · e^(σ²/2). */
  sigma: number;
  /** Every Nth message (from N/2 on) is an attachment mail of minBytes–maxBytes (uniform); null for none. */
  tail: { everyNth: number; minBytes: number; maxBytes: number } | null;
  /** Seed of the deterministic PRNG: same spec, same bytes. */
  seed: number;
}

/** The plan of a corpus (or what a seeding stored): sizes and folders, no bodies. */
export interface CorpusStats {
  messages: number;
  bytes: number;
  medianBytes: number;
  meanBytes: number;
  largestBytes: number;
  folders: number;
  /** Messages per folder path ('/'-separated). */
  perFolder: Record<string, number>;
}

const MiB = 1024 * 1024;

/**
 * 5–25 MiB attachment mails, one in 1,500 from the 750th on: 13 in 20k, one in 1k.
 * σ = 1.1 gives a mean of ≈15 KB for the rest; together 20k ≈ 0.5 GB (see planCorpus).
 */
const TAIL = { everyNth: 1500, minBytes: 5 * MiB, maxBytes: 25 * MiB } as const;
const MEDIAN = 8192;
const SIGMA = 1.1;

export const CORPORA: { '1k': CorpusSpec; '20k': CorpusSpec; '100k': CorpusSpec } = {
  '1k': { name: '1k', messages: 1000, folders: 10, largestFolderShare: 0.3, medianBytes: MEDIAN, sigma: SIGMA, tail: { ...TAIL }, seed: 1001 },
  '20k': { name: '20k', messages: 20_000, folders: 20, largestFolderShare: 0.25, medianBytes: MEDIAN, sigma: SIGMA, tail: { ...TAIL }, seed: 20_002 },
  '100k': { name: '100k', messages: 100_000, folders: 100, largestFolderShare: 0.5, medianBytes: MEDIAN, sigma: SIGMA, tail: { ...TAIL }, seed: 100_003 },
};

/**
 * The no-op delta against folder count: `folders` folders of `messagesPerFolder` small messages each
 * (default 10, so 1,000 folders = 10,000 messages), evenly spread, no attachment tail.
 */
export function folderCountSpec(folders: 10 | 100 | 1000, messagesPerFolder = 10): CorpusSpec {
  return {
    name: `folders-${folders}${messagesPerFolder === 10 ? '' : `x${messagesPerFolder}`}`,
    messages: folders * messagesPerFolder,
    folders,
    largestFolderShare: 1 / folders,
    medianBytes: MEDIAN,
    sigma: SIGMA,
    tail: null,
    seed: 7000 + folders,
  };
}

/** Fixed head of the folder tree: a real mailbox's usual folders, some nested three deep. */
const BASE_FOLDERS = [
  'INBOX', 'Sent', 'Drafts', 'Trash', 'Archive', 'Archive/2019', 'Projects', 'Projects/ACME',
  'Projects/ACME/2024', 'Lists', 'Lists/dev', 'Archive/2020', 'Archive/2021', 'Archive/2022', 'Junk',
  'Projects/Beta', 'Lists/announce', 'Receipts', 'Travel', 'Family',
];

/**
 * The first `count` folder paths. Every parent precedes its children, so any prefix is a complete
 * tree: no tool has to create (or may skip) an implicit parent. ASCII names without spaces or dots,
 * so every tool's local naming (maildir++ dots, shell-quoted paths) maps them the same way.
 */
export function folderNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`folderNames: ${count} is not a positive integer`);
  const names = BASE_FOLDERS.slice(0, count);
  if (names.length < count) names.push('Clients');
  for (let client = 1; names.length < count; client++) {
    const base = `Clients/C${String(client).padStart(4, '0')}`;
    for (const name of [base, `${base}/2023`, `${base}/2024`]) if (names.length < count) names.push(name);
  }
  return names;
}

/** Messages per folder, in folderNames order: INBOX gets its share, the others split the rest evenly. */
export function folderCounts(spec: Pick<CorpusSpec, 'messages' | 'folders' | 'largestFolderShare'>): number[] {
  const { messages, folders, largestFolderShare: share } = spec;
  if (!Number.isInteger(messages) || messages < 0) throw new Error(`corpus: messages ${messages} must be a non-negative integer`);
  if (folders === 1) return [messages];
  if (!(share > 0 && share <= 1)) throw new Error(`corpus: largestFolderShare ${share} must be in (0, 1]`);
  const largest = Math.round(messages * share);
  const rest = messages - largest;
  const each = Math.floor(rest / (folders - 1));
  const remainder = rest - each * (folders - 1);
  return [largest, ...Array.from({ length: folders - 1 }, (_, i) => each + (i < remainder ? 1 : 0))];
}

/** Everything that changes the generated bytes; bump GENERATOR_VERSION when the generator changes. */
export const GENERATOR_VERSION = 1;
