/**
 * Reports: per project (totals, progress, time left, a row per pair) and per pair, failed items
 * (folder, subject, date, size, reason) and verify findings. JSON by default; `?format=csv` gives CSV.
 */
import { z } from 'zod';
import { failedItems, pairReport, projectReport, toCsv } from '../../projects/reports.ts';
import { listFindings } from '../../store/verify-finding.repository.ts';
import { getProjectPair } from '../../store/project-pair.repository.ts';
import { requireProject } from '../../store/project.repository.ts';
import { AppError } from '../../core/app-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, IdParams, Paging } from '../schemas/common.schemas.ts';
import { FailedItemPage, failedItemView, findingView, PairReport, pairReportView, ProjectReport, projectReportView, VerifyFinding } from '../schemas/report.schemas.ts';

const Format = z.object({ format: z.enum(['json', 'csv']).default('json') });

const CSV = 'text/csv; charset=utf-8';

async function requirePair(deps: ApiDeps, id: string): Promise<void> {
  if (!(await getProjectPair(deps.pool, id))) throw new AppError('PAIR_NOT_FOUND', `no mailbox pair ${id}`, { details: { pairId: id } });
}

/** Registers the report routes. */
export function registerReportRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/projects/:id/report', {
    schema: {
      tags: ['reports'], summary: 'Project report: totals, progress, estimated time left, a row per pair (?format=csv: the pair rows as CSV)',
      params: IdParams, querystring: Format.extend({ pairs: z.enum(['true', 'false']).default('true') }),
      response: { 200: ProjectReport.or(z.string()) },
    },
  }, async (request, reply) => {
    const report = await projectReport(deps.pool, request.params.id, deps.clock.now(), { includePairs: request.query.format === 'csv' || request.query.pairs === 'true' });
    if (request.query.format === 'csv') {
      return reply.type(CSV).header('content-disposition', `attachment; filename="project-${report.projectId}-report.csv"`).send(toCsv(report.pairRows));
    }
    return projectReportView(report);
  });

  app.get('/api/projects/:id/failed-items', {
    schema: {
      tags: ['reports'], summary: 'Failed items of a project (?format=csv for CSV)', params: IdParams, querystring: Paging.extend(Format.shape),
      response: { 200: FailedItemPage.or(z.string()) },
    },
  }, async (request, reply) => {
    await requireProject(deps.pool, request.params.id);
    const { limit, offset, format } = request.query;
    const page = await failedItems(deps.pool, { projectId: request.params.id, limit, offset });
    if (format === 'csv') return reply.type(CSV).send(toCsv(page.items));
    return { items: page.items.map(failedItemView), total: page.total, limit, offset };
  });

  app.get('/api/pairs/:id/report', {
    schema: { tags: ['reports'], summary: 'Report of one pair (?format=csv for one CSV row)', params: IdParams, querystring: Format, response: { 200: PairReport.or(z.string()) } },
  }, async (request, reply) => {
    const row = await pairReport(deps.pool, request.params.id, deps.clock.now());
    if (request.query.format === 'csv') return reply.type(CSV).send(toCsv([row]));
    return pairReportView(row);
  });

  app.get('/api/pairs/:id/failed-items', {
    schema: {
      tags: ['reports'], summary: 'Failed items of a pair: folder, subject, date, size, reason (?format=csv)', params: IdParams,
      querystring: Paging.extend(Format.shape), response: { 200: FailedItemPage.or(z.string()) },
    },
  }, async (request, reply) => {
    await requirePair(deps, request.params.id);
    const { limit, offset, format } = request.query;
    const page = await failedItems(deps.pool, { pairId: request.params.id, limit, offset });
    if (format === 'csv') return reply.type(CSV).send(toCsv(page.items));
    return { items: page.items.map(failedItemView), total: page.total, limit, offset };
  });

  app.get('/api/pairs/:id/findings', {
    schema: {
      tags: ['reports'], summary: 'Verify findings of a pair: every missing or extra item (latest verify pass, or ?passId=)',
      params: IdParams, querystring: z.object({ passId: Id.optional() }), response: { 200: z.object({ findings: z.array(VerifyFinding) }) },
    },
  }, async (request) => {
    await requirePair(deps, request.params.id);
    return { findings: (await listFindings(deps.pool, request.params.id, request.query.passId)).map(findingView) };
  });
}
