/** Batches of a project: list, create (or find) by name, mark the test batch. */
import { z } from 'zod';
import { listBatches, upsertBatch } from '../../store/batch.repository.ts';
import { requireProject } from '../../store/project.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Batch, batchView, ProjectParams } from '../schemas/project.schemas.ts';

/** Registers the batch routes. */
export function registerBatchRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/projects/:id/batches', {
    schema: { tags: ['batches'], summary: 'List the batches of a project', params: ProjectParams, response: { 200: z.object({ batches: z.array(Batch) }) } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    return { batches: (await listBatches(deps.pool, request.params.id)).map(batchView) };
  });

  app.post('/api/projects/:id/batches', {
    schema: {
      tags: ['batches'], summary: 'Create a batch (or find it by name); isTest marks the one test batch',
      params: ProjectParams, body: z.object({ name: z.string().min(1).max(200), isTest: z.boolean().default(false) }),
      response: { 200: Batch },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    return batchView(await upsertBatch(deps.pool, request.params.id, request.body.name, request.body.isTest));
  });
}
