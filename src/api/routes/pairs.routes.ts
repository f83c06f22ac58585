/**
 * Mailbox pairs: the list of a project (filter, sort, paging), one pair, its pass history, and the
 * actions — full, delta and verify passes, pause, resume, stop, reset (the pair or one folder), retry
 * failed items. Actions go through projects/pair-actions.ts, which queues the work for the workers.
 */
import { z } from 'zod';
import type { PassKind } from '../../core/ledger.ts';
import { pausePair, requestPass, resetPair, resumePair, retryFailed, stopPair, type PassRequest } from '../../projects/pair-actions.ts';
import { listPasses } from '../../store/pass.repository.ts';
import { getProjectPair, listProjectPairs, type PairState as StoredPairState, type ProjectPair } from '../../store/project-pair.repository.ts';
import { requireProject } from '../../store/project.repository.ts';
import { AppError } from '../../core/app-error.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, IdParams, Paging } from '../schemas/common.schemas.ts';
import { Pair, PairSort, PairState, Pass, pairView, passView } from '../schemas/pair.schemas.ts';
import { ProjectParams } from '../schemas/project.schemas.ts';

type PairCtx = Parameters<typeof requestPass>[0];

/** What a pair action answers: the pair after it, the pass it queued (if any), what a reset removed. */
const PairActionResult = z.object({
  pair: Pair,
  pass: z.object({ kind: z.string(), jobId: z.string().nullable(), alreadyQueued: z.boolean() }).nullable()
    .describe('the pass queued; alreadyQueued when one was queued before (nothing doubled)'),
  reset: z.object({ items: z.number().int(), folders: z.number().int() }).nullable().describe('ledger rows and folder states removed'),
}).meta({ id: 'PairActionResult' });

function passOf(result: PassRequest | ProjectPair | null): { kind: string; jobId: string | null; alreadyQueued: boolean } | null {
  return result && 'alreadyQueued' in result ? { kind: result.kind, jobId: result.jobId, alreadyQueued: result.alreadyQueued } : null;
}

/** The pair or PAIR_NOT_FOUND. */
async function requirePair(deps: ApiDeps, id: string): Promise<ReturnType<typeof pairView>> {
  const pair = await getProjectPair(deps.pool, id);
  if (!pair) throw new AppError('PAIR_NOT_FOUND', `no mailbox pair ${id}`, { details: { pairId: id } });
  return pairView(pair);
}

/** The actions without options: path segment → what it does. */
const SIMPLE_ACTIONS: ReadonlyArray<{ path: string; summary: string; run: (ctx: PairCtx, pairId: string) => Promise<PassRequest | ProjectPair | null> }> = [
  { path: 'full', summary: 'Queue a full pass', run: (ctx, id) => requestPass(ctx, id, 'full' satisfies PassKind) },
  { path: 'delta', summary: 'Queue a delta pass (new and previously failed items)', run: (ctx, id) => requestPass(ctx, id, 'delta') },
  { path: 'verify', summary: 'Queue a verify pass (compare ledger, target and source; name every missing or extra item)', run: (ctx, id) => requestPass(ctx, id, 'verify') },
  { path: 'pause', summary: 'Pause the pair (a running pass stops at the next safe point; none starts)', run: (ctx, id) => pausePair(ctx, id) },
  { path: 'resume', summary: 'Resume a paused pair', run: (ctx, id) => resumePair(ctx, id) },
  { path: 'stop', summary: 'Stop the pair: cancel queued passes, interrupt a running one', run: (ctx, id) => stopPair(ctx, id) },
  { path: 'retry-failed', summary: 'Queue a pass that retries the failed items', run: (ctx, id) => retryFailed(ctx, id) },
];

/** Registers the pair routes. */
export function registerPairRoutes(app: ApiApp, deps: ApiDeps): void {
  const ctx: PairCtx = { db: deps.pool, queue: deps.queue };

  app.get('/api/projects/:id/pairs', {
    schema: {
      tags: ['pairs'], summary: 'List the pairs of a project (filter by batch, state, text; sort; page)',
      params: ProjectParams,
      querystring: Paging.extend({
        batchId: Id.optional(), state: PairState.optional(), search: z.string().max(320).optional(), sort: PairSort.optional(),
      }),
      response: { 200: z.object({ pairs: z.array(Pair), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }) },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const q = request.query;
    const { pairs, total } = await listProjectPairs(deps.pool, request.params.id, {
      limit: q.limit, offset: q.offset,
      ...(q.batchId === undefined ? {} : { batchId: q.batchId }),
      ...(q.state === undefined ? {} : { state: q.state as StoredPairState }),
      ...(q.search === undefined ? {} : { search: q.search }),
      ...(q.sort === undefined ? {} : { sort: q.sort }),
    });
    return { pairs: pairs.map(pairView), total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/pairs/:id', {
    schema: { tags: ['pairs'], summary: 'Show a pair', params: IdParams, response: { 200: Pair } },
  }, async (request) => requirePair(deps, request.params.id));

  app.get('/api/pairs/:id/passes', {
    schema: {
      tags: ['pairs'], summary: 'Pass history of a pair, newest first', params: IdParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      response: { 200: z.object({ passes: z.array(Pass) }) },
    },
  }, async (request) => {
    await requirePair(deps, request.params.id);
    return { passes: (await listPasses(deps.pool, request.params.id, request.query.limit)).map(passView) };
  });

  for (const action of SIMPLE_ACTIONS) {
    app.post(`/api/pairs/:id/${action.path}`, {
      schema: { tags: ['pair actions'], summary: action.summary, params: IdParams, response: { 200: PairActionResult } },
    }, async (request) => {
      await requirePair(deps, request.params.id);
      const result = await action.run(ctx, request.params.id);
      return { pair: await requirePair(deps, request.params.id), pass: passOf(result), reset: null };
    });
  }

  app.post('/api/pairs/:id/reset', {
    schema: {
      tags: ['pair actions'], summary: 'Reset the ledger of the pair, or of one source folder (?folder=); the next pass finds what is on the target',
      params: IdParams, querystring: z.object({ folder: z.string().min(1).max(1000).optional() }), response: { 200: PairActionResult },
    },
  }, async (request) => {
    await requirePair(deps, request.params.id);
    const reset = await resetPair(ctx, request.params.id, request.query.folder);
    return { pair: await requirePair(deps, request.params.id), pass: null, reset: { items: reset.items, folders: reset.folders } };
  });
}
