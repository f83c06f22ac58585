/**
 * `npm run bench`: Cutover, `doveadm backup`, mbsync, offlineimap and a naive one-APPEND-at-a-time
 * client on the same generated mailboxes, in one run, each pass gated for correctness; writes
 * bench/.work/report.md, plots and results.json, and prints the goals of issue 7. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseBenchArgs } from './args.ts';
import { goalsText, writeReport } from './report.ts';
import { runConcurrency } from './scenarios/concurrency.ts';
import { runCopyPlans } from './scenarios/full-pass.ts';
import { Lab } from './scenarios/lab.ts';
import { runMemory } from './scenarios/memory.ts';
import { runNoopDelta } from './scenarios/noop-delta.ts';
import { extraSourceUsers, profile } from './scenarios/profiles.ts';
import type { ScenarioName } from './scenarios/profiles.ts';
import { runSmallDelta } from './scenarios/small-delta.ts';
import type { BenchResults, MachineInfo, MemoryRecord } from './scenarios/types.ts';
import { passOk } from './scenarios/types.ts';
import { cutoverTool, warmDataDir } from './tools/cutover.ts';
import { doveadmTool } from './tools/doveadm.ts';
import { mbsyncTool } from './tools/mbsync.ts';
import { naiveAppendTool } from './tools/naive-append.ts';
import { offlineimapTool } from './tools/offlineimap.ts';
import type { Tool, ToolName } from './tools/types.ts';

const WORK = resolve(import.meta.dirname, '.work');
/** What stays in bench/.work after a run without --keep. */
const OUTPUTS = /^(report\.md|results\.json|.*\.svg|projects-scaling\.json)$/;
/** Seeded sources kept for the next run (corpus/cache.ts). */
const SOURCE_CACHE = /^source-/;

const args = parseBenchArgs(process.argv.slice(2));
mkdirSync(WORK, { recursive: true });
// Dovecot and PostgreSQL state under bench/.work (gitignored), not the tests' .test-state.
process.env['CUTOVER_TEST_STATE'] ??= join(WORK, 'state');
if (args.keep) process.env['CUTOVER_KEEP_TEST_STATE'] = '1';

const t0 = performance.now();
const log = (msg: string): void => {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${msg}\n`);
};

function commandOutput(cmd: string, argv: string[]): string | undefined {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const notes: string[] = [];
const COMMANDS: Record<ToolName, string | undefined> = { cutover: undefined, doveadm: 'doveadm', mbsync: 'mbsync', offlineimap: 'offlineimap', 'naive-append': undefined };
for (const name of [...args.tools]) {
  const command = COMMANDS[name];
  if (command !== undefined && commandOutput('sh', ['-c', `command -v ${command}`]) === undefined) {
    notes.push(`${name} is not installed (bash scripts/install-test-deps.sh): skipped`);
    args.tools.splice(args.tools.indexOf(name), 1);
  }
}
if (commandOutput('sh', ['-c', 'command -v imapsync']) === undefined) notes.push('imapsync is not packaged in Debian 12: not compared');

let template: string | undefined;
const factories: Record<ToolName, () => Tool> = {
  cutover: () => cutoverTool({ template: () => template ?? '' }),
  doveadm: doveadmTool, mbsync: mbsyncTool, offlineimap: offlineimapTool, 'naive-append': naiveAppendTool,
};
const tools = args.tools.map((name) => factories[name]());
const plan = profile(args.profile);

async function machine(): Promise<MachineInfo> {
  const versions: Record<string, string> = {};
  for (const tool of tools) versions[tool.name] = await tool.version();
  versions['dovecot'] = commandOutput('dovecot', ['--version']) ?? '?';
  versions['postgresql (project mode)'] = commandOutput('/usr/lib/postgresql/15/bin/postgres', ['--version']) ?? '?';
  return { cpuModel: cpus()[0]?.model ?? '?', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), loadAvgBefore: loadavg(), node: process.version, versions };
}

const info = await machine();
log(`profile ${args.profile}: ${args.scenarios.join(', ')}; tools ${args.tools.join(', ')}; ${info.cores} CPUs, load ${info.loadAvgBefore.map((l) => l.toFixed(2)).join(' ')}`);
const lab = await Lab.start({ workDir: WORK, connections: args.connections, log, sourceUsers: extraSourceUsers(plan), targetPool: 400 });
lab.beforeFirstPair(async (tool) => {
  if (tool.name !== 'cutover' || template !== undefined) return;
  const warm = await lab.customSource('warm', async (account) => {
    const { seedCorpus } = await import('./corpus/seed.ts');
    return seedCorpus(account, { name: 'warm', messages: 1, folders: 1, largestFolderShare: 1, medianBytes: 2000, sigma: 0.1, tail: null, seed: 1 });
  });
  const target = await lab.allocTarget('maildir');
  const result = await warmDataDir(WORK, warm.account, target.account);
  template = result.dir;
  notes.push(`Cutover's first run on a new data folder (initdb, migrations, one message) took ${result.firstRunS.toFixed(2)} s; every timed pair starts from a copy of that data folder`);
});

