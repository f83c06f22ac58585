/**
 * Scaling with concurrent mailboxes: K mailbox pairs copied by K `cutover sync` processes at once
 * (each with its own data folder, as K workers would) against the same K copies done one after
 * another. Sequential and concurrent runs read different but identical source accounts, so neither
 * benefits from the other having warmed Dovecot's indexes.
 */
import { join } from 'node:path';
import { measure } from './measure.ts';
import { cutoverSyncArgs, freshDataDir, parseSummary } from './tools/cutover.ts';
import type { Account } from './tools/types.ts';
import { compareCounts, folderCounts } from './verify.ts';

export interface ScalingPair {
  source: Account;
  sourceConfig: string;
  target: Account;
  targetConfig: string;
}

export interface ScalingResult {
  mailboxes: number;
  messagesPerMailbox: number;
  bytesPerMailbox: number;
  sequentialS: number;
  concurrentS: number;
  speedup: number;
  sequentialMsgPerS: number;
  concurrentMsgPerS: number;
  /** Peak memory of all K process trees together during the concurrent run (sum of the peaks), MiB. */
  concurrentPeakTreePssMiB: number;
  /** CPU seconds of the K cutover process trees (not Dovecot's), sequential and concurrent. */
  sequentialCpuS: number;
  concurrentCpuS: number;
  verified: boolean;
  notes: string[];
}

async function syncOne(pair: ScalingPair, dataDir: string, timeFile: string): Promise<{ wallS: number; pssMiB: number; cpuS: number }> {
  const m = await measure(process.execPath, cutoverSyncArgs(pair.source, pair.target, dataDir), { timeFile });
  const summary = parseSummary('scaling', m.stdout, m.stderr);
  if (m.code !== 0 || summary.status !== 'completed' || summary.counts.failed > 0) {
    throw new Error(`cutover scaling sync ${pair.source.user} -> ${pair.target.user} failed (exit ${m.code}):\n${m.stdout.slice(-2000)}\n${m.stderr.slice(-2000)}`);
  }
  return { wallS: m.wallS, pssMiB: m.peakTreePssMiB, cpuS: m.cpuS ?? NaN };
}

export async function runScaling(opts: {
  sequential: ScalingPair[];
  concurrent: ScalingPair[];
  template: string;
  workDir: string;
  messagesPerMailbox: number;
  bytesPerMailbox: number;
}): Promise<ScalingResult> {
  const k = opts.sequential.length;
  const dirs = (kind: string): string[] => Array.from({ length: k }, (_, i) => join(opts.workDir, `scaling-${kind}-${i + 1}`));
  const seqDirs = dirs('seq');
  const parDirs = dirs('par');
  for (const dir of [...seqDirs, ...parDirs]) freshDataDir(opts.template, dir);

  let sequentialS = 0;
  let sequentialCpuS = 0;
  for (const [i, pair] of opts.sequential.entries()) {
    const run = await syncOne(pair, seqDirs[i]!, `${seqDirs[i]}.time`);
    sequentialS += run.wallS;
    sequentialCpuS += run.cpuS;
  }
  const started = performance.now();
  const runs = await Promise.all(opts.concurrent.map((pair, i) => syncOne(pair, parDirs[i]!, `${parDirs[i]}.time`)));
  const concurrentS = (performance.now() - started) / 1000;

  const notes: string[] = [];
  let verified = true;
  for (const pair of [...opts.sequential, ...opts.concurrent]) {
    const check = compareCounts(await folderCounts(pair.sourceConfig, pair.source.user), await folderCounts(pair.targetConfig, pair.target.user));
    if (!check.ok || check.targetTotal !== opts.messagesPerMailbox) {
      verified = false;
      notes.push(`${pair.target.user}: ${check.targetTotal}/${opts.messagesPerMailbox} messages; ${check.differences.slice(0, 5).join('; ')}`);
    }
  }
  const total = k * opts.messagesPerMailbox;
  return {
    mailboxes: k,
    messagesPerMailbox: opts.messagesPerMailbox,
    bytesPerMailbox: opts.bytesPerMailbox,
    sequentialS,
    concurrentS,
    speedup: sequentialS / concurrentS,
    sequentialMsgPerS: total / sequentialS,
    concurrentMsgPerS: total / concurrentS,
    concurrentPeakTreePssMiB: runs.reduce((n, r) => n + r.pssMiB, 0),
    sequentialCpuS,
    concurrentCpuS: runs.reduce((n, r) => n + r.cpuS, 0),
    verified,
    notes,
  };
}
