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
  /** CPU seconds of each watched process tree during the run (e.g. the source and target Dovecots). */
  watchedCpuS: Record<string, number>;
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

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run on). */
const USER_HZ = 100;

/**
 * CPU seconds of a process tree so far: user + system of every live process plus the children each
 * has already reaped (cutime + cstime). A Dovecot master reaps its finished imap processes, so their
 * CPU stays counted after they exit; the difference of two readings is what the tree used in between.
 */
export function treeCpuS(root: number): number {
  const children = childrenMap();
  let ticks = 0;
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command name: state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // exited meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks / USER_HZ;
}

/** Peak resident set size of one process so far (VmHWM), MiB; undefined when it is gone. */
export function peakRssOfMiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a Dovecot instance's master, from `base_dir` in its config (master.pid lives there). */
export function dovecotMasterPid(configPath: string): number | undefined {
  try {
    const baseDir = /^base_dir\s*=\s*(.+)$/m.exec(readFileSync(configPath, 'utf8'))?.[1]?.trim();
    if (!baseDir) return undefined;
    const pid = Number.parseInt(readFileSync(join(baseDir, 'master.pid'), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Pids whose command line matches, e.g. the postmaster listening on a given port. */
export function findPids(match: (argv: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').filter((a) => a !== '');
      if (match(argv)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** A measurement window over the whole machine and some process trees (for runs of several processes). */
export interface CpuWindow {
  stop(): { wallS: number; machineBusy: number; cpuS: Record<string, number> };
}

export function cpuWindow(trees: Record<string, number | undefined>): CpuWindow {
  const started = performance.now();
  const jiffies = cpuJiffies();
  const before = Object.fromEntries(Object.entries(trees).map(([name, pid]) => [name, pid === undefined ? NaN : treeCpuS(pid)]));
  return {
    stop() {
      const after = cpuJiffies();
      const cpuS = Object.fromEntries(Object.entries(trees).map(([name, pid]) => [name, pid === undefined ? NaN : treeCpuS(pid) - before[name]!]));
      return { wallS: (performance.now() - started) / 1000, machineBusy: (after.busy - jiffies.busy) / Math.max(1, after.total - jiffies.total), cpuS };
    },
  };
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Scratch file for GNU time's report. */
  timeFile: string;
  /** Process trees (name -> root pid) whose CPU during the run is reported in watchedCpuS. */
  watch?: Record<string, number | undefined>;
}

export async function measure(command: string, args: readonly string[], options: RunOptions): Promise<Measured> {
  const useTime = existsSync(TIME);
  rmSync(options.timeFile, { force: true });
  const argv = useTime ? [TIME, '-f', '%M %U %S', '-o', options.timeFile, command, ...args] : [command, ...args];
  const started = performance.now();
  const jiffiesBefore = cpuJiffies();
  const watched = cpuWindow(options.watch ?? {});
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
  return { code, signal, wallS, peakRssMiB, peakTreePssMiB: peakKiB / 1024, machineBusy, cpuS, watchedCpuS: watched.stop().cpuS, stdout, stderr };
}

export const timeFileIn = (dir: string, name: string): string => join(dir, `${name}.time`);
