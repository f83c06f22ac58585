/**
 * The goals of issue 7, each computed from this run's records as a ratio measured in the same run,
 * with a verdict: MET, MISSED, or NOT MEASURED (the profile did not run it, or a pass it needs failed
 * the gate — a failed pass is no result, neither for Cutover nor for the tool it is compared with).
 */
import type { BenchResults, ConcurrencyPoint, PassRecord } from './scenarios/types.ts';
import { passOk } from './scenarios/types.ts';
import type { ToolName } from './tools/types.ts';

export type Verdict = 'MET' | 'MISSED' | 'NOT MEASURED';

export interface Goal {
  goal: string;
  measured: string;
  verdict: Verdict;
}

/** Thresholds of the issue, in one place. */
export const TARGETS = {
  vsDsync: 1, vsMbsync: 4, vsNaiveAt20ms: 20, noopUnderS: 1, noopMailbox: 100_000,
  rssPerPairBytes: 150e6, largeMessageTimes: 3, linearEfficiency: 0.75, cpuSaturated: 0.9, noCollapse: 0.8,
} as const;

const rate = (p: PassRecord): number => p.messages / p.wallS;
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

/** Full passes of one copy (corpus, kind, RTT), by tool. */
export function groupFullPasses(passes: PassRecord[]): Map<string, Map<ToolName, PassRecord>> {
  const groups = new Map<string, Map<ToolName, PassRecord>>();
  for (const p of passes.filter((x) => x.kind === 'full')) {
    const key = `${p.corpus}|${p.targetKind}|${p.rttMs}`;
    const g = groups.get(key) ?? new Map<ToolName, PassRecord>();
    g.set(p.tool, p);
    groups.set(key, g);
  }
  return groups;
}

/** Cutover's throughput over `anchor`'s on the same copy, or why there is none. */
function throughputGoal(label: string, group: Map<ToolName, PassRecord> | undefined, anchor: ToolName, atLeast: number): Goal {
  const goal = `${label}: ≥ ${atLeast}x ${anchor}'s throughput`;
  const c = group?.get('cutover');
  const a = group?.get(anchor);
  if (!c || !a) return { goal, measured: 'not run', verdict: 'NOT MEASURED' };
  if (!passOk(c)) return { goal, measured: `Cutover's pass failed: ${c.error?.split('\n')[0] ?? c.gate.summary}`, verdict: 'MISSED' };
  if (!passOk(a)) return { goal, measured: `${anchor}'s pass failed (${a.error?.split('\n')[0] ?? a.gate.summary}): no ratio`, verdict: 'NOT MEASURED' };
  const ratio = rate(c) / rate(a);
  return { goal, measured: `${fmt(ratio, 2)}x (${fmt(rate(c))} vs ${fmt(rate(a))} msg/s, ${c.corpus}, ${c.targetKind})`, verdict: ratio >= atLeast ? 'MET' : 'MISSED' };
}

/**
 * The largest corpus copied in this group kind (e.g. loopback maildir) by Cutover and `anchor`, for the
 * headline ratio: throughput is compared where fixed costs (process start, logins) weigh least.
 */
function largest(groups: Map<string, Map<ToolName, PassRecord>>, kind: string, rttMs: number, anchor: ToolName): Map<ToolName, PassRecord> | undefined {
  let best: Map<ToolName, PassRecord> | undefined;
  for (const g of groups.values()) {
    const c = g.get('cutover');
    if (!c || !g.has(anchor) || c.targetKind !== kind || c.rttMs !== rttMs) continue;
    if (!best || c.mailboxMessages > (best.get('cutover')?.mailboxMessages ?? 0)) best = g;
  }
  return best;
}

