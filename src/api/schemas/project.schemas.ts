/** Projects and batches in the API. */
import { z } from 'zod';
import type { Batch as StoredBatch } from '../../store/batch.repository.ts';
import type { Project as StoredProject } from '../../store/project.repository.ts';
import { Id, iso, Timestamp } from './common.schemas.ts';

const ProjectFields = {
  name: z.string().min(1).max(200),
  sourceEndpointId: Id.nullable(),
  targetEndpointId: Id.nullable(),
  sourceCaldavEndpointId: Id.nullable().describe('CalDAV endpoint (protocol caldav) the calendars come from'),
  targetCaldavEndpointId: Id.nullable(),
  sourceCarddavEndpointId: Id.nullable().describe('CardDAV endpoint (protocol carddav) the address books come from'),
  targetCarddavEndpointId: Id.nullable(),
  domains: z.array(z.string().min(1).max(253)).max(1000),
  cutoverAt: z.iso.datetime({ offset: true }).nullable().describe('planned cutover time, ISO 8601'),
  timeZone: z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Berlin'),
  settings: z.record(z.string(), z.unknown()),
};

/** Body of POST /api/projects: a name; the rest has defaults. */
export const ProjectCreate = z.object({
  name: ProjectFields.name,
  sourceEndpointId: ProjectFields.sourceEndpointId.optional(),
  targetEndpointId: ProjectFields.targetEndpointId.optional(),
  sourceCaldavEndpointId: ProjectFields.sourceCaldavEndpointId.optional(),
  targetCaldavEndpointId: ProjectFields.targetCaldavEndpointId.optional(),
  sourceCarddavEndpointId: ProjectFields.sourceCarddavEndpointId.optional(),
  targetCarddavEndpointId: ProjectFields.targetCarddavEndpointId.optional(),
  domains: ProjectFields.domains.optional(),
  cutoverAt: ProjectFields.cutoverAt.optional(),
  timeZone: ProjectFields.timeZone.optional(),
  settings: ProjectFields.settings.optional(),
});

/** Body of PATCH /api/projects/:id. */
export const ProjectPatch = ProjectCreate.partial();

export const Project = z.object({
  id: Id,
  name: z.string(),
  status: z.string(),
  sourceEndpointId: Id.nullable(),
  targetEndpointId: Id.nullable(),
  sourceCaldavEndpointId: Id.nullable(),
  targetCaldavEndpointId: Id.nullable(),
  sourceCarddavEndpointId: Id.nullable(),
  targetCarddavEndpointId: Id.nullable(),
  domains: z.array(z.string()),
  cutoverAt: Timestamp.nullable(),
  timeZone: z.string(),
  settings: z.record(z.string(), z.unknown()),
  paused: z.boolean(),
  pairCount: z.number().int().optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Project' });

/** A stored project in the API's shape. */
export function projectView(project: StoredProject & { pairCount?: number }): z.infer<typeof Project> {
  return {
    id: project.id, name: project.name, status: project.status, sourceEndpointId: project.sourceEndpointId,
    targetEndpointId: project.targetEndpointId, sourceCaldavEndpointId: project.sourceCaldavEndpointId,
    targetCaldavEndpointId: project.targetCaldavEndpointId, sourceCarddavEndpointId: project.sourceCarddavEndpointId,
    targetCarddavEndpointId: project.targetCarddavEndpointId, domains: [...project.domains], cutoverAt: iso(project.cutoverAt),
    timeZone: project.timeZone, settings: { ...project.settings }, paused: project.paused,
    ...(project.pairCount === undefined ? {} : { pairCount: project.pairCount }),
    createdAt: iso(project.createdAt) ?? '', updatedAt: iso(project.updatedAt) ?? '',
  };
}

/** `/api/projects/:id` with a project id. */
export const ProjectParams = z.object({ id: Id });

export const Batch = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  isTest: z.boolean(),
  pairCount: z.number().int(),
  createdAt: Timestamp,
}).meta({ id: 'Batch' });

/** A stored batch in the API's shape. */
export function batchView(batch: StoredBatch): z.infer<typeof Batch> {
  return { id: batch.id, projectId: batch.projectId, name: batch.name, isTest: batch.isTest, pairCount: batch.pairCount, createdAt: iso(batch.createdAt) ?? '' };
}
