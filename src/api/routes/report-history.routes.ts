/**
 * GET /api/projects/:id/report/history: what the portal's report charts draw — items and bytes
 * migrated per time bucket, and completion per batch (pairs by state).
 */
import { z } from 'zod';
import { batchCompletion, migrationHistory } from '../../store/report-history.repository.ts';
import { requireProject } from '../../store/project.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, iso, IdParams, Timestamp } from '../schemas/common.schemas.ts';

const ReportHistory = z.object({
  bucketSeconds: z.number().int().describe('width of each bucket'),
  buckets: z.array(z.object({ at: Timestamp, items: z.number(), bytes: z.number() })).describe('items and bytes migrated, oldest bucket first'),
  batches: z.array(z.object({
    batchId: Id.nullable(), name: z.string().nullable(), isTest: z.boolean(), total: z.number().int(), byState: z.record(z.string(), z.number()),
  })).describe('pairs by state per batch; batchId null: pairs without a batch'),
}).meta({ id: 'ReportHistory' });

/** Registers the report history route. */
export function registerReportHistoryRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/projects/:id/report/history', {
    schema: {
      tags: ['reports'], summary: 'Items and bytes migrated over time, and completion per batch (for charts)',
      params: IdParams, response: { 200: ReportHistory },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const [history, batches] = await Promise.all([migrationHistory(deps.pool, request.params.id), batchCompletion(deps.pool, request.params.id)]);
    return {
      bucketSeconds: history.bucketSeconds,
      buckets: history.buckets.map((b) => ({ at: iso(b.at) ?? '', items: b.items, bytes: b.bytes })),
      batches: batches.map((b) => ({ ...b, byState: { ...b.byState } })),
    };
  });
}
