/**
 * The cutover flow of a project (docs/status-flow.md, docs/api.md "Cutover"): its status and schedule,
 * the people's commands (place, hold, resume from hold, cancel, move T, retry a step), the steps with
 * their logs, and the go/no-go decision after the test batch. Reads need viewer, commands operator.
 */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { cancelProject, holdProject, moveCutover, placeProject, resumeProject, retryStep } from '../../orchestrator/commands.ts';
import { stepState } from '../../orchestrator/decide-steps.ts';
import { loadSnapshot } from '../../orchestrator/load-snapshot.ts';
import { isStepName, STEP_NAMES } from '../../orchestrator/status-table.ts';
import { getGoDecision, recordGoDecision } from '../../orchestrator/runtime/go-decision.ts';
import { getProjectFlow } from '../../store/project-flow.repository.ts';
import { requireProject, updateProject } from '../../store/project.repository.ts';
import { listStepLog, listSteps } from '../../store/step.repository.ts';
import { principalOf } from '../auth/authenticate.ts';
import type { ApiDeps } from '../api-deps.ts';
import { newVerificationToken, orchestratorOf, runProjectCommand } from '../cutover-runtime.ts';
import type { ApiApp } from '../fastify-types.ts';
import { iso, Timestamp } from '../schemas/common.schemas.ts';
import { ProjectParams } from '../schemas/project.schemas.ts';

const Flow = z.object({
  id: z.string(),
  status: z.string(),
  heldFrom: z.string().nullable(),
  statusReason: z.string().nullable(),
  statusChangedAt: Timestamp,
  placedAt: Timestamp.nullable(),
  cutoverAt: Timestamp.nullable(),
  timeZone: z.string(),
  paused: z.boolean(),
  verificationToken: z.string().nullable(),
  now: Timestamp.describe('the clock the orchestrator uses (fake in fake-clock mode)'),
}).meta({ id: 'CutoverFlow' });

const Step = z.object({
  name: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  nextRunAt: Timestamp.nullable(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  plannedFor: Timestamp.nullable(),
  lastErrorCode: z.string().nullable(),
  lastErrorText: z.string().nullable(),
  result: z.record(z.string(), z.unknown()),
  log: z.array(z.object({ attempt: z.number().int(), at: Timestamp, level: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) })).optional(),
}).meta({ id: 'CutoverStep' });

const GoDecision = z.object({ decision: z.enum(['go', 'no_go']), decidedBy: z.string(), decidedAt: Timestamp, note: z.string() }).meta({ id: 'GoDecision' });
const Reason = z.object({ reason: z.string().min(1).max(1000) });
const StepParams = z.object({ id: ProjectParams.shape.id, step: z.string() });

function requireStep(step: string): (typeof STEP_NAMES)[number] {
  if (!isStepName(step)) throw new AppError('USAGE_INVALID', `unknown step ${step}; steps: ${STEP_NAMES.join(', ')}`, { details: { step } });
  return step;
}

