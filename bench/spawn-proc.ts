/** A `cutover` child process (serve, worker) of a benchmark, with its output kept for error reports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { collect } from '../test/helpers/run-cli.ts';
import { CUTOVER_NODE_OPTIONS } from './node-options.ts';
import { CUTOVER_BIN } from './tools/cutover.ts';

export interface Proc {
  child: ChildProcess;
  done: ReturnType<typeof collect>;
  /** stdout and stderr so far. */
  out: () => string;
}

export function spawnProc(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [...CUTOVER_NODE_OPTIONS, CUTOVER_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { child, done: collect(child), out: () => out };
}
