/** Projects: list, create, show, change, and run them (start, pause, resume). */
import { z } from 'zod';
import { checkProjectDavEndpoints, ensureDavPairs, touchesDavEndpoints } from '../../projects/dav-pairs.ts';
import { passSettingsFrom } from '../../projects/migration-settings.ts';
import { pauseProject, resumeProject, startProject } from '../../projects/pair-actions.ts';
import { createProject, listProjects, requireProject, updateProject, type ProjectPatch as StoredPatch } from '../../store/project.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import { assertProjectEditable } from '../cutover-runtime.ts';
import { assertBatchMayStart } from '../../orchestrator/runtime/go-decision.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id } from '../schemas/common.schemas.ts';
import { Project, ProjectCreate, ProjectParams, ProjectPatch, projectView } from '../schemas/project.schemas.ts';

type ProjectBody = z.infer<typeof ProjectPatch>;

/** The API body as the repository's input: times parsed, absent fields left out. */
function toStored(body: ProjectBody): StoredPatch {
  return {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.sourceEndpointId === undefined ? {} : { sourceEndpointId: body.sourceEndpointId }),
    ...(body.targetEndpointId === undefined ? {} : { targetEndpointId: body.targetEndpointId }),
    ...(body.sourceCaldavEndpointId === undefined ? {} : { sourceCaldavEndpointId: body.sourceCaldavEndpointId }),
    ...(body.targetCaldavEndpointId === undefined ? {} : { targetCaldavEndpointId: body.targetCaldavEndpointId }),
    ...(body.sourceCarddavEndpointId === undefined ? {} : { sourceCarddavEndpointId: body.sourceCarddavEndpointId }),
    ...(body.targetCarddavEndpointId === undefined ? {} : { targetCarddavEndpointId: body.targetCarddavEndpointId }),
    ...(body.domains === undefined ? {} : { domains: body.domains }),
    ...(body.cutoverAt === undefined ? {} : { cutoverAt: body.cutoverAt === null ? null : new Date(body.cutoverAt) }),
    ...(body.timeZone === undefined ? {} : { timeZone: body.timeZone }),
    ...(body.settings === undefined ? {} : { settings: body.settings }),
  };
}

/**
 * Settings are refused when saved, not only when a pass reads them: a typo in `settings.migration`
 * answers 400 PROJECT_INVALID listing every problem instead of failing every pair later.
 */
function checkSettings(stored: StoredPatch): void {
  if (stored.settings !== undefined) passSettingsFrom(stored.settings);
}

/** What start, pause and resume answer: the project and how many pairs the action touched. */
const ProjectActionResult = z.object({
  project: Project,
  pairs: z.number().int().describe('pairs the action applied to'),
  queued: z.number().int().describe('passes newly queued'),
  skipped: z.number().int().describe('pairs skipped (paused or stopped by hand, or a pass already queued)'),
}).meta({ id: 'ProjectActionResult' });

/** Registers the project routes. */
export function registerProjectRoutes(app: ApiApp, deps: ApiDeps): void {
  const ctx = { db: deps.pool, queue: deps.queue };

  app.get('/api/projects', {
    schema: { tags: ['projects'], summary: 'List projects with their pair counts', response: { 200: z.object({ projects: z.array(Project) }) } },
  }, async () => ({ projects: (await listProjects(deps.pool)).map(projectView) }));

  app.post('/api/projects', {
    schema: { tags: ['projects'], summary: 'Create a project (status draft)', body: ProjectCreate, response: { 201: Project } },
  }, async (request, reply) => {
    const stored = toStored(request.body);
    checkSettings(stored);
    await checkProjectDavEndpoints(deps.pool, stored);
    const project = await createProject(deps.pool, { name: request.body.name, ...stored });
    return reply.status(201).send(projectView(project));
  });

  app.get('/api/projects/:id', {
    schema: { tags: ['projects'], summary: 'Show a project', params: ProjectParams, response: { 200: Project } },
  }, async (request) => projectView(await requireProject(deps.pool, request.params.id)));

  app.patch('/api/projects/:id', {
    schema: { tags: ['projects'], summary: 'Change a project', params: ProjectParams, body: ProjectPatch, response: { 200: Project } },
  }, async (request) => {
    // The settings freeze from T−4h (docs/status-flow.md), judged on the orchestrator's clock.
    await assertProjectEditable(deps, request.params.id, request.body.settings ?? undefined);
    const stored = toStored(request.body);
    checkSettings(stored);
    await checkProjectDavEndpoints(deps.pool, stored);
    const project = await updateProject(deps.pool, request.params.id, stored);
    // DAV endpoints added to a project with pairs: its mailbox pairs get their calendar/contact pairs now.
    if (touchesDavEndpoints(stored)) await ensureDavPairs(deps.pool, project.id);
    return projectView(project);
  });

  app.post('/api/projects/:id/start', {
    schema: {
      tags: ['projects'], summary: 'Start the project: queue a full pass for every idle pair (optionally of one batch)',
      params: ProjectParams, body: z.object({ batchId: Id.optional() }).nullish(), response: { 200: ProjectActionResult },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const batchId = request.body?.batchId;
    await assertBatchMayStart(deps.pool, request.params.id, batchId);
    const result = await startProject(ctx, request.params.id, batchId === undefined ? {} : { batchId });
    return { project: projectView(await requireProject(deps.pool, request.params.id)), pairs: result.pairs, queued: result.queued, skipped: result.skipped };
  });

  app.post('/api/projects/:id/pause', {
    schema: { tags: ['projects'], summary: 'Pause the project: no new pass starts', params: ProjectParams, response: { 200: ProjectActionResult } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const result = await pauseProject(ctx, request.params.id);
    return { project: projectView(await requireProject(deps.pool, request.params.id)), pairs: result.pairs, queued: result.queued, skipped: result.skipped };
  });

  app.post('/api/projects/:id/resume', {
    schema: { tags: ['projects'], summary: 'Resume a paused project', params: ProjectParams, response: { 200: ProjectActionResult } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const result = await resumeProject(ctx, request.params.id);
    return { project: projectView(await requireProject(deps.pool, request.params.id)), pairs: result.pairs, queued: result.queued, skipped: result.skipped };
  });
}
