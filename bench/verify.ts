/**
 * The correctness gate, run after every measured pass: a fast wrong tool is not faster. The target
 * account is read completely (snapshot.ts) and compared with the source per folder as a multiset of
 * (sha256, flags, INTERNALDATE): nothing missing, nothing doubled, flags and dates kept. Per-tool rules
 * are explicit and printed with the result: a header line the tool adds to every copy (mbsync's X-TUID)
 * is left out of the target's hashes, and a tool that cannot carry keywords is compared on system
 * flags only, with the keywords it lost counted. A pass that fails the gate is reported as failed.
 */
import { doveadm } from '../test/helpers/dovecot.ts';
import { compareMailboxes } from '../test/helpers/mailbox-snapshot.ts';
import type { MailboxSnapshot } from '../test/helpers/mailbox-snapshot.ts';
import { countMessages, readAccount } from './snapshot.ts';
import type { AccountSnapshot, SnapshotAccount } from './snapshot.ts';

export interface GateRules {
  /** A header field the tool adds to every copy; exactly its first line is left out of the target's hashes. */
  dropHeader?: string;
  /** The tool does not carry keywords: flags are compared on system flags (`\Seen` …) only. */
  systemFlagsOnly?: boolean;
}

export interface GateResult {
  ok: boolean;
  /** One line: what was compared and what differed. */
  summary: string;
  /** The first offenders, for the log (empty when ok). */
  detail: string;
  sourceMessages: number;
  targetMessages: number;
  missing: number;
  extra: number;
  flagMismatches: number;
  dateMismatches: number;
  /** With systemFlagsOnly: keyword flags on source messages that the target lacks. */
  keywordsLost?: number;
  /** Time to read the target and compare, s. */
  durationS: number;
}

const isSystemFlag = (flag: string): boolean => flag.startsWith('\\');

function forCompare(snapshot: AccountSnapshot, systemFlagsOnly: boolean): MailboxSnapshot {
  const out: MailboxSnapshot = new Map();
  for (const [folder, state] of snapshot) {
    const messages = [...state.messages.values()].sort((a, b) => a.uid - b.uid);
    out.set(folder, systemFlagsOnly ? messages.map((m) => ({ ...m, flags: m.flags.filter(isSystemFlag) })) : messages);
  }
  return out;
}

function keywordCount(snapshot: AccountSnapshot): number {
  let n = 0;
  for (const state of snapshot.values()) for (const m of state.messages.values()) n += m.flags.filter((f) => !isSystemFlag(f)).length;
  return n;
}

/**
 * Reads `target` (incrementally when `previous`, the target's last snapshot, is given) and compares it
 * with `source`. Returns the result and the new target snapshot for the next, incremental, check.
 */
export async function runGate(source: AccountSnapshot, target: SnapshotAccount, rules: GateRules, previous?: AccountSnapshot): Promise<{ result: GateResult; snapshot: AccountSnapshot }> {
  const started = performance.now();
  const snapshot = await readAccount(target, { ...(rules.dropHeader ? { dropHeader: rules.dropHeader } : {}), ...(previous ? { previous } : {}) });
  const systemOnly = rules.systemFlagsOnly ?? false;
  const comparison = compareMailboxes(forCompare(source, systemOnly), forCompare(snapshot, systemOnly));
  const result: GateResult = {
    ok: comparison.ok,
    summary: '',
    detail: comparison.ok ? '' : comparison.report,
    sourceMessages: countMessages(source),
    targetMessages: countMessages(snapshot),
    missing: comparison.missing.length,
    extra: comparison.extra.length,
    flagMismatches: comparison.flagMismatches.length,
    dateMismatches: comparison.dateMismatches.length,
    durationS: 0,
  };
  const parts = [`${result.targetMessages}/${result.sourceMessages} messages`];
  if (!comparison.ok) parts.push(`${result.missing} missing, ${result.extra} extra, ${result.flagMismatches} flags differ, ${result.dateMismatches} dates differ`);
  if (rules.dropHeader) parts.push(`hashed without its ${rules.dropHeader} line`);
  if (systemOnly) {
    result.keywordsLost = Math.max(0, keywordCount(source) - keywordCount(snapshot));
    parts.push(`system flags only (${result.keywordsLost} keywords not carried)`);
  }
  result.summary = `${comparison.ok ? 'OK' : 'FAILED'}: ${parts.join('; ')}`;
  result.durationS = (performance.now() - started) / 1000;
  return { result, snapshot };
}

/** The gate's verdict for a pass that did not run to the end (the tool failed): nothing to compare. */
export function notRun(reason: string): GateResult {
  return { ok: false, summary: `FAILED: ${reason}`, detail: '', sourceMessages: 0, targetMessages: 0, missing: 0, extra: 0, flagMismatches: 0, dateMismatches: 0, durationS: 0 };
}

/** Folder -> messages, from `doveadm mailbox status messages '*'` (used by bench/projects-scaling.ts). */
export async function folderCounts(configPath: string, user: string): Promise<Map<string, number>> {
  const out = await doveadm({ configPath }, ['mailbox', 'status', '-u', user, 'messages', '*']);
  const counts = new Map<string, number>();
  for (const line of out.split('\n')) {
    const match = /^(.*) messages=(\d+)$/.exec(line.trim());
    if (match) counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

export interface CountCheck {
  ok: boolean;
  sourceTotal: number;
  targetTotal: number;
  /** Folders whose counts differ, e.g. `Archive/2001: source 1200, target 1199`. */
  differences: string[];
}

/** Every folder holding mail on either side must hold the same number on the other. */
export function compareCounts(source: Map<string, number>, target: Map<string, number>): CountCheck {
  const differences: string[] = [];
  for (const folder of new Set([...source.keys(), ...target.keys()])) {
    const s = source.get(folder) ?? 0;
    const t = target.get(folder) ?? 0;
    if (s !== t) differences.push(`${folder}: source ${s}, target ${target.has(folder) ? t : 'missing'}`);
  }
  const total = (m: Map<string, number>): number => [...m.values()].reduce((n, c) => n + c, 0);
  return { ok: differences.length === 0, sourceTotal: total(source), targetTotal: total(target), differences };
}
