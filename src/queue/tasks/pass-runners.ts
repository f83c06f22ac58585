/**
 * What `sync-pair` runs for one pair, by protocol: an IMAP pair runs `runPass` (verify included),
 * a CalDAV/CardDAV pair runs `runDavPass`, or `runDavVerifyPass` for kind `verify`. Each is prepared
 * (endpoints and secrets loaded, slot requests known) before slots are reserved, and then run with the
 * reservation; the task does the rest (pause/stop, state, hand-back) the same way for both.
 */
import type { AppError } from '../../core/app-error.ts';
import type { PassCounts, PassKind, PassStatus } from '../../core/ledger.ts';
import type { DavEndpoint } from '../../connectors/dav/types.ts';
import { openDavSession } from '../../connectors/dav/dav-session.ts';
import type { DavPairRef, DavPassOptions } from '../../engine/dav/dav-pass-types.ts';
import { runDavPass } from '../../engine/dav/run-dav-pass.ts';
import { runDavVerifyPass } from '../../engine/dav/verify-dav-pass.ts';
import { runPass } from '../../engine/run-pass.ts';
import { DEFAULT_BATCH, type PassOptions } from '../../engine/pass-types.ts';
import type { VerifyCounts } from '../../engine/verify-pass.ts';
import { loadDavPairRef, pairProtocol } from '../../projects/dav-pair-endpoints.ts';
import { passSettingsFrom, type PassSettings } from '../../projects/migration-settings.ts';
import { loadPairRef } from '../../projects/pair-endpoints.ts';
import type { SlotRequest, SlotReservation } from '../../store/endpoint-slots.ts';
import { getProject } from '../../store/project.repository.ts';
import type { ProjectPair } from '../../store/project-pair.repository.ts';
import { cappedSessionOpener, type EndpointSide } from '../capped-session-opener.ts';
import type { PassProgressTracker } from '../pass-progress.ts';
import type { TaskRuntime } from '../task-definition.ts';

/** The part of a pass outcome the task records, whatever the protocol. */
export interface RunnerOutcome {
  readonly passId: string | null;
  readonly status: PassStatus;
  readonly error: AppError | null;
  readonly copied: number;
  readonly failed: number;
  readonly durationMs: number;
  /** Verify passes: what was found (the pair's last error says it). */
  readonly verify: Pick<VerifyCounts, 'missingOnTarget' | 'notMigrated' | 'extraOnTarget'> | null;
}

/** A pass ready to run once connection slots are reserved. */
export interface PreparedPass {
  readonly slots: SlotRequest[];
  run(signal: AbortSignal, reservation: SlotReservation, progress: PassProgressTracker): Promise<RunnerOutcome>;
}

/** Items per DAV batch (as `cutover sync`'s default). */
const DAV_BATCH_ITEMS = 100;

/** One request per endpoint; an endpoint on both sides needs two slots per unit, under the lower cap. */
export function slotRequests(sides: ReadonlyArray<{ readonly endpointId: string; readonly maxConnections: number }>): SlotRequest[] {
  const byId = new Map<string, { cap: number; perUnit: number }>();
  for (const side of sides) {
    const entry = byId.get(side.endpointId);
    if (entry) {
      entry.perUnit++;
      entry.cap = Math.min(entry.cap, side.maxConnections);
    } else {
      byId.set(side.endpointId, { cap: side.maxConnections, perUnit: 1 });
    }
  }
  return [...byId].map(([endpointId, v]) => ({ endpointId, ...v }));
}

/** A worker pass's options: the project's settings, the connections its slots allow, default byte budgets. */
export function passOptions(kind: PassKind, connections: number, worker: string, settings: PassSettings): PassOptions {
  return {
    kind, selection: settings.selection, filters: settings.filters, syncFlags: settings.syncFlags,
    dryRun: false, justFolders: false, connections, worker, ...DEFAULT_BATCH,
    batchMessages: settings.batchMessages, splitMessages: settings.splitMessages,
  };
}

async function prepareImap(rt: TaskRuntime, pair: ProjectPair, kind: PassKind): Promise<PreparedPass> {
  const ref = await loadPairRef(rt.pool, rt.secretKey, pair.id);
  // The project's folder selection, filters and flag propagation apply to every pair's passes.
  const project = pair.projectId === null ? null : await getProject(rt.pool, pair.projectId);
  const settings = passSettingsFrom(project?.settings ?? {});
  const sides: EndpointSide[] = [
    { endpoint: ref.source, endpointId: pair.sourceEndpointId },
    { endpoint: ref.target, endpointId: pair.targetEndpointId },
  ];
  return {
    slots: slotRequests(sides.map((s) => ({ endpointId: s.endpointId, maxConnections: s.endpoint.maxConnections }))),
    run: async (signal, reservation, progress) => {
      const outcome = await runPass({
        pool: rt.pool, openSession: cappedSessionOpener(rt.openSession, sides, reservation), logger: rt.logger, clock: rt.clock,
        signal, onProgress: (event) => progress.update(event),
      }, ref, passOptions(kind, reservation.units, rt.workerName, settings));
      const verify = (outcome.counts as PassCounts & { verify?: VerifyCounts }).verify ?? null;
      return { passId: outcome.passId, status: outcome.status, error: outcome.error, copied: outcome.counts.copied, failed: outcome.counts.failed, durationMs: outcome.durationMs, verify };
    },
  };
}

function prepareDav(rt: TaskRuntime, pair: ProjectPair, kind: PassKind, ref: DavPairRef): PreparedPass {
  return {
    // A DAV pass holds no sessions open; a unit of slots is one HTTP request in flight per side.
    slots: slotRequests([
      { endpointId: pair.sourceEndpointId, maxConnections: ref.source.maxConnections },
      { endpointId: pair.targetEndpointId, maxConnections: ref.target.maxConnections },
    ]),
    run: async (signal, reservation) => {
      const capped = (e: DavEndpoint): DavEndpoint => ({ ...e, maxConnections: Math.max(1, Math.min(e.maxConnections, reservation.units)) });
      const capRef: DavPairRef = { ...ref, source: capped(ref.source), target: capped(ref.target) };
      const deps = { pool: rt.pool, openSession: openDavSession, logger: rt.logger, clock: rt.clock, signal };
      if (kind === 'verify') {
        const v = await runDavVerifyPass(deps, capRef, { dryRun: false, worker: rt.workerName });
        return { passId: v.passId, status: v.status, error: v.error, copied: 0, failed: v.verify.missingOnTarget, durationMs: v.durationMs, verify: v.verify };
      }
      const options: DavPassOptions = {
        kind, dryRun: false, worker: rt.workerName, eventWindow: null, rewrites: [], collectionRules: new Map(), batchItems: DAV_BATCH_ITEMS,
      };
      const outcome = await runDavPass(deps, capRef, options);
      return { passId: outcome.passId, status: outcome.status, error: outcome.error, copied: outcome.counts.copied, failed: outcome.counts.failed, durationMs: outcome.durationMs, verify: null };
    },
  };
}

/** Loads the pair by its protocol and prepares its pass (PAIR_NOT_FOUND, PAIR_CREDENTIALS_MISSING, CONFIG_INVALID). */
export async function preparePass(rt: TaskRuntime, pair: ProjectPair, kind: PassKind): Promise<PreparedPass> {
  const protocol = await pairProtocol(rt.pool, pair.id);
  if (protocol === 'caldav' || protocol === 'carddav') return prepareDav(rt, pair, kind, await loadDavPairRef(rt.pool, rt.secretKey, pair.id));
  return prepareImap(rt, pair, kind);
}
