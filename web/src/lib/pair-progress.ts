/** How far a pair is, as a progress bar shows it. */
import type { PassProgress } from '../api/types.ts';

/** Percent (null: running without a known plan — drawn as an indeterminate bar) and a short text. */
export interface PairProgress {
  readonly percent: number | null;
  readonly text: string;
}

/** From the pair's state and the progress its running pass reported. */
export function pairProgress(state: string, progress: PassProgress | undefined): PairProgress {
  switch (state) {
    case 'completed':
      return { percent: 100, text: 'done' };
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
