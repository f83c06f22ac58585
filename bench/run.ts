/**
 * `npm run bench`: Cutover against mbsync and `doveadm backup` on the same source mailbox, in one run,
 * then Cutover's scaling with concurrent mailboxes. See bench/README.md and docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseBenchArgs } from './args.ts';
import { buildMessageSet } from './message-set.ts';
import { figures, renderRatios, renderScaling, renderTable, renderTargetCheck, writeResults } from './report.ts';
import type { BenchResults, ToolResult } from './report.ts';
import { runScaling } from './scaling.ts';
import type { ScalingPair } from './scaling.ts';
import { cutoverTool } from './tools/cutover.ts';
import { doveadmTool } from './tools/doveadm.ts';
import { mbsyncTool } from './tools/mbsync.ts';
import type { Account, TargetAccount, Tool } from './tools/types.ts';
import { compareContent, compareCounts, folderCounts, snapshot } from './verify.ts';
import { makeWarmDataDir } from './warm-data-dir.ts';

const WORK = resolve(import.meta.dirname, '.work');
const PASSWORD = 'benchpw';
const args = parseBenchArgs(process.argv.slice(2));
mkdirSync(WORK, { recursive: true });
// Dovecot state under bench/.work (gitignored) rather than the tests' .test-state; read at start time.
process.env['CUTOVER_TEST_STATE'] ??= join(WORK, 'state');
if (args.keep) process.env['CUTOVER_KEEP_TEST_STATE'] = '1';
// Imported after the env is set up so nothing reads it earlier.
const { startDovecot } = await import('../test/helpers/dovecot.ts');
const { seedMailbox } = await import('../test/helpers/seed-mailbox.ts');

const t0 = performance.now();
const log = (msg: string): void => {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
};

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const notes: string[] = [];
for (const tool of ['mbsync', 'doveadm'] as const) {
  if (args.tools.includes(tool) && !onPath(tool)) {
    notes.push(`${tool} is not installed (bash scripts/install-test-deps.sh): skipped`);
    args.tools.splice(args.tools.indexOf(tool), 1);
  }
}
if (!onPath('imapsync')) notes.push('imapsync: not installed and not packaged in Debian 12: skipped');
for (const note of notes) log(note);

const k = args.mailboxes;
const scalingUsers = (kind: string): string[] => Array.from({ length: k }, (_, i) => `${kind}${i + 1}`);
const users = (names: string[]): Record<string, string> => Object.fromEntries(names.map((u) => [u, PASSWORD]));
const sourceUsers = ['src', 'warm', ...scalingUsers('seq'), ...scalingUsers('par')];
const targetUsers = [...args.tools, 'warm', ...scalingUsers('seq'), ...scalingUsers('par')];

log(`building ${args.messages} messages from the fixtures`);
const set = buildMessageSet(args.messages);
const scalingSet = k > 0 ? buildMessageSet(args.scalingMessages, 's') : undefined;
const warmSet = buildMessageSet(1, 'warm');
log(`message set: ${set.stats.messages} messages, ${(set.stats.bytes / 1024 / 1024).toFixed(1)} MiB, median ${set.stats.medianBytes} B, mean ${set.stats.meanBytes} B, ${set.stats.folders} folders`);

const loadAvgBefore = loadavg();
const [source, target] = await Promise.all([
  startDovecot({ name: 'bench-source', users: users(sourceUsers) }),
  startDovecot({ name: 'bench-target', users: users(targetUsers) }),
]);
const account = (port: number, user: string): Account => ({ host: '127.0.0.1', port, user, password: PASSWORD });
const targetAccount = (user: string): TargetAccount => ({ ...account(target.port, user), configPath: target.configPath });

try {
  let seedStart = performance.now();
  await seedMailbox({ host: source.host, port: source.port, user: 'src', password: PASSWORD }, set.folders);
  log(`seeded the source in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  seedStart = performance.now();
  await seedMailbox({ host: source.host, port: source.port, user: 'warm', password: PASSWORD }, warmSet.folders);
  if (scalingSet) {
    await Promise.all([...scalingUsers('seq'), ...scalingUsers('par')].map((user) =>
      seedMailbox({ host: source.host, port: source.port, user, password: PASSWORD }, scalingSet.folders)));
    log(`seeded ${2 * k} scaling sources in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  }

  const src = account(source.port, 'src');
  const sourceCounts = await folderCounts(source.configPath, 'src');
  const seeded = [...sourceCounts.values()].reduce((n, c) => n + c, 0);
  if (seeded !== args.messages) throw new Error(`source holds ${seeded} messages, expected ${args.messages}`);
  // Reading everything once also warms the source for all tools alike (page cache, Dovecot's cache file).
  log('snapshot of the source (content hashes)');
  const sourceSnapshot = await snapshot(src);

  log('warming a Cutover data folder (initdb + migrations + a one-message sync of another pair)');
  const warm = await makeWarmDataDir(WORK, account(source.port, 'warm'), targetAccount('warm'));
  log(`  first run on a new data folder took ${warm.firstRunS.toFixed(2)} s`);
  notes.push(`Cutover's first run on a new data folder (initdb, migrations, one message) took ${warm.firstRunS.toFixed(2)} s; timed runs start from a copy of that warmed folder`);

  const tools: Tool[] = args.tools.map((name) => {
    const workDir = join(WORK, name);
    mkdirSync(workDir, { recursive: true });
    if (name === 'cutover') return cutoverTool({ source: src, target: targetAccount('cutover'), workDir, template: warm.dir });
    if (name === 'mbsync') return mbsyncTool({ source: src, target: targetAccount('mbsync'), workDir });
    return doveadmTool({ source: src, target: targetAccount('doveadm'), workDir });
  });

  const results: ToolResult[] = [];
  for (const tool of tools) {
    const result: ToolResult = { name: tool.name, version: await tool.version(), verified: false, verdict: 'NO', verification: '' };
    results.push(result);
    try {
      tool.prepare();
      log(`${tool.name}: full copy`);
      const full = await tool.run('full');
      result.full = figures(full);
      log(`${tool.name}: full copy ${full.wallS.toFixed(2)} s; no-change rerun`);
      const rerun = await tool.run('rerun');
      result.rerun = figures(rerun);
      log(`${tool.name}: rerun ${rerun.wallS.toFixed(2)} s; verifying`);
      const counts = compareCounts(sourceCounts, await folderCounts(target.configPath, tool.name));
      const parts = [`counts ${counts.ok ? 'equal' : `DIFFER (${counts.differences.slice(0, 5).join('; ')})`}: ${counts.targetTotal}/${counts.sourceTotal}`];
      let ok = counts.ok;
      // mbsync adds an X-TUID header to every copy, so only its counts can match, not the hashes.
      if (tool.name !== 'mbsync') {
        const content = await compareContent(sourceSnapshot, targetAccount(tool.name));
        parts.push(content.summary);
        ok &&= content.ok;
        if (!content.ok) log(content.report);
      }
      result.verified = ok;
      const lost = counts.sourceTotal - counts.targetTotal;
      result.verdict = ok ? 'yes' : lost > 0 ? `NO: ${lost} missing` : lost < 0 ? `NO: ${-lost} extra` : 'NO: content differs';
      result.verification = parts.join('; ');
      log(`${tool.name}: ${result.verification}`);
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
      log(`${tool.name} FAILED: ${result.error}`);
    }
  }

  let scaling;
  if (scalingSet) {
    log(`scaling: ${k} mailboxes of ${args.scalingMessages} messages, sequential then concurrent`);
    const pairs = (kind: string): ScalingPair[] => scalingUsers(kind).map((user) => ({
      source: account(source.port, user), sourceConfig: source.configPath, target: account(target.port, user), targetConfig: target.configPath,
    }));
    try {
      scaling = await runScaling({
        sequential: pairs('seq'), concurrent: pairs('par'), template: warm.dir, workDir: WORK,
        messagesPerMailbox: args.scalingMessages, bytesPerMailbox: scalingSet.stats.bytes,
      });
    } catch (err) {
      notes.push(`scaling run FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }

  const cpuList = cpus();
  const report: BenchResults = {
    date: new Date().toISOString(),
    machine: { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvgBefore },
    messageSet: set.stats,
    tools: results,
    ...(scaling ? { scaling } : {}),
    notes,
  };
  const out = [
    '',
    `Cutover benchmark, ${report.date}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), load before ${loadAvgBefore.map((l) => l.toFixed(2)).join(' ')}`,
    `source: ${set.stats.messages} messages, ${(set.stats.bytes / 2 ** 20).toFixed(1)} MiB, median ${set.stats.medianBytes} B, ${set.stats.folders} folders; Dovecot maildir -> Dovecot maildir on loopback`,
    '',
    renderTable(report),
    '',
    ...results.map((r) => `${r.name}: ${r.version}; ${r.verification || r.error?.split('\n')[0] || ''}`),
    '',
    ...renderRatios(report),
    renderTargetCheck(report),
    ...(scaling ? ['', ...renderScaling(scaling)] : []),
    ...(notes.length > 0 ? ['', ...notes.map((n) => `note: ${n}`)] : []),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
  const resultsPath = join(WORK, 'results.json');
  writeResults(resultsPath, report);
  log(`results written to ${resultsPath}`);
  // An anchor losing messages is a finding to print, not a failure of the benchmark; Cutover's is.
  if (results.some((r) => r.name === 'cutover' && !r.verified) || (scaling && !scaling.verified)) process.exitCode = 1;
} finally {
  await Promise.all([source.stop(), target.stop()]);
  // Data folders and sync state are ~40 MB each; only results.json (and saved logs) stay unless --keep.
  if (!args.keep) {
    for (const entry of readdirSync(WORK)) {
      if (entry !== 'results.json' && !entry.endsWith('.out')) rmSync(join(WORK, entry), { recursive: true, force: true });
    }
  }
}
