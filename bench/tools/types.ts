/** What every benchmarked tool adapter gets and gives, so the scenarios treat them alike. */
import type { Measured } from '../measure.ts';
import type { GateRules } from '../verify.ts';

export type ToolName = 'cutover' | 'doveadm' | 'mbsync' | 'offlineimap' | 'naive-append';
export const ALL_TOOLS: readonly ToolName[] = ['cutover', 'doveadm', 'mbsync', 'offlineimap', 'naive-append'];

export interface Account {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** One source -> target pair as one tool sees it. */
export interface PairSetup {
  /** The source account as the tool reaches it (through the delay proxy when the RTT is above 0). */
  source: Account;
  /** The target account as an IMAP tool reaches it (through its delay proxy likewise). */
  target: Account;
  /** The target server's Dovecot config: doveadm runs on the target side and writes its storage. */
  targetConfigPath: string;
  /** Scratch folder of this pair: configuration, sync state, data folder. */
  workDir: string;
  /** Parallel connections per side, for the tools that have such a setting. */
  connections: number;
}

export interface ToolPass extends Measured {
  /** The tool's own figure for the pass, when it reports one (Cutover's JSON durationMs). */
  reportedS?: number;
}

export type PassKind = 'full' | 'noop' | 'delta';

/** One pair's state across passes: the full pass, then delta passes on the same state. */
export interface ToolPair {
  /**
   * One timed run; throws ToolFailed when the tool reports failure. `watch`: process trees (name -> root
   * pid, e.g. the Dovecot masters) whose CPU during the run is reported with it.
   */
  pass(kind: PassKind, watch?: Watch): Promise<ToolPass>;
}

export type Watch = Record<string, number | undefined>;

export interface Tool {
  name: ToolName;
  /** Version string for the report. */
  version(): Promise<string>;
  /** How the gate compares this tool's copies (a header it adds, flags it cannot carry). */
  gate: GateRules;
  /** The tool keeps sync state, so a second pass is a delta (false: it would copy everything again). */
  incremental: boolean;
  /** 'storage': the tool writes the target's storage itself, not through IMAP (doveadm backup). */
  targetAccess: 'imap' | 'storage';
  /** Prepares a fresh state for one pair (config files, data folder) outside any timing. */
  pair(setup: PairSetup): ToolPair;
}

export class ToolFailed extends Error {}

export function failIfNonZero(tool: string, label: string, m: Measured): void {
  if (m.code !== 0) {
    throw new ToolFailed(`${tool} ${label} exited with ${m.code ?? m.signal}:\n${m.stdout.slice(-2000)}\n--- stderr:\n${m.stderr.slice(-2000)}`);
  }
}