function noopGoals(passes: PassRecord[]): Goal[] {
  const noops = passes.filter((p) => p.kind === 'noop' && p.targetKind === 'maildir' && p.rttMs === 0 && p.corpus !== 'big');
  const big = noops.find((p) => p.tool === 'cutover' && p.mailboxMessages >= TARGETS.noopMailbox);
  const goals: Goal[] = [];
  const g1 = `no-op delta of a ${fmt(TARGETS.noopMailbox)}-message mailbox under ${TARGETS.noopUnderS} s`;
  if (!big) goals.push({ goal: g1, measured: 'not run (--profile full runs it)', verdict: 'NOT MEASURED' });
  else if (!passOk(big)) goals.push({ goal: g1, measured: `Cutover's pass failed: ${big.error?.split('\n')[0] ?? big.gate.summary}`, verdict: 'MISSED' });
  else goals.push({ goal: g1, measured: `${fmt(big.wallS, 2)} s process${big.reportedS !== undefined ? ` (pass ${fmt(big.reportedS, 2)} s)` : ''}`, verdict: big.wallS < TARGETS.noopUnderS ? 'MET' : 'MISSED' });
  const g2 = "no-op delta no slower than mbsync's on the same mailbox";
  const compared: string[] = [];
  let verdict: Verdict = 'MET';
  for (const c of noops.filter((p) => p.tool === 'cutover')) {
    const m = noops.find((p) => p.tool === 'mbsync' && p.corpus === c.corpus);
    if (!m) continue;
    if (!passOk(c)) verdict = 'MISSED';
    if (!passOk(c) || !passOk(m)) continue;
    compared.push(`${c.corpus}: ${fmt(c.wallS, 2)} s vs ${fmt(m.wallS, 2)} s`);
    if (c.wallS > m.wallS) verdict = 'MISSED';
  }
  goals.push(compared.length === 0 ? { goal: g2, measured: 'no pair of passing no-op runs', verdict: 'NOT MEASURED' } : { goal: g2, measured: compared.join('; '), verdict });
  return goals;
}

export interface Saturation {
  /** The last K before throughput stopped growing (undefined: it grew up to the last K measured). */
  plateauFrom?: number;
  /** Speedup over 1 mailbox at each K. */
  speedups: Array<{ k: number; speedup: number; efficiency: number }>;
  /** Up to the plateau every speedup ≥ 0.75 K, and past it throughput stays ≥ 80 % of the best. */
  nearLinear: boolean;
  /** One sentence: where it saturated and what limited it. */
  statement: string;
}

/**
 * Where throughput stops growing: the first step from K to K' whose gain is under 30 % of the ideal
 * (doubling the mailboxes gives less than 1.3x). Judged on throughput rather than on "CPU ≥ 90 % busy"
 * alone, because on a shared machine the neighbours can keep the CPU busy at any K; the CPU figures
 * then name the cause: the machine ≥ 90 % busy where it stopped is CPU-bound, otherwise the server or
 * waiting (latency, locks) is the limit.
 */
export function saturation(points: ConcurrencyPoint[]): Saturation | undefined {
  const ok = points.filter((p) => p.gateOk && Number.isFinite(p.messagesPerS)).sort((a, b) => a.mailboxes - b.mailboxes);
  const one = ok.find((p) => p.mailboxes === 1);
  if (!one || ok.length < 2) return undefined;
  const speedups = ok.map((p) => ({ k: p.mailboxes, speedup: p.messagesPerS / one.messagesPerS, efficiency: p.messagesPerS / one.messagesPerS / p.mailboxes }));
  let stop = ok.length;
  for (let i = 1; i < ok.length; i++) {
    const scale = ok[i]!.mailboxes / ok[i - 1]!.mailboxes;
    if (ok[i]!.messagesPerS / ok[i - 1]!.messagesPerS < 1 + 0.3 * (scale - 1)) {
      stop = i;
      break;
    }
  }
  const best = Math.max(...ok.map((p) => p.messagesPerS));
  const linear = ok.slice(0, stop).every((p) => p.messagesPerS / one.messagesPerS >= TARGETS.linearEfficiency * p.mailboxes);
  const noCollapse = ok.slice(stop).every((p) => p.messagesPerS >= TARGETS.noCollapse * best);
  const busy = (p: ConcurrencyPoint): string => {
    const total = p.cpuS.tool + p.cpuS.dovecot + (p.cpuS.postgres ?? 0);
    const share = (n: number): string => `${fmt((100 * n) / total)} %`;
    // On a shared machine the neighbours' load counts too: say how much of the busy time was ours.
    return `the machine ${fmt(p.machineBusy * 100)} % busy, this benchmark's processes ${fmt(p.ownBusy * 100)} % ` +
      `(${p.tool} ${share(p.cpuS.tool)}, Dovecot ${share(p.cpuS.dovecot)}${p.cpuS.postgres !== undefined ? `, PostgreSQL ${share(p.cpuS.postgres)}` : ''} of their CPU time)`;
  };
  let statement: string;
  if (stop < ok.length) {
    const at = ok[stop]!;
    const cpuBound = at.machineBusy >= TARGETS.cpuSaturated;
    statement = `throughput stopped growing after ${ok[stop - 1]!.mailboxes} mailbox${ok[stop - 1]!.mailboxes > 1 ? 'es' : ''}: at ${at.mailboxes}, ${busy(at)} — ` +
      (cpuBound
        ? (at.ownBusy < 0.6 * at.machineBusy ? 'CPU-bound, largely by other load on this shared machine' : at.cpuS.dovecot > at.cpuS.tool + (at.cpuS.postgres ?? 0) ? 'CPU-bound, the Dovecot servers using most of it' : `CPU-bound, ${at.tool} (with its database) using most of it`)
        : 'not CPU-bound: the server or waiting limits it');
  } else {
    const last = ok[ok.length - 1]!;
    statement = `still growing at ${last.mailboxes} mailboxes (${busy(last)}): no saturation reached`;
  }
  return { ...(stop < ok.length ? { plateauFrom: ok[stop - 1]!.mailboxes } : {}), speedups, nearLinear: linear && noCollapse, statement };
}

