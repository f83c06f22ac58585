/**
 * Runs the real `cutover` command in a child process (the same Node 22 that runs the tests), as a
 * user would, and collects its exit code and output. `spawnCli` gives the child for kill tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/cutover.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `cutover ...args` without waiting. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for a spawned CLI to end and collects its output. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolveResult) => {
    child.on('close', (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
}

/** Runs `cutover ...args` to the end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return collect(spawnCli(args, env));
}

/** Parses the `--json` summary (throws with the whole output when it is not JSON). */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}

/** imapsync-style connection flags for two plain-text loopback servers. */
export function plainFlags(source: { port: number; user: string; password: string }, target: { port: number; user: string; password: string }): string[] {
  return [
    '--host1', '127.0.0.1', '--port1', String(source.port), '--user1', source.user, '--password1', source.password, '--nossl1', '--notls1',
    '--host2', '127.0.0.1', '--port2', String(target.port), '--user2', target.user, '--password2', target.password, '--nossl2', '--notls2',
  ];
}
