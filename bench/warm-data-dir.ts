/**
 * A Cutover data folder that has already been used once: the first `cutover sync` on a new folder runs
 * initdb and the schema migrations (≈1–2 s here), a one-time cost per installation that would otherwise
 * be charged to whichever timed run came first. The template ran a one-message sync of a different
 * pair; each timed run starts from a copy of it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cutoverSyncArgs, parseSummary } from './tools/cutover.ts';
import { measure } from './measure.ts';
import type { Account } from './tools/types.ts';

export async function makeWarmDataDir(workDir: string, source: Account, target: Account): Promise<{ dir: string; firstRunS: number }> {
  const dir = join(workDir, 'cutover-template');
  rmSync(dir, { recursive: true, force: true });
  const m = await measure(process.execPath, cutoverSyncArgs(source, target, dir), { timeFile: join(workDir, 'warm.time') });
  const summary = parseSummary('warm-up', m.stdout, m.stderr);
  if (m.code !== 0 || summary.status !== 'completed') throw new Error(`cutover warm-up sync failed (exit ${m.code}):\n${m.stdout}\n${m.stderr}`);
  return { dir, firstRunS: m.wallS };
}