/** Registers the cutover flow routes. */
export function registerCutoverRoutes(app: ApiApp, deps: ApiDeps): void {
  const flowView = async (id: string): Promise<z.infer<typeof Flow>> => {
    await requireProject(deps.pool, id);
    const p = await getProjectFlow(deps.pool, id);
    if (!p) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
    return {
      id: p.id, status: p.status, heldFrom: p.heldFrom, statusReason: p.statusReason, statusChangedAt: p.statusChangedAt.toISOString(),
      placedAt: iso(p.placedAt), cutoverAt: iso(p.cutoverAt), timeZone: p.timeZone, paused: p.paused, verificationToken: p.verificationToken,
      now: orchestratorOf(deps).clock.now().toISOString(),
    };
  };
  const tags = ['cutover'];

  app.get('/api/projects/:id/flow', {
    schema: { tags, summary: 'The project\'s cutover status, T and the orchestrator\'s clock', params: ProjectParams, response: { 200: Flow } },
  }, async (request) => flowView(request.params.id));

  app.post('/api/projects/:id/place', {
    schema: {
      tags, summary: 'Place a draft project: it leaves draft for provisioning (T and time zone may be set at once)', params: ProjectParams,
      body: z.object({ cutoverAt: z.iso.datetime({ offset: true }).optional(), timeZone: z.string().min(1).optional() }).nullish(), response: { 200: Flow },
    },
  }, async (request) => {
    const { id } = request.params;
    const body = request.body ?? {};
    if (body.cutoverAt !== undefined || body.timeZone !== undefined) {
      const p = await requireProject(deps.pool, id);
      if (p.status !== 'draft') throw new AppError('PROJECT_INVALID_TRANSITION', `cannot place project ${id} in status ${p.status}: only a draft can be placed`, { details: { projectId: id, status: p.status, command: 'place' } });
      await updateProject(deps.pool, id, { ...(body.cutoverAt ? { cutoverAt: new Date(body.cutoverAt) } : {}), ...(body.timeZone ? { timeZone: body.timeZone } : {}) });
    }
    await runProjectCommand(deps, id, (s, now) => placeProject(s, now, newVerificationToken()));
    return flowView(id);
  });

  app.post('/api/projects/:id/hold', {
    schema: { tags, summary: 'Put the project on hold (nothing advances until resumed)', params: ProjectParams, body: Reason, response: { 200: Flow } },
  }, async (request) => {
    await runProjectCommand(deps, request.params.id, (s) => holdProject(s, request.body.reason));
    return flowView(request.params.id);
  });

  app.post('/api/projects/:id/hold/resume', {
    schema: { tags, summary: 'Leave the hold: back to the status it interrupted', params: ProjectParams, response: { 200: Flow } },
  }, async (request) => {
    await runProjectCommand(deps, request.params.id, (s) => resumeProject(s));
    return flowView(request.params.id);
  });

  app.post('/api/projects/:id/cancel', {
    schema: { tags, summary: 'Cancel the project (with a reason)', params: ProjectParams, body: Reason, response: { 200: Flow } },
  }, async (request) => {
    await runProjectCommand(deps, request.params.id, (s) => cancelProject(s, request.body.reason));
    return flowView(request.params.id);
  });

  app.post('/api/projects/:id/cutover-time', {
    schema: {
      tags, summary: 'Move T (until switching_mx; re-plans the schedule)', params: ProjectParams,
      body: z.object({ cutoverAt: z.iso.datetime({ offset: true }) }), response: { 200: Flow },
    },
  }, async (request) => {
    await runProjectCommand(deps, request.params.id, (s, now) => moveCutover(s, now, new Date(request.body.cutoverAt)));
    return flowView(request.params.id);
  });

  app.get('/api/projects/:id/steps', {
    schema: {
      tags, summary: 'The project\'s steps (every step of the flow, planned ones included), optionally with their logs', params: ProjectParams,
      querystring: z.object({ logs: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ steps: z.array(Step) }) },
    },
  }, async (request) => {
    const { id } = request.params;
    await requireProject(deps.pool, id);
    const [stored, snapshot] = await Promise.all([listSteps(deps.pool, id), loadSnapshot(deps.pool, id)]);
    const steps = await Promise.all(STEP_NAMES.map(async (name) => {
      const row = stored.find((s) => s.name === name);
      const state = snapshot ? stepState(snapshot, name) : null;
      const log = request.query.logs === 'true' ? (await listStepLog(deps.pool, id, name)).map((l) => ({ attempt: l.attempt, at: l.at.toISOString(), level: l.level, message: l.message, details: { ...l.details } })) : undefined;
      return {
        name, status: row?.status ?? state?.status ?? 'pending', attempts: row?.attempts ?? 0, nextRunAt: iso(row?.nextRunAt), startedAt: iso(row?.startedAt),
        finishedAt: iso(row?.finishedAt), plannedFor: iso(row?.plannedFor), lastErrorCode: row?.lastErrorCode ?? null, lastErrorText: row?.lastErrorText ?? null,
        result: { ...(row?.result ?? {}) }, ...(log ? { log } : {}),
      };
    }));
    return { steps };
  });

  app.get('/api/projects/:id/steps/:step/log', {
    schema: { tags, summary: 'The log of one step', params: StepParams, response: { 200: z.object({ lines: z.array(z.object({ attempt: z.number().int(), at: Timestamp, level: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) })) }) } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const lines = await listStepLog(deps.pool, request.params.id, requireStep(request.params.step));
    return { lines: lines.map((l) => ({ attempt: l.attempt, at: l.at.toISOString(), level: l.level, message: l.message, details: { ...l.details } })) };
  });

  app.post('/api/projects/:id/steps/:step/retry', {
    schema: { tags, summary: 'Run a failed step again', params: StepParams, response: { 200: Flow } },
  }, async (request) => {
    const step = requireStep(request.params.step);
    await runProjectCommand(deps, request.params.id, (s) => retryStep(s, step));
    return flowView(request.params.id);
  });

  app.get('/api/projects/:id/go-decision', {
    schema: { tags, summary: 'The latest go/no-go decision after the test batch', params: ProjectParams, response: { 200: z.object({ decision: GoDecision.nullable() }) } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const d = await getGoDecision(deps.pool, request.params.id);
    return { decision: d ? { ...d, decidedAt: d.decidedAt.toISOString() } : null };
  });

  app.post('/api/projects/:id/go-decision', {
    schema: {
      tags, summary: 'Record go or no-go (go needs the test batch complete); go lets the other batches start', params: ProjectParams,
      body: z.object({ decision: z.enum(['go', 'no_go']), note: z.string().max(2000).optional() }), response: { 200: z.object({ decision: GoDecision }) },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const rt = orchestratorOf(deps);
    const d = await recordGoDecision(deps.pool, request.params.id, { decision: request.body.decision, by: principalOf(request).email, at: rt.clock.now(), note: request.body.note ?? '' });
    await rt.reconcile(request.params.id);
    return { decision: { ...d, decidedAt: d.decidedAt.toISOString() } };
  });
}
