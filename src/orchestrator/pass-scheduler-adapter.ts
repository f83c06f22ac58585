/**
 * The `PassScheduler` over the queue's pair actions (src/projects/pair-actions.ts, issue 3): each pair
 * gets `requestPass`, whose queue singleton makes a second request for a queued pair a no-op. A pair
 * refused because it (or its project) was paused meanwhile is skipped; the next tick sees it again.
 */
import { isAppError } from '../core/app-error.ts';
import type { PassKind } from '../core/ledger.ts';
import { requestPass, type PairActionContext } from '../projects/pair-actions.ts';
import type { StoreLogger } from '../store/db.ts';
import type { PassScheduler } from './orchestrator-deps.ts';

/** A PassScheduler that queues `sync-pair` tasks through `requestPass`. */
export function createQueuePassScheduler(ctx: PairActionContext, logger?: StoreLogger): PassScheduler {
  return {
    async enqueuePass(projectId: string, pairIds: readonly string[], kind: PassKind): Promise<void> {
      for (const pairId of pairIds) {
        try {
          await requestPass(ctx, pairId, kind);
        } catch (err) {
          if (isAppError(err) && (err.code === 'PAIR_PAUSED' || err.code === 'PAIR_NOT_FOUND')) {
            logger?.info({ projectId, pairId, kind, code: err.code }, 'pass not queued');
            continue;
          }
          throw err;
        }
      }
    },
  };
}