let memory: MemoryRecord | undefined;
let concurrency: BenchResults['concurrency'] = [];
const scenarioS: Record<string, number> = {};
const selected = (name: ScenarioName): boolean => args.scenarios.includes(name);
const cutover = tools.find((t) => t.name === 'cutover')!;
try {
  const steps: Array<[ScenarioName, () => Promise<void>]> = [
    ['full-pass', () => runCopyPlans(lab, tools, plan.fullPass)],
    ['rtt', () => runCopyPlans(lab, tools, plan.rtt)],
    ['noop-size', () => runNoopDelta(lab, tools, plan.noopSize)],
    ['noop-folders', () => runNoopDelta(lab, tools, plan.noopFolders)],
    ['small-delta', async () => {
      if (!plan.smallDelta) return;
      const d = await runSmallDelta(lab, tools, plan.smallDelta);
      notes.push(`small delta on ${d.corpus}: ${d.added} new messages (${(d.addedBytes / 1e6).toFixed(1)} MB), \\Flagged toggled on ${d.flagChanges} messages`);
    }],
    ['memory', async () => {
      if (plan.memoryMessageBytes !== null) memory = await runMemory(lab, cutover, plan.memoryMessageBytes);
    }],
    ['concurrency', async () => {
      if (plan.concurrency) concurrency = await runConcurrency(lab, tools.filter((t) => plan.concurrency!.tools.includes(t.name)), plan.concurrency);
    }],
  ];
  for (const [name, step] of steps) {
    if (!selected(name)) continue;
    const started = performance.now();
    log(`== ${name}`);
    try {
      await step();
    } catch (err) {
      notes.push(`scenario ${name} FAILED: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      log(`scenario ${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    scenarioS[name] = (performance.now() - started) / 1000;
  }
} finally {
  await lab.stop();
}

notes.push(`connections per side: ${args.connections} for Cutover (\`--connections\`) and offlineimap (\`maxconnections\`); mbsync and doveadm backup have one; in the concurrency runs every Cutover pass has 2 (the worker's default)`);
const results: BenchResults = {
  date: new Date().toISOString(), profile: args.profile, durationS: (performance.now() - t0) / 1000, machine: info,
  corpora: lab.corpora, passes: lab.passes, ...(memory ? { memory } : {}), concurrency, scenarioS, notes,
};
const goals = writeReport(WORK, results);
process.stdout.write(`\nGoals (issue 7), profile ${args.profile}, ${(results.durationS / 60).toFixed(1)} min:\n${goalsText(goals)}\n\nReport: ${join(WORK, 'report.md')}\n`);

// Cutover failing its own gate is a failure of the benchmark run; an anchor tool failing is a finding.
const cutoverFailed = lab.passes.some((p) => p.tool === 'cutover' && !passOk(p)) || concurrency.some((p) => p.tool === 'cutover' && !p.gateOk) || (memory !== undefined && !memory.gateOk);
if (cutoverFailed) process.exitCode = 1;
if (!args.keep) {
  // At exit, after test/helpers/postgres.ts (registered earlier) has stopped the PostgreSQL whose data
  // folder is in here: removing it under a running server would leave the server behind.
  process.on('exit', () => {
    for (const entry of readdirSync(WORK)) if (!OUTPUTS.test(entry) && !SOURCE_CACHE.test(entry)) rmSync(join(WORK, entry), { recursive: true, force: true });
  });
}
