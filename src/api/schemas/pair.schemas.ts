/** Mailbox pairs and their passes in the API: login names and addresses, never passwords. */
import { z } from 'zod';
import type { PassRecord } from '../../core/ledger.ts';
import { PAIR_STATES, type ProjectPair } from '../../store/project-pair.repository.ts';
import { Id, iso, Timestamp } from './common.schemas.ts';

export const PairState = z.enum(PAIR_STATES as readonly [string, ...string[]]);

export const Pair = z.object({
  id: Id,
  projectId: Id.nullable(),
  batchId: Id.nullable(),
  batchName: z.string().nullable(),
  sourceEndpointId: Id,
  targetEndpointId: Id,
  sourceEmail: z.string().nullable(),
  targetEmail: z.string().nullable(),
  sourceUser: z.string(),
  targetUser: z.string(),
  state: z.string(),
  paused: z.boolean(),
  hasSourcePassword: z.boolean().describe('a per-pair source password is stored (never returned)'),
  hasTargetPassword: z.boolean(),
  importFlags: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  lastErrorText: z.string().nullable(),
  lastPassAt: Timestamp.nullable(),
  failedItems: z.number().int().describe('items the ledger holds as failed now (retried by the next delta)'),
  lastPassStatus: z.string().nullable().describe('status of the latest pass, e.g. completed_with_errors'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Pair' });

/** A stored pair in the API's shape (field by field: sealed secrets cannot slip out). */
export function pairView(pair: ProjectPair): z.infer<typeof Pair> {
  return {
    id: pair.id, projectId: pair.projectId, batchId: pair.batchId, batchName: pair.batchName,
    sourceEndpointId: pair.sourceEndpointId, targetEndpointId: pair.targetEndpointId,
    sourceEmail: pair.sourceEmail, targetEmail: pair.targetEmail, sourceUser: pair.sourceUser, targetUser: pair.targetUser,
    state: pair.state, paused: pair.paused, hasSourcePassword: pair.hasSourcePassword, hasTargetPassword: pair.hasTargetPassword,
    importFlags: pair.importFlags, lastErrorCode: pair.lastErrorCode, lastErrorText: pair.lastErrorText,
    lastPassAt: iso(pair.lastPassAt), failedItems: pair.failedItems, lastPassStatus: pair.lastPassStatus,
    createdAt: iso(pair.createdAt) ?? '', updatedAt: iso(pair.updatedAt) ?? '',
  };
}

/** `?sort=` of the pair list: a field, `-field` for descending. */
export const PairSort = z.enum(['id', 'source', 'target', 'state', 'batch', 'lastPassAt', '-id', '-source', '-target', '-state', '-batch', '-lastPassAt']);

export const Pass = z.object({
  id: Id,
  pairId: Id,
  kind: z.string(),
  status: z.string(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  counts: z.object({
    folders: z.number(), copied: z.number(), alreadyThere: z.number(), skipped: z.number(),
    excluded: z.number(), failed: z.number(), bytes: z.number(), flagsUpdated: z.number(),
  }),
  worker: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorText: z.string().nullable(),
}).meta({ id: 'Pass' });

/** A stored pass in the API's shape. */
export function passView(pass: PassRecord): z.infer<typeof Pass> {
  return {
    id: pass.id, pairId: pass.pairId, kind: pass.kind, status: pass.status, startedAt: iso(pass.startedAt) ?? '',
    finishedAt: iso(pass.finishedAt), counts: { ...pass.counts }, worker: pass.worker, errorCode: pass.errorCode, errorText: pass.errorText,
  };
}
