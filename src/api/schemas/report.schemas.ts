/** Reports, failed items and verify findings in the API (dates as ISO strings). */
import { z } from 'zod';
import type { FailedItemRow, PairReportRow as StoredPairRow, ProjectReport as StoredProjectReport } from '../../projects/reports.ts';
import type { VerifyFindingRecord } from '../../store/verify-finding.repository.ts';
import { Id, iso, Timestamp } from './common.schemas.ts';

const n = z.number();

export const PairReport = z.object({
  pairId: Id, projectId: Id.nullable(), batchId: Id.nullable(), batchName: z.string().nullable(),
  sourceEmail: z.string().nullable(), targetEmail: z.string().nullable(), sourceUser: z.string(), targetUser: z.string(),
  state: z.string(), paused: z.boolean(), passes: n, lastPassKind: z.string().nullable(), lastPassStatus: z.string().nullable(),
  lastPassStartedAt: Timestamp.nullable(), lastPassFinishedAt: Timestamp.nullable(),
  migrated: n, excluded: n, failed: n, inDoubt: n, bytes: n, recentBytes: n, recentItems: n,
  bytesPerSecond: n.nullable(), itemsPerSecond: n.nullable(), runningBytesPlanned: n.nullable(), runningBytesDone: n.nullable(),
  lastErrorCode: z.string().nullable(), lastErrorText: z.string().nullable(),
}).meta({ id: 'PairReport' });

/** A pair's report row in the API's shape. */
export function pairReportView(row: StoredPairRow): z.infer<typeof PairReport> {
  return { ...row, lastPassStartedAt: iso(row.lastPassStartedAt), lastPassFinishedAt: iso(row.lastPassFinishedAt) };
}

export const ProjectReport = z.object({
  projectId: Id,
  projectName: z.string(),
  generatedAt: Timestamp,
  pairs: z.object({ total: n, paused: n, byState: z.record(z.string(), n) }),
  items: z.object({ migrated: n, excluded: n, failed: n, inDoubt: n }),
  bytes: n,
  passes: n,
  throughput: z.object({ windowSeconds: n, bytesPerSecond: n, itemsPerSecond: n }),
  progressPercent: n.describe('0 to 100'),
  estimatedSecondsLeft: n.nullable(),
  estimatedCompletionAt: Timestamp.nullable(),
  pairRows: z.array(PairReport),
}).meta({ id: 'ProjectReport' });

/** A project report in the API's shape. */
export function projectReportView(report: StoredProjectReport): z.infer<typeof ProjectReport> {
  return {
    projectId: report.projectId, projectName: report.projectName, generatedAt: iso(report.generatedAt) ?? '',
    pairs: { total: report.pairs.total, paused: report.pairs.paused, byState: { ...report.pairs.byState } },
    items: { ...report.items }, bytes: report.bytes, passes: report.passes, throughput: { ...report.throughput },
    progressPercent: report.progressPercent, estimatedSecondsLeft: report.estimatedSecondsLeft,
    estimatedCompletionAt: iso(report.estimatedCompletionAt), pairRows: report.pairRows.map(pairReportView),
  };
}

export const FailedItem = z.object({
  pairId: Id, sourceEmail: z.string().nullable(), targetEmail: z.string().nullable(), folder: z.string(), uidValidity: n, uid: n,
  subject: z.string().nullable(), date: Timestamp, size: n, reasonCode: z.string().nullable(), reasonText: z.string().nullable(),
  attempts: n, lastTriedAt: Timestamp,
}).meta({ id: 'FailedItem' });

/** A failed item in the API's shape. */
export function failedItemView(item: FailedItemRow): z.infer<typeof FailedItem> {
  return { ...item, date: iso(item.date) ?? '', lastTriedAt: iso(item.lastTriedAt) ?? '' };
}

export const FailedItemPage = z.object({ items: z.array(FailedItem), total: n, limit: n, offset: n });

export const VerifyFinding = z.object({
  id: Id, passId: Id, pairId: Id, kind: z.enum(['missing_on_target', 'not_migrated', 'extra_on_target']),
  sourceFolder: z.string().nullable(), uidValidity: z.string().nullable().describe('decimal (64-bit)'), uid: n.nullable(),
  targetFolder: z.string().nullable(), targetUid: n.nullable(), subject: z.string().nullable(), detail: z.string().nullable(),
  createdAt: Timestamp,
}).meta({ id: 'VerifyFinding' });

/** A verify finding in the API's shape. */
export function findingView(f: VerifyFindingRecord): z.infer<typeof VerifyFinding> {
  return { ...f, uidValidity: f.uidValidity === null ? null : f.uidValidity.toString(), createdAt: iso(f.createdAt) ?? '' };
}