export function computeGoals(r: BenchResults): Goal[] {
  const groups = groupFullPasses(r.passes);
  const goals: Goal[] = [];
  const kinds = [...new Set([...groups.values()].map((g) => g.get('cutover')?.targetKind).filter((k) => k !== undefined))];
  for (const kind of kinds.length > 0 ? kinds : ['maildir']) {
    goals.push(throughputGoal(`full pass, loopback, ${kind} target`, largest(groups, kind, 0, 'doveadm'), 'doveadm', TARGETS.vsDsync));
    goals.push(throughputGoal(`full pass, loopback, ${kind} target`, largest(groups, kind, 0, 'mbsync'), 'mbsync', TARGETS.vsMbsync));
  }
  goals.push(throughputGoal('full pass at 20 ms round trip', largest(groups, 'maildir', 20, 'mbsync'), 'mbsync', TARGETS.vsMbsync));
  goals.push(throughputGoal('full pass at 20 ms round trip', largest(groups, 'maildir', 20, 'naive-append'), 'naive-append', TARGETS.vsNaiveAt20ms));
  goals.push(...noopGoals(r.passes));

  const cutoverPoints = r.concurrency.filter((p) => p.tool === 'cutover');
  const rssGoal = `peak RSS under ${TARGETS.rssPerPairBytes / 1e6} MB per concurrent pair`;
  const rss = cutoverPoints.filter((p) => p.gateOk && Number.isFinite(p.peakRssPerPairMiB));
  if (rss.length === 0) goals.push({ goal: rssGoal, measured: 'no passing concurrency run', verdict: 'NOT MEASURED' });
  else {
    const worst = rss.reduce((a, b) => (b.peakRssPerPairMiB > a.peakRssPerPairMiB ? b : a));
    const mb = (worst.peakRssPerPairMiB * 2 ** 20) / 1e6;
    goals.push({ goal: rssGoal, measured: `worst ${fmt(mb)} MB per pair at ${worst.mailboxes} mailbox(es) (${rss.map((p) => `${p.mailboxes}: ${fmt((p.peakRssPerPairMiB * 2 ** 20) / 1e6)}`).join(', ')})`, verdict: mb < TARGETS.rssPerPairBytes / 1e6 ? 'MET' : 'MISSED' });
  }
  const memGoal = `a ${r.memory ? fmt(r.memory.messageBytes / 1e6) : 50} MB message migrates holding ≤ ${TARGETS.largeMessageTimes}x its size`;
  if (!r.memory) goals.push({ goal: memGoal, measured: 'not run', verdict: 'NOT MEASURED' });
  else if (!r.memory.gateOk) goals.push({ goal: memGoal, measured: `the copy failed the gate: ${r.memory.summary}`, verdict: 'MISSED' });
  else goals.push({ goal: memGoal, measured: r.memory.summary, verdict: r.memory.ratio <= TARGETS.largeMessageTimes ? 'MET' : 'MISSED' });

  const linGoal = 'throughput grows near-linearly with concurrent mailboxes until the server or the CPU saturates';
  if (cutoverPoints.some((p) => !p.gateOk)) goals.push({ goal: linGoal, measured: `a concurrency run failed: ${cutoverPoints.find((p) => !p.gateOk)?.failures[0] ?? ''}`, verdict: 'MISSED' });
  else {
    const s = saturation(cutoverPoints);
    goals.push(!s
      ? { goal: linGoal, measured: 'fewer than two concurrency points', verdict: 'NOT MEASURED' }
      : { goal: linGoal, measured: `speedup ${s.speedups.map((x) => `${x.k}: ${fmt(x.speedup, 2)}x`).join(', ')}; ${s.statement}`, verdict: s.nearLinear ? 'MET' : 'MISSED' });
  }
  return goals;
}
