/**
 * Turns a run's records into bench/.work/report.md (machine, goals, one table per scenario, ratios,
 * notes), the SVG plots beside it and results.json. Ratios matter more than absolute figures: the
 * machine is shared and noisy, and every tool ran in the same run on the same source within minutes.
 * Units: MB = 10^6 bytes; RSS and PSS in MiB as the kernel counts them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeGoals, groupFullPasses, saturation } from './goals.ts';
import type { Goal } from './goals.ts';
import { lineChart } from './plot.ts';
import type { Series } from './plot.ts';
import type { BenchResults, ConcurrencyPoint, PassRecord } from './scenarios/types.ts';
import { passOk } from './scenarios/types.ts';
import type { ToolName } from './tools/types.ts';

const TOOL_ORDER: readonly ToolName[] = ['cutover', 'doveadm', 'mbsync', 'offlineimap', 'naive-append'];
const fmt = (n: number | undefined, digits = 0): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const byTool = (a: { tool: ToolName }, b: { tool: ToolName }): number => TOOL_ORDER.indexOf(a.tool) - TOOL_ORDER.indexOf(b.tool);

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function gateCell(p: PassRecord): string {
  if (p.error !== undefined) return `**FAILED**: ${p.error.split('\n')[0]!.slice(0, 80)}`;
  if (!p.gate.ok) return `**FAILED**: ${p.gate.summary.replace(/^FAILED: /, '')}`;
  return p.gate.keywordsLost ? `yes¹ (${p.gate.keywordsLost} keywords not carried)` : 'yes';
}

const seconds = (p: PassRecord): string => `${fmt(p.wallS, 2)}${p.reportedS !== undefined ? ` (pass ${fmt(p.reportedS, 2)})` : ''}`;

function fullPassTable(group: Map<ToolName, PassRecord>): string[] {
  const rows = [...group.values()].sort(byTool).map((p) => {
    const ok = passOk(p);
    return [
      p.tool, ok ? seconds(p) : '–', ok ? fmt(p.messages / p.wallS) : '–', ok ? fmt(p.bytes / 1e6 / p.wallS, 1) : '–',
      ok ? fmt(((p.cpuS ?? NaN) * 1000) / p.messages, 2) : '–', fmt(p.peakRssMiB), fmt(p.peakTreePssMiB),
      `${fmt(p.serverCpuS.source, 1)} / ${fmt(p.serverCpuS.target, 1)}`, `${fmt(p.machineBusy * 100)} %`, fmt(p.gate.durationS, 1), gateCell(p),
    ];
  });
  return table(['tool', 'time s', 'msg/s', 'MB/s', 'CPU s per 1,000 msg', 'peak RSS MiB', 'peak tree PSS MiB', 'Dovecot CPU s src / tgt', 'machine busy', 'gate s', 'gate'], rows);
}

function ratios(group: Map<ToolName, PassRecord>): string {
  const c = group.get('cutover');
  if (!c || !passOk(c)) return 'Ratios: none (Cutover failed).';
  const parts = [...group.values()].sort(byTool).filter((p) => p.tool !== 'cutover').map((p) =>
    passOk(p) ? `${fmt(c.messages / c.wallS / (p.messages / p.wallS), 2)}x ${p.tool}` : `${p.tool} failed (no ratio)`);
  return `Cutover's throughput: ${parts.join(', ')}.`;
}

function fullPassSection(r: BenchResults, loopback: boolean): string[] {
  const out: string[] = [];
  for (const [key, group] of groupFullPasses(r.passes)) {
    const [corpus, kind, rtt] = key.split('|');
    if (corpus === 'big' || (Number(rtt) === 0) !== loopback) continue;
    const stats = r.corpora[corpus!];
    out.push('', `### ${corpus} → ${kind}${loopback ? '' : `, ${rtt} ms round trip`}`, '',
      `${fmt(stats?.messages)} messages, ${fmt((stats?.bytes ?? NaN) / 1e6)} MB in ${stats?.folders ?? '?'} folders. Full pass (empty target):`, '',
      ...fullPassTable(group), '', ratios(group));
  }
  return out.length > 0 ? out : ['', 'Not run in this profile.'];
}

function noopTable(r: BenchResults, select: (p: PassRecord) => boolean, label: string, x: (p: PassRecord) => number): string[] {
  const noops = r.passes.filter((p) => p.kind === 'noop' && p.targetKind === 'maildir' && p.rttMs === 0 && select(p));
  const tools = TOOL_ORDER.filter((t) => noops.some((p) => p.tool === t));
  const keys = [...new Set(noops.map(x))].sort((a, b) => a - b);
  if (keys.length === 0) return ['', 'Not run in this profile.'];
  const rows = keys.map((k) => [fmt(k), ...tools.map((t) => {
    const p = noops.find((n) => n.tool === t && x(n) === k);
    return !p ? '–' : passOk(p) ? seconds(p) : '**FAILED**';
  })]);
  return ['', ...table([label, ...tools.map((t) => `${t} s`)], rows)];
}

const folderCount = (r: BenchResults) => (p: PassRecord): number => r.corpora[p.corpus]?.folders ?? NaN;

function deltaSection(r: BenchResults): string[] {
  const deltas = r.passes.filter((p) => p.kind === 'delta').sort(byTool);
  if (deltas.length === 0) return ['', 'Not run in this profile.'];
  const first = deltas[0]!;
  return ['', `${first.corpus}: ${fmt(first.messages)} new messages (${fmt(first.bytes / 1e6, 1)} MB) and flag changes on 1 % of the mailbox, then one pass of each tool.`, '',
    ...table(['tool', 'time s', 'CPU s', 'peak RSS MiB', 'gate'], deltas.map((p) => [p.tool, passOk(p) ? seconds(p) : '–', fmt(p.cpuS, 2), fmt(p.peakRssMiB), gateCell(p)]))];
}

function memorySection(r: BenchResults): string[] {
  const m = r.memory;
  if (!m) return ['', 'Not run in this profile.'];
  return ['', `One ${fmt(m.messageBytes / 1e6)} MB message plus five small ones, copied by \`cutover sync\`: ${m.summary}; peak tree PSS (with PostgreSQL) ${fmt(m.peakTreePssMiB)} MiB. Gate: ${m.gateOk ? 'yes' : '**FAILED**'}.`];
}

function concurrencySection(r: BenchResults): string[] {
  if (r.concurrency.length === 0) return ['', 'Not run in this profile.'];
  const out: string[] = [];
  for (const tool of TOOL_ORDER) {
    const points = r.concurrency.filter((p) => p.tool === tool).sort((a, b) => a.mailboxes - b.mailboxes);
    if (points.length === 0) continue;
    const one = points.find((p) => p.mailboxes === 1 && p.gateOk);
    out.push('', `### ${tool} (${points.find((p) => p.mode !== 'failed')?.mode ?? 'failed'})`, '', ...table(
      ['mailboxes', 'time s', 'msg/s', 'MB/s', 'speedup', 'machine busy (this benchmark)', `CPU s ${tool} / Dovecot${tool === 'cutover' ? ' / PostgreSQL' : ''}`, 'peak RSS per pair MiB', 'gate'],
      points.map((p: ConcurrencyPoint) => [String(p.mailboxes), fmt(p.wallS, 2), fmt(p.messagesPerS), fmt(p.mbPerS, 1), one && p.gateOk ? `${fmt(p.messagesPerS / one.messagesPerS, 2)}x` : '–',
        `${fmt(p.machineBusy * 100)} % (${fmt(p.ownBusy * 100)} %)`, `${fmt(p.cpuS.tool, 1)} / ${fmt(p.cpuS.dovecot, 1)}${p.cpuS.postgres !== undefined ? ` / ${fmt(p.cpuS.postgres, 1)}` : ''}`,
        fmt(p.peakRssPerPairMiB), p.gateOk ? 'yes' : `**FAILED**: ${p.failures[0]?.slice(0, 80) ?? ''}`])));
    const s = saturation(points);
    if (s) out.push('', `Saturation: ${s.statement}.`);
  }
  return out;
}

function goalsSection(goals: Goal[]): string[] {
  return table(['goal (issue 7)', 'measured in this run', 'verdict'], goals.map((g) => [g.goal, g.measured, g.verdict === 'MET' ? '**MET**' : g.verdict === 'MISSED' ? '**MISSED**' : g.verdict]));
}

function gateSummary(r: BenchResults): string[] {
  const failed = r.passes.filter((p) => !passOk(p));
  return [`${r.passes.length} passes gated, ${r.passes.length - failed.length} passed${failed.length > 0 ? `; failed: ${failed.map((p) => `${p.tool} ${p.kind} ${p.corpus}→${p.targetKind}@${p.rttMs}ms`).join(', ')}` : ''}.`,
    'Every pass is followed by the gate: the target read completely and compared with the source per folder as a multiset of (sha256 of the bytes, flags, INTERNALDATE). ' +
    'mbsync adds an `X-TUID:` header line to every copy: its copies are hashed without exactly that line. ' +
    '¹ mbsync (isync 1.4) and offlineimap do not carry keywords (`$Label1` …): their flags are compared on system flags only, and the keywords lost are counted. ' +
    'offlineimap adds no header (its `X-OfflineIMAP` line is only used when the target lacks UIDPLUS; Dovecot has it).'];
}

export function plots(r: BenchResults): Record<string, string> {
  const series = <T extends { tool: ToolName }>(items: T[], x: (i: T) => number, y: (i: T) => number): Series[] =>
    TOOL_ORDER.map((t) => ({ name: t, points: items.filter((i) => i.tool === t).map((i): [number, number] => [x(i), y(i)]) }));
  const noop = r.passes.filter((p) => p.kind === 'noop' && p.targetKind === 'maildir' && p.rttMs === 0 && passOk(p) && p.corpus !== 'big');
  const bySize = noop.filter((p) => !p.corpus.startsWith('folders-'));
  const byFolders = noop.filter((p) => p.corpus.startsWith('folders-'));
  const rtt = r.passes.filter((p) => p.kind === 'full' && p.targetKind === 'maildir' && passOk(p) && r.passes.some((q) => q.corpus === p.corpus && q.rttMs > 0));
  return {
    'concurrency.svg': lineChart({ title: 'Aggregate throughput with concurrent mailboxes', xLabel: 'mailboxes copied at once', yLabel: 'messages/s (all mailboxes)', xLog: true,
      series: series(r.concurrency.filter((p) => p.gateOk), (p) => p.mailboxes, (p) => p.messagesPerS) }),
    'noop-size.svg': lineChart({ title: 'No-op delta pass against mailbox size', xLabel: 'messages in the mailbox', yLabel: 'seconds (process wall time)', xLog: true, yLog: true,
      series: series(bySize, (p) => p.mailboxMessages, (p) => p.wallS) }),
    'noop-folders.svg': lineChart({ title: 'No-op delta pass against folder count', xLabel: 'folders', yLabel: 'seconds (process wall time)', xLog: true, yLog: true,
      series: series(byFolders, folderCount(r), (p) => p.wallS) }),
    'rtt.svg': lineChart({ title: 'Full-pass throughput against round-trip time', xLabel: 'added round trip, ms', yLabel: 'messages/s', yLog: true,
      series: series(rtt, (p) => p.rttMs, (p) => p.messages / p.wallS) }),
  };
}

export function renderReport(r: BenchResults, goals: Goal[], plotFiles: string[]): string {
  const m = r.machine;
  const lines = [
    `# Cutover benchmark — ${r.date.slice(0, 16).replace('T', ' ')} UTC, profile \`${r.profile}\``, '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB RAM, Linux ${m.kernel}; load average before ${m.loadAvgBefore.map((l) => l.toFixed(2)).join(' / ')}. ` +
      `The run took ${fmt(r.durationS / 60, 1)} min. Everything on loopback: a source Dovecot (maildir) per corpus, target Dovecots per kind, delay proxies for the round-trip times.`, '',
    ...Object.entries(m.versions).map(([tool, version]) => `- ${tool}: ${version}`), '',
    '## Goals', '', ...goalsSection(goals), '',
    '## Correctness gate', '', ...gateSummary(r), '',
    '## Full pass on loopback, per target kind', ...fullPassSection(r, true), '',
    '## Full pass per round-trip time', ...fullPassSection(r, false), '',
    '## No-op delta against mailbox size', '', 'The rerun right after the full pass, nothing changed (maildir target, loopback); process wall time, Cutover\'s own pass time in brackets.',
    ...noopTable(r, (p) => !p.corpus.startsWith('folders-') && p.corpus !== 'big', 'messages', (p) => p.mailboxMessages), '',
    '## No-op delta against folder count', ...noopTable(r, (p) => p.corpus.startsWith('folders-'), 'folders', folderCount(r)), '',
    '## Small delta (1 % new, 1 % flag changes)', ...deltaSection(r), '',
    '## Memory with a large message', ...memorySection(r), '',
    '## Concurrent mailboxes', ...concurrencySection(r), '',
    '## Plots', '', ...plotFiles.map((f) => `![${f}](${f})`), '',
    '## Notes', '', ...r.notes.map((n) => `- ${n}`),
    `- Time per scenario: ${Object.entries(r.scenarioS).map(([s, t]) => `${s} ${fmt(t / 60, 1)} min`).join(', ')}.`, '',
  ];
  return lines.join('\n');
}

/** Writes report.md, the plots and results.json into `dir`; returns the goals. */
export function writeReport(dir: string, r: BenchResults): Goal[] {
  const goals = computeGoals(r);
  const svgs = plots(r);
  for (const [file, svg] of Object.entries(svgs)) writeFileSync(join(dir, file), svg);
  writeFileSync(join(dir, 'report.md'), renderReport(r, goals, Object.keys(svgs)));
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...r, goals }, null, 2) + '\n');
  return goals;
}

/** The goals as plain text for stdout. */
export function goalsText(goals: Goal[]): string {
  return goals.map((g) => `${g.verdict.padEnd(12)} ${g.goal}: ${g.measured}`).join('\n');
}
