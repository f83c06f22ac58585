/** What every benchmarked tool adapter gets and gives, so run.ts treats them alike. */
import type { Measured } from '../measure.ts';

export interface Account {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
}

export interface TargetAccount extends Account {
  /** The target Dovecot's config: doveadm runs on the target side with it. */
  configPath: string;
}

export interface ToolPass extends Measured {
  /** The tool's own figure for the pass, when it reports one (Cutover's JSON durationMs). */
  reportedS?: number;
}

export interface Tool {
  name: string;
  /** Version string for the report. */
  version(): Promise<string>;
  /** One-off setup outside the timed runs (config files, a pre-initialised data folder). */
  prepare(): void;
  /** One timed run; throws when the tool reports failure (a fast wrong tool is not faster). */
  run(label: 'full' | 'rerun'): Promise<ToolPass>;
}

export class ToolFailed extends Error {}

export function failIfNonZero(tool: string, label: string, m: Measured): void {
  if (m.code !== 0) {
    throw new ToolFailed(`${tool} ${label} exited with ${m.code ?? m.signal}:\n${m.stdout.slice(-2000)}\n--- stderr:\n${m.stderr.slice(-2000)}`);
  }
}
