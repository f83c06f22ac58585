/**
 * Runs one tool process and measures it: wall time (from spawn to exit, as a user would wait), the
 * peak RSS of the largest single process (GNU time's %M, from the kernel's rusage, exact), and the peak
 * memory of the whole process tree (sampled PSS, so pages shared between e.g. PostgreSQL's backends are
 * counted once). The tree figure is the fair one for Cutover, whose embedded PostgreSQL runs as
 * child processes; the other tools are single processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallS: number;
  /** Largest single process's peak RSS, MiB (undefined without /usr/bin/time). */
  peakRssMiB: number | undefined;
  /** Peak sum of PSS over the process tree, MiB, sampled every SAMPLE_MS. */
  peakTreePssMiB: number;
  /** Share of the whole machine's CPU time busy during the run (all processes, incl. Dovecot and others'). */
  machineBusy: number;
  /** User + system CPU seconds of the process and the descendants it waited for (GNU time %U + %S). */
  cpuS: number | undefined;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';
const SAMPLE_MS = 200;

function childrenMap(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = map.get(ppid) ?? [];
    list.push(Number(name));
    map.set(ppid, list);
  }
  return map;
}

function treePssKiB(root: number): number {
  const children = childrenMap();
  let total = 0;
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
      const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
      if (match) total += Number(match[1]);
    } catch {
      // exited meanwhile, or a kernel thread
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Busy and total jiffies of all CPUs from /proc/stat. */
function cpuJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((n, f) => n + f, 0);
  // idle + iowait are the not-busy columns.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Scratch file for GNU time's report. */
  timeFile: string;
}

export async function measure(command: string, args: readonly string[], options: RunOptions): Promise<Measured> {
  const useTime = existsSync(TIME);
  rmSync(options.timeFile, { force: true });
  const argv = useTime ? [TIME, '-f', '%M %U %S', '-o', options.timeFile, command, ...args] : [command, ...args];
  const started = performance.now();
  const jiffiesBefore = cpuJiffies();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let peakKiB = 0;
  const sample = (): void => {
    if (child.pid !== undefined) peakKiB = Math.max(peakKiB, treePssKiB(child.pid));
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallS = (performance.now() - started) / 1000;
  const jiffiesAfter = cpuJiffies();
  const machineBusy = (jiffiesAfter.busy - jiffiesBefore.busy) / Math.max(1, jiffiesAfter.total - jiffiesBefore.total);
  clearInterval(timer);
  let peakRssMiB: number | undefined;
  let cpuS: number | undefined;
  if (useTime && existsSync(options.timeFile)) {
    // GNU time prefixes "Command exited with non-zero status N" on failure; the figures are the last line.
    const lines = readFileSync(options.timeFile, 'utf8').trim().split('\n');
    const [kib, user, sys] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    if (kib !== undefined && Number.isFinite(kib)) peakRssMiB = kib / 1024;
    if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuS = user + sys;
  }
  return { code, signal, wallS, peakRssMiB, peakTreePssMiB: peakKiB / 1024, machineBusy, cpuS, stdout, stderr };
}

export const timeFileIn = (dir: string, name: string): string => join(dir, `${name}.time`);
