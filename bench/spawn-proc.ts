/** A `cutover` child process (serve, worker) of a benchmark, with its output kept for error reports. */
import type { ChildProcess } from 'node:child_process';
import { collect, spawnCli } from '../test/helpers/run-cli.ts';

export interface Proc {
  child: ChildProcess;
  done: ReturnType<typeof collect>;
  /** stdout and stderr so far. */
  out: () => string;
}

export function spawnProc(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawnCli(args, env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { child, done: collect(child), out: () => out };
}
