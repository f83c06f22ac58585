/**
 * "Target equals source, nothing lost, nothing doubled": reads every message of an IMAP account with
 * ImapFlow (independent of the project's connector) and compares two accounts as multisets of
 * content hashes per folder.
 */
import { createHash } from 'node:crypto';
import { connectImap, toCrlf } from './seed-mailbox.ts';
import type { ImapEndpoint } from './seed-mailbox.ts';

export interface SnapshotMessage {
  uid: number;
  /** sha256 (hex) of the message with bare LF normalised to CRLF, as servers store it after APPEND. */
  sha256: string;
  /** Sorted, without \Recent (session state, not message state). */
  flags: string[];
  /** ISO 8601. */
  internalDate: string;
  size: number;
  /** Raw Subject header (unfolded, not decoded), only to make failure reports readable. */
  subject: string;
}

/** Folder path (UTF-8, '/'-joined, INBOX upper-case) -> messages in UID order. */
export type MailboxSnapshot = Map<string, SnapshotMessage[]>;

function subjectOf(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end === -1 ? Math.min(raw.length, 64 * 1024) : end).toString('latin1');
  const match = /^subject:[ \t]*(.*(?:\r\n[ \t].*)*)/im.exec(header);
  return match?.[1]?.replace(/\r\n[ \t]/g, ' ').trim() ?? '';
}

function normaliseFolder(path: string, delimiter: string | undefined): string {
  const joined = delimiter ? path.split(delimiter).join('/') : path;
  return joined.toUpperCase() === 'INBOX' ? 'INBOX' : joined;
}

/** Every message in every selectable folder; folders are opened read-only so \Seen is not touched. */
export async function snapshotMailbox(endpoint: ImapEndpoint): Promise<MailboxSnapshot> {
  const client = await connectImap(endpoint);
  const snapshot: MailboxSnapshot = new Map();
  try {
    const folders = await client.list();
    for (const folder of folders) {
      if (folder.flags.has('\\Noselect') || folder.flags.has('\\NonExistent')) continue;
      const key = normaliseFolder(folder.path, folder.delimiter);
      const messages: SnapshotMessage[] = [];
      const mailbox = await client.mailboxOpen(folder.path, { readOnly: true });
      if (mailbox.exists > 0) {
        for await (const msg of client.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, source: true })) {
          if (!msg.source) throw new Error(`snapshotMailbox: no source for ${key} uid ${msg.uid}`);
          const source = toCrlf(msg.source);
          const date = msg.internalDate;
          messages.push({
            uid: msg.uid,
            sha256: createHash('sha256').update(source).digest('hex'),
            flags: [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            internalDate: date instanceof Date ? date.toISOString() : new Date(date ?? 0).toISOString(),
            size: msg.size ?? msg.source.length,
            subject: subjectOf(source),
          });
        }
      }
      await client.mailboxClose();
      messages.sort((a, b) => a.uid - b.uid);
      snapshot.set(key, messages);
    }
  } finally {
    await client.logout();
  }
  return snapshot;
}

export interface MessageRef {
  sourceFolder: string | undefined;
  targetFolder: string;
  uid: number;
  sha256: string;
  subject: string;
}

export interface FlagMismatch {
  sourceFolder: string;
  targetFolder: string;
  sourceUid: number;
  targetUid: number;
  sha256: string;
  subject: string;
  sourceFlags: string[];
  targetFlags: string[];
}

export interface DateMismatch {
  sourceFolder: string;
  targetFolder: string;
  sourceUid: number;
  targetUid: number;
  sha256: string;
  subject: string;
  sourceDate: string;
  targetDate: string;
}

export interface MailboxComparison {
  /** True when nothing is missing, extra, or different in flags or INTERNALDATE. */
  ok: boolean;
  /** In the source but not in the target (once per missing copy). `uid` is the source UID. */
  missing: MessageRef[];
  /** In the target more often than in the source (`uid` is the target UID), incl. unmapped folders. */
  extra: MessageRef[];
  flagMismatches: FlagMismatch[];
  dateMismatches: DateMismatch[];
  /** Human-readable summary: counts, per-folder counts that differ, first few offenders. */
  report: string;
}

interface Tagged extends SnapshotMessage {
  folder: string;
}

const sameFlags = (a: string[], b: string[]): boolean => a.length === b.length && a.every((f, i) => f === b[i]);

/**
 * Compares per target folder as multisets of sha256: a message twice in the source must be twice in
 * the target. `folderMap` turns a source folder path into the target path (several source folders
 * may map to one target folder); default is the identity. Target folders nothing maps to must be
 * empty. Messages pair up by hash, preferring pairs with equal flags and date, so duplicates with
 * different flags are not reported as mismatches by accident.
 */
