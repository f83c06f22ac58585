/** How far a pair is, as a progress bar shows it. */
import type { PassProgress } from '../api/types.ts';

/** Percent (null: running without a known plan — drawn as an indeterminate bar) and a short text. */
export interface PairProgress {
  readonly percent: number | null;
  readonly text: string;
}

/** What the pair list knows beyond its state: failed items now, and how its latest pass ended. */
export interface PairOutcome {
  readonly failedItems?: number;
  readonly lastPassStatus?: string | null;
}

/** From the pair's state and the progress its running pass reported. */
export function pairProgress(state: string, progress: PassProgress | undefined, outcome: PairOutcome = {}): PairProgress {
  const failed = outcome.failedItems ?? 0;
  switch (state) {
    case 'completed':
      // A pass that completed with refused messages is not "done": say how many wait for a retry.
      return { percent: 100, text: failed > 0 ? `done · ${failed} failed` : 'done' };
    case 'paused':
      if (!progress && outcome.lastPassStatus?.startsWith('completed')) return { percent: 100, text: failed > 0 ? `paused · ${failed} failed` : 'paused (done)' };
      return { percent: progress?.percent ?? 0, text: 'paused' };
    case 'running':
      if (progress && progress.percent !== null) return { percent: progress.percent, text: `${Math.floor(progress.percent)}% · ${progress.kind}` };
      return { percent: null, text: progress ? `${progress.itemsDone} items · ${progress.kind}` : 'running' };
    case 'queued':
      return { percent: 0, text: 'queued' };
    case 'idle':
      return { percent: 0, text: 'not started' };
    case 'failed':
      return { percent: progress?.percent ?? 0, text: 'failed' };
    default:
      return { percent: progress?.percent ?? 0, text: state };
  }
}
