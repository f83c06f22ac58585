/**
 * Aggregate throughput with 1, 2, 4 … 32 mailboxes copied at once (small mailboxes, loopback, maildir
 * target; bench/scaling.ts says how each tool runs K at once). The K source accounts c1…cK hold the same
 * small corpus (no attachment tail: a 25 MB message would dominate a 500-message mailbox) and are read
 * once before any run; every run copies into fresh target accounts.
 */
import type { CorpusSpec } from '../corpus/spec.ts';
import { seedCorpus } from '../corpus/seed.ts';
import { concurrentProcesses, startCutoverProjectHost } from '../scaling.ts';
import type { CutoverProjectHost } from '../scaling.ts';
import type { Tool, ToolName } from '../tools/types.ts';
import type { Lab, SourceEntry } from './lab.ts';
import type { ConcurrencyPoint } from './types.ts';

/** A run that did not finish: shown as failed, no figures. */
function failedPoint(tool: ToolName, mailboxes: number, messagesPerMailbox: number, err: unknown): ConcurrencyPoint {
  const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return {
    tool, mailboxes, messagesPerMailbox, wallS: NaN, messagesPerS: NaN, mbPerS: NaN, machineBusy: NaN, ownBusy: NaN, cpuS: { tool: NaN, dovecot: NaN },
    peakRssPerPairMiB: NaN, gateOk: false, failures: [reason], mode: 'failed',
  };
}

export function concurrencySpec(messages: number): CorpusSpec {
  return { name: `mailbox-${messages}`, messages, folders: 5, largestFolderShare: 0.4, medianBytes: 8192, sigma: 1.1, tail: null, seed: 31_000 + messages };
}

/** Cutover passes take this many connections per side in project mode (the worker's default). */
const PASS_CONNECTIONS = 2;

export async function runConcurrency(lab: Lab, tools: readonly Tool[], plan: { mailboxes: number[]; messagesPerMailbox: number }): Promise<ConcurrencyPoint[]> {
  const spec = concurrencySpec(plan.messagesPerMailbox);
  const k = Math.max(...plan.mailboxes);
  const sources: SourceEntry[] = [];
  // Four at a time: seeding is I/O and Dovecot bound; more only queues.
  for (let i = 1; i <= k; i += 4) {
    const batch = Array.from({ length: Math.min(4, k - i + 1) }, (_, j) => lab.customSource(`c${i + j}`, (account) => seedCorpus(account, spec)));
    sources.push(...(await Promise.all(batch)));
  }
  const points: ConcurrencyPoint[] = [];
  for (const tool of tools) {
    let host: CutoverProjectHost | undefined;
    let hostError: Error | undefined;
    if (tool.name === 'cutover') {
      host = await startCutoverProjectHost(lab, tool, PASS_CONNECTIONS).catch((err: unknown) => {
        hostError = err instanceof Error ? err : new Error(String(err));
        return undefined;
      });
    }
    try {
      for (const n of plan.mailboxes) {
        let point: ConcurrencyPoint;
        try {
          if (hostError) throw hostError;
          point = host ? await host.run(sources.slice(0, n)) : await concurrentProcesses(lab, tool, sources.slice(0, n));
        } catch (err) {
          point = failedPoint(tool.name, n, plan.messagesPerMailbox, err);
        }
        points.push(point);
        lab.options.log(`concurrency ${tool.name} x${n}: ${point.wallS.toFixed(2)} s, ${point.messagesPerS.toFixed(0)} msg/s, machine ${(point.machineBusy * 100).toFixed(0)} % busy (this benchmark ${(point.ownBusy * 100).toFixed(0)} %), ` +
          `CPU s tool ${point.cpuS.tool.toFixed(1)} dovecot ${point.cpuS.dovecot.toFixed(1)}${point.cpuS.postgres !== undefined ? ` postgres ${point.cpuS.postgres.toFixed(1)}` : ''}; gate ${point.gateOk ? 'OK' : `FAILED: ${point.failures.slice(0, 3).join('; ')}`}`);
      }
    } finally {
      await host?.stop();
    }
  }
  return points;
}
