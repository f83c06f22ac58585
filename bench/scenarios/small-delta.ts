/**
 * Small delta: after each tool's full pass and no-op rerun of a corpus, 1 % new messages arrive in the
 * source (appendExtra: the corpus's folders and proportions, dated after it) and 1 % of the existing
 * messages change flags (every 100th message in folder and UID order gets \Flagged toggled, by UID
 * STORE on the source). Then every tool's delta pass is timed and gated against the changed source:
 * the new messages must arrive once and the flag changes be carried.
 */
import { connectImap } from '../../test/helpers/seed-mailbox.ts';
import type { CorpusSpec } from '../corpus/spec.ts';
import { appendExtra } from '../corpus/seed.ts';
import { countBytes, countMessages, uidSet } from '../snapshot.ts';
import type { AccountSnapshot } from '../snapshot.ts';
import type { Tool } from '../tools/types.ts';
import type { Lab, PairState, SourceEntry } from './lab.ts';

export interface SmallDeltaInfo {
  corpus: string;
  added: number;
  addedBytes: number;
  flagChanges: number;
}

/** Every 100th message (folder, then UID order): its folder, UID and whether it is \Flagged now. */
function flagVictims(snapshot: AccountSnapshot): Array<{ folder: string; uid: number; flagged: boolean }> {
  const all = [...snapshot.entries()].sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([folder, state]) => [...state.messages.values()].sort((a, b) => a.uid - b.uid).map((m) => ({ folder, uid: m.uid, flagged: m.flags.includes('\\Flagged') })));
  return all.filter((_, i) => i % 100 === 50);
}

async function toggleFlags(source: SourceEntry): Promise<number> {
  const victims = flagVictims(source.snapshot);
  const client = await connectImap(source.account);
  try {
    for (const folder of new Set(victims.map((v) => v.folder))) {
      await client.mailboxOpen(folder);
      const here = victims.filter((v) => v.folder === folder);
      const add = here.filter((v) => !v.flagged).map((v) => v.uid);
      const remove = here.filter((v) => v.flagged).map((v) => v.uid);
      if (add.length > 0) await client.messageFlagsAdd(uidSet(add), ['\\Flagged'], { uid: true });
      if (remove.length > 0) await client.messageFlagsRemove(uidSet(remove), ['\\Flagged'], { uid: true });
      await client.mailboxClose();
    }
  } finally {
    await client.logout();
  }
  return victims.length;
}

export async function runSmallDelta(lab: Lab, tools: readonly Tool[], corpus: CorpusSpec): Promise<SmallDeltaInfo> {
  const pairs: PairState[] = [];
  for (const tool of tools) if (tool.incremental) pairs.push(await lab.fullPair(tool, corpus, 'maildir', 0));
  const source = await lab.corpus(corpus);
  const before = { messages: countMessages(source.snapshot), bytes: countBytes(source.snapshot) };
  const count = Math.max(1, Math.round(before.messages / 100));
  const added = await appendExtra(source.account, corpus, count, 'small-delta');
  const flagChanges = await toggleFlags(source);
  await lab.changedSource(source);
  const after = { messages: countMessages(source.snapshot), bytes: countBytes(source.snapshot) };
  if (after.messages - before.messages !== added) throw new Error(`small delta: the source gained ${after.messages - before.messages} messages, appendExtra reported ${added}`);
  lab.options.log(`small delta on ${corpus.name}: ${added} new messages, ${flagChanges} flag changes`);
  const copies = { messages: added, bytes: after.bytes - before.bytes };
  for (const pair of pairs) await lab.pass(pair, 'delta', copies);
  return { corpus: corpus.name, added, addedBytes: copies.bytes, flagChanges };
}
