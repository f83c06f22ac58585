/**
 * Turns the measured runs into the printed table, Cutover-to-anchor ratios, the DESIGN target check
 * and bench/.work/results.json. Ratios matter more than absolute figures: the machine is shared and
 * noisy, and every tool ran in the same process on the same source within minutes of each other.
 */
import { writeFileSync } from 'node:fs';
import type { MessageSetStats } from './message-set.ts';
import type { ScalingResult } from './scaling.ts';
import type { ToolPass } from './tools/types.ts';

export interface PassFigures {
  wallS: number;
  /** The tool's own timing of the pass (Cutover's durationMs), when it reports one. */
  reportedS?: number;
  peakRssMiB?: number;
  peakTreePssMiB: number;
  /** CPU seconds of the tool's own processes (not the Dovecot servers it talks to). */
  cpuS?: number;
  /** Share of the machine's CPUs busy during the run (everything: the tool, both Dovecots, others). */
  machineBusy: number;
}

export interface ToolResult {
  name: string;
  version: string;
  full?: PassFigures;
  rerun?: PassFigures;
  verified: boolean;
  /** For the table: 'yes', or what is wrong in a few words (e.g. '24 missing'). */
  verdict: string;
  verification: string;
  error?: string;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; loadAvgBefore: number[] };
  messageSet: MessageSetStats;
  tools: ToolResult[];
  scaling?: ScalingResult;
  notes: string[];
}

const MiB = 1024 * 1024;
/** The DESIGN goal the rerun is checked against. */
const RERUN_TARGET_S = 0.2;

export function figures(p: ToolPass): PassFigures {
  const f: PassFigures = { wallS: p.wallS, peakTreePssMiB: p.peakTreePssMiB, machineBusy: p.machineBusy };
  if (p.reportedS !== undefined) f.reportedS = p.reportedS;
  if (p.peakRssMiB !== undefined) f.peakRssMiB = p.peakRssMiB;
  if (p.cpuS !== undefined) f.cpuS = p.cpuS;
  return f;
}

const fix = (n: number | undefined, digits: number): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function renderTable(results: BenchResults): string {
  const { messages, bytes } = results.messageSet;
  const rows: string[][] = [['tool', 'full copy s', 'msg/s', 'MiB/s', 'rerun s', 'CPU s full/rerun', 'machine busy', 'peak RSS MiB', 'peak tree PSS MiB', 'verified']];
  for (const t of results.tools) {
    if (!t.full) {
      rows.push([t.name, 'failed', '-', '-', '-', '-', '-', '-', '-', t.error?.split('\n')[0]?.slice(0, 60) ?? 'no']);
      continue;
    }
    const rerun = t.rerun ? `${fix(t.rerun.wallS, 2)}${t.rerun.reportedS !== undefined ? ` (pass ${fix(t.rerun.reportedS, 2)})` : ''}` : '-';
    const rss = Math.max(t.full.peakRssMiB ?? 0, t.rerun?.peakRssMiB ?? 0);
    const pss = Math.max(t.full.peakTreePssMiB, t.rerun?.peakTreePssMiB ?? 0);
    rows.push([
      t.name,
      `${fix(t.full.wallS, 2)}${t.full.reportedS !== undefined ? ` (pass ${fix(t.full.reportedS, 2)})` : ''}`,
      fix(messages / t.full.wallS, 0),
      fix(bytes / MiB / t.full.wallS, 1),
      rerun,
      `${fix(t.full.cpuS, 1)} / ${fix(t.rerun?.cpuS, 2)}`,
      `${Math.round(t.full.machineBusy * 100)} %`,
      fix(rss || undefined, 0),
      fix(pss, 0),
      t.verdict,
    ]);
  }
  return pad(rows);
}

export function renderRatios(results: BenchResults): string[] {
  const cutover = results.tools.find((t) => t.name === 'cutover');
  if (!cutover?.full) return ['no Cutover figures: no ratios'];
  const lines: string[] = [];
  const n = results.messageSet.messages;
  for (const anchor of results.tools) {
    if (anchor === cutover || !anchor.full) continue;
    // Same message count for both, so the msg/s ratio is the inverse wall-time ratio.
    const speed = anchor.full.wallS / cutover.full.wallS;
    lines.push(`cutover full copy: ${speed.toFixed(2)}x ${anchor.name}'s msg/s (${fix(n / cutover.full.wallS, 0)} vs ${fix(n / anchor.full.wallS, 0)} msg/s)`);
    if (cutover.rerun && anchor.rerun) {
      lines.push(`cutover no-change rerun: ${(cutover.rerun.wallS / anchor.rerun.wallS).toFixed(2)}x ${anchor.name}'s time (${fix(cutover.rerun.wallS, 2)} s vs ${fix(anchor.rerun.wallS, 2)} s process wall)`);
    }
    const cPss = Math.max(cutover.full.peakTreePssMiB, cutover.rerun?.peakTreePssMiB ?? 0);
    const aPss = Math.max(anchor.full.peakTreePssMiB, anchor.rerun?.peakTreePssMiB ?? 0);
    lines.push(`cutover peak memory (process tree PSS): ${(cPss / aPss).toFixed(1)}x ${anchor.name}'s (${fix(cPss, 0)} vs ${fix(aPss, 0)} MiB)`);
  }
  return lines;
}

export function renderTargetCheck(results: BenchResults): string {
  const cutover = results.tools.find((t) => t.name === 'cutover');
  const n = results.messageSet.messages;
  if (!cutover?.rerun) return `no-change rerun of ${n} messages under ${RERUN_TARGET_S} s: not measured`;
  const pass = cutover.rerun.reportedS ?? Infinity;
  return `no-change rerun of ${n.toLocaleString('en')} messages under ${RERUN_TARGET_S} s: ${pass < RERUN_TARGET_S ? 'yes' : 'no'} ` +
    `(pass durationMs ${fix(pass, 3)} s, process wall ${fix(cutover.rerun.wallS, 2)} s)` +
    (cutover.rerun.wallS >= RERUN_TARGET_S && pass < RERUN_TARGET_S ? ' — the pass meets it; process start and the embedded PostgreSQL start/stop do not' : '');
}

export function renderScaling(s: ScalingResult): string[] {
  return [
    `${s.mailboxes} mailboxes x ${s.messagesPerMailbox} messages (${fix(s.bytesPerMailbox / MiB, 1)} MiB each), one cutover process and data folder each:`,
    `  sequential: ${fix(s.sequentialS, 2)} s (${fix(s.sequentialMsgPerS, 0)} msg/s), cutover CPU ${fix(s.sequentialCpuS, 1)} s`,
    `  concurrent: ${fix(s.concurrentS, 2)} s (${fix(s.concurrentMsgPerS, 0)} msg/s), cutover CPU ${fix(s.concurrentCpuS, 1)} s, peak memory of all ${s.mailboxes} trees ${fix(s.concurrentPeakTreePssMiB, 0)} MiB`,
    `  speedup: ${s.speedup.toFixed(2)}x${s.verified ? '' : `  (VERIFICATION FAILED: ${s.notes.join('; ')})`}`,
  ];
}

export function writeResults(path: string, results: BenchResults): void {
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
}
