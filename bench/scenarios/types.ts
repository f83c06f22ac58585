/**
 * The records a benchmark run produces, as written to results.json and read by the report. Glossary:
 * - *pass*: one run of one tool on one source -> target pair: `full` (empty target), `noop` (rerun
 *   right after, nothing changed), `delta` (after 1 % new messages and 1 % flag changes);
 * - *gate*: the correctness check after every pass (verify.ts); a pass that fails it is no result;
 * - *target kind*: how the target Dovecot stores mail and what it offers (bench/servers.ts);
 * - *RTT*: the round trip the delay proxy adds to every connection the tool makes over IMAP.
 */
import type { CorpusStats } from '../corpus/spec.ts';
import type { ServerKind } from '../servers.ts';
import type { PassKind, ToolName } from '../tools/types.ts';
import type { GateResult } from '../verify.ts';

export interface PassRecord {
  tool: ToolName;
  /** Corpus name: '1k', '20k', 'folders-100', 'big-50MiB' … */
  corpus: string;
  targetKind: ServerKind;
  rttMs: number;
  kind: PassKind;
  /** Messages and bytes the pass had to copy (full: the corpus; delta: the new ones; noop: 0). */
  messages: number;
  bytes: number;
  /** Source messages in the pair when the pass ran (the mailbox size of a noop pass). */
  mailboxMessages: number;
  wallS: number;
  /** The tool's own timing of the pass (Cutover's JSON durationMs). */
  reportedS?: number;
  /** User + system CPU of the tool's process tree (GNU time; for Cutover incl. its embedded PostgreSQL). */
  cpuS?: number;
  /** Largest single process's peak RSS, MiB. */
  peakRssMiB?: number;
  /** Peak sum of PSS over the tool's process tree, MiB (sampled). */
  peakTreePssMiB: number;
  /** Share of the machine's CPU busy during the pass (everything: the tool, the Dovecots, neighbours). */
  machineBusy: number;
  /** CPU seconds of the source and target Dovecot instances during the pass. */
  serverCpuS: { source: number; target: number };
  gate: GateResult;
  /** The tool failed (non-zero exit, error output): the figures are not a result. */
  error?: string;
}

/** A pass counts as a result only when the tool succeeded and the gate passed. */
export const passOk = (p: PassRecord): boolean => p.error === undefined && p.gate.ok;

export interface MemoryRecord {
  messageBytes: number;
  /** Peak RSS of Cutover's largest process copying the mailbox, MiB. */
  peakRssMiB: number;
  /** Peak RSS of the same command's no-op rerun on the same pair (process, modules, database; no message), MiB. */
  idleRssMiB: number;
  peakTreePssMiB: number;
  /** (peak - idle) / message size. */
  ratio: number;
  gateOk: boolean;
  summary: string;
}

export interface ConcurrencyPoint {
  tool: ToolName;
  mailboxes: number;
  messagesPerMailbox: number;
  /** From the first start to the last pair done, s. */
  wallS: number;
  messagesPerS: number;
  mbPerS: number;
  /** Share of the machine's CPUs busy over the run (all processes, the neighbours' too). */
  machineBusy: number;
  /** Share of the machine's CPUs used by the processes measured here (tool, Dovecots, PostgreSQL). */
  ownBusy: number;
  /** CPU seconds over the run: the tool's processes, the Dovecots, PostgreSQL (Cutover's project mode). */
  cpuS: { tool: number; dovecot: number; postgres?: number };
  /** Peak RSS per concurrent pair: the tool's processes' peak RSS summed, divided by the mailboxes, MiB. */
  peakRssPerPairMiB: number;
  gateOk: boolean;
  /** Pairs that failed the gate, with the first reason. */
  failures: string[];
  /** How the K pairs ran, e.g. 'one project, 1 worker --concurrency K, …' or 'K processes, one pair each'. */
  mode: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memGiB: number;
  kernel: string;
  loadAvgBefore: number[];
  node: string;
  versions: Record<string, string>;
}

export interface BenchResults {
  date: string;
  profile: string;
  durationS: number;
  machine: MachineInfo;
  corpora: Record<string, CorpusStats>;
  passes: PassRecord[];
  memory?: MemoryRecord;
  concurrency: ConcurrencyPoint[];
  /** What each scenario took, s (to budget the profiles). */
  scenarioS: Record<string, number>;
  notes: string[];
}