export function compareMailboxes(source: MailboxSnapshot, target: MailboxSnapshot, folderMap: (sourcePath: string) => string = (p) => p): MailboxComparison {
  const expected = new Map<string, Tagged[]>();
  for (const [folder, messages] of source) {
    const targetFolder = folderMap(folder);
    const list = expected.get(targetFolder) ?? [];
    for (const m of messages) list.push({ ...m, folder });
    expected.set(targetFolder, list);
  }

  const missing: MessageRef[] = [];
  const extra: MessageRef[] = [];
  const flagMismatches: FlagMismatch[] = [];
  const dateMismatches: DateMismatch[] = [];
  const folderCounts: string[] = [];

  const targetFolders = new Set([...expected.keys(), ...target.keys()]);
  for (const targetFolder of [...targetFolders].sort()) {
    const want = expected.get(targetFolder) ?? [];
    const have = target.get(targetFolder) ?? [];
    if (want.length !== have.length) {
      const from = [...new Set(want.map((m) => m.folder))].join(', ') || '(nothing maps here)';
      folderCounts.push(`  ${JSON.stringify(targetFolder)} <- ${from}: source ${want.length}, target ${target.has(targetFolder) ? have.length : 'folder missing'}`);
    }
    const groups = new Map<string, { s: Tagged[]; t: SnapshotMessage[] }>();
    for (const m of want) {
      const g = groups.get(m.sha256) ?? { s: [], t: [] };
      g.s.push(m);
      groups.set(m.sha256, g);
    }
    for (const m of have) {
      const g = groups.get(m.sha256) ?? { s: [], t: [] };
      g.t.push(m);
      groups.set(m.sha256, g);
    }
    for (const [sha256, { s, t }] of groups) {
      const restS: Tagged[] = [];
      const restT = [...t];
      for (const sm of s) {
        const exact = restT.findIndex((tm) => sameFlags(sm.flags, tm.flags) && sm.internalDate === tm.internalDate);
        if (exact === -1) restS.push(sm);
        else restT.splice(exact, 1);
      }
      const pairs = Math.min(restS.length, restT.length);
      for (let i = 0; i < pairs; i++) {
        const sm = restS[i]!;
        const tm = restT[i]!;
        const base = { sourceFolder: sm.folder, targetFolder, sourceUid: sm.uid, targetUid: tm.uid, sha256, subject: sm.subject };
        if (!sameFlags(sm.flags, tm.flags)) flagMismatches.push({ ...base, sourceFlags: sm.flags, targetFlags: tm.flags });
        if (sm.internalDate !== tm.internalDate) dateMismatches.push({ ...base, sourceDate: sm.internalDate, targetDate: tm.internalDate });
      }
      for (const sm of restS.slice(pairs)) missing.push({ sourceFolder: sm.folder, targetFolder, uid: sm.uid, sha256, subject: sm.subject });
      for (const tm of restT.slice(pairs)) extra.push({ sourceFolder: undefined, targetFolder, uid: tm.uid, sha256, subject: tm.subject });
    }
  }

  const ok = missing.length + extra.length + flagMismatches.length + dateMismatches.length === 0;
  const count = (snap: MailboxSnapshot): number => [...snap.values()].reduce((n, l) => n + l.length, 0);
  const lines = [
    `mailbox comparison ${ok ? 'OK' : 'FAILED'}: ${missing.length} missing, ${extra.length} extra, ${flagMismatches.length} flag mismatches, ${dateMismatches.length} date mismatches ` +
      `(source ${count(source)} messages in ${source.size} folders, target ${count(target)} in ${target.size})`,
  ];
  const first = 5;
  const short = (h: string): string => h.slice(0, 12);
  const subj = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 67)}...` : s);
  if (folderCounts.length > 0) lines.push('folders whose counts differ:', ...folderCounts.slice(0, 20));
  if (missing.length > 0) {
    lines.push(`missing (first ${Math.min(first, missing.length)} of ${missing.length}):`);
    for (const m of missing.slice(0, first)) lines.push(`  ${m.sourceFolder ?? ''} uid ${m.uid} -> ${m.targetFolder}  ${short(m.sha256)}  ${subj(m.subject)}`);
  }
  if (extra.length > 0) {
    lines.push(`extra in target (first ${Math.min(first, extra.length)} of ${extra.length}):`);
    for (const m of extra.slice(0, first)) lines.push(`  ${m.targetFolder} uid ${m.uid}  ${short(m.sha256)}  ${subj(m.subject)}`);
  }
  if (flagMismatches.length > 0) {
    lines.push(`flag mismatches (first ${Math.min(first, flagMismatches.length)} of ${flagMismatches.length}):`);
    for (const m of flagMismatches.slice(0, first)) lines.push(`  ${m.sourceFolder} uid ${m.sourceUid} [${m.sourceFlags.join(' ')}] -> ${m.targetFolder} uid ${m.targetUid} [${m.targetFlags.join(' ')}]  ${subj(m.subject)}`);
  }
  if (dateMismatches.length > 0) {
    lines.push(`INTERNALDATE mismatches (first ${Math.min(first, dateMismatches.length)} of ${dateMismatches.length}):`);
    for (const m of dateMismatches.slice(0, first)) lines.push(`  ${m.sourceFolder} uid ${m.sourceUid} ${m.sourceDate} -> ${m.targetFolder} uid ${m.targetUid} ${m.targetDate}  ${subj(m.subject)}`);
  }
  return { ok, missing, extra, flagMismatches, dateMismatches, report: lines.join('\n') };
}

export interface AssertMailboxesOptions {
  folderMap?: (sourcePath: string) => string;
  /** E.g. when the target cannot store keywords. */
  ignoreFlags?: boolean;
  ignoreDates?: boolean;
}

/** Throws with the readable report unless the target holds exactly the source's messages. */
export function assertMailboxesEqual(source: MailboxSnapshot, target: MailboxSnapshot, options: AssertMailboxesOptions = {}): MailboxComparison {
  const result = compareMailboxes(source, target, options.folderMap);
  const failed =
    result.missing.length > 0 || result.extra.length > 0 ||
    (!options.ignoreFlags && result.flagMismatches.length > 0) ||
    (!options.ignoreDates && result.dateMismatches.length > 0);
  if (failed) throw new Error(result.report);
  return result;
}
