/**
 * Checks each tool's result: a fast wrong tool is not faster. Message counts per folder come from
 * doveadm on each server's own storage (independent of every tool measured); the content check
 * compares sha256 of every message, its flags and INTERNALDATE through ImapFlow (test/helpers).
 */
import { doveadm } from '../test/helpers/dovecot.ts';
import { compareMailboxes, snapshotMailbox } from '../test/helpers/mailbox-snapshot.ts';
import type { MailboxSnapshot } from '../test/helpers/mailbox-snapshot.ts';
import type { Account } from './tools/types.ts';

/** Folder -> messages, from `doveadm mailbox status messages '*'`. */
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

export interface ContentCheck {
  ok: boolean;
  /** First line of the comparison report: counts of missing/extra/flag/date mismatches. */
  summary: string;
  report: string;
}

export async function snapshot(account: Account): Promise<MailboxSnapshot> {
  return snapshotMailbox({ host: account.host, port: account.port, user: account.user, password: account.password });
}

export async function compareContent(source: MailboxSnapshot, target: Account): Promise<ContentCheck> {
  const result = compareMailboxes(source, await snapshot(target));
  // Folders that exist empty on one side only (e.g. a parent one tool creates, another not) are fine.
  return { ok: result.ok, summary: result.report.split('\n')[0] ?? '', report: result.report };
}
