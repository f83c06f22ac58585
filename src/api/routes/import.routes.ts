/**
 * CSV import of mailbox pairs: POST /api/projects/:id/import with the file as `text/csv` (options in
 * the query) or as JSON `{ csv, … }`. `?dryRun=true` previews: every bad row with its line number and
 * reason, and what would be created / updated / left unchanged. Nothing is imported while a row is bad
 * unless `importValidRows` is set. The body (it holds passwords) is never logged or echoed.
 */
import { z } from 'zod';
import { importCsv } from '../../projects/import-pairs.ts';
import { PAIR_CSV_FORMATS } from '../../projects/csv/pair-csv-format.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, QueryFlag } from '../schemas/common.schemas.ts';
import { ProjectParams } from '../schemas/project.schemas.ts';

/** CSV files of tens of thousands of rows fit; JSON bodies elsewhere stay at 1 MiB. */
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

const Format = z.enum(PAIR_CSV_FORMATS as readonly ['migrationwiz', 'm365', 'admin']);

const JsonImport = z.object({
  csv: z.string().min(1).describe('the CSV text (MigrationWiz bulk add, Microsoft 365 IMAP, or source,target)'),
  batchName: z.string().min(1).max(200).optional(),
  isTestBatch: z.boolean().optional(),
  format: Format.optional(),
  importValidRows: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

export const ImportResult = z.object({
  format: z.string().nullable(),
  rows: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), reason: z.string(), field: z.string().optional(), message: z.string().describe('line N: reason') })),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  imported: z.boolean().describe('false for a dry run, and when bad rows stopped the import'),
  batchId: Id.nullable(),
}).meta({ id: 'ImportResult' });

/** Registers the import route. */
export function registerImportRoutes(app: ApiApp, deps: ApiDeps): void {
  app.post('/api/projects/:id/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags: ['import'],
      summary: 'Import mailbox pairs from CSV (text/csv body with query options, or JSON {csv, …}); ?dryRun=true previews',
      consumes: ['text/csv', 'application/json'],
      params: ProjectParams,
      querystring: z.object({
        dryRun: QueryFlag, importValidRows: QueryFlag, testBatch: QueryFlag,
        batch: z.string().min(1).max(200).optional().describe('batch name (created when missing)'),
        format: Format.optional().describe('force the format instead of detecting it from the header'),
      }),
      body: z.union([z.string().min(1), JsonImport]),
      response: { 200: ImportResult },
    },
  }, async (request) => {
    const q = request.query;
    const body = typeof request.body === 'string' ? { csv: request.body } : request.body;
    const batchName = body.batchName ?? q.batch;
    const format = body.format ?? q.format;
    const result = await importCsv(deps.pool, deps.secretKey, request.params.id, body.csv, {
      ...(batchName === undefined ? {} : { batchName }),
      ...(format === undefined ? {} : { format }),
      isTestBatch: body.isTestBatch ?? q.testBatch,
      importValidRows: body.importValidRows ?? q.importValidRows,
      dryRun: body.dryRun ?? q.dryRun,
    });
    request.log.info({ projectId: request.params.id, rows: result.rows, errors: result.errors.length, imported: result.imported, dryRun: body.dryRun ?? q.dryRun }, 'CSV import');
    return {
      format: result.format, rows: result.rows,
      errors: result.errors.map((e) => ({ line: e.line, reason: e.reason, message: e.message, ...(e.field === undefined ? {} : { field: e.field }) })),
      created: result.created, updated: result.updated, unchanged: result.unchanged, imported: result.imported, batchId: result.batchId,
    };
  });
}
