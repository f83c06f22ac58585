/** A coloured badge for a project or pair state. */
import { humanize } from '../lib/format.ts';

const TONES: Readonly<Record<string, string>> = {
  completed: 'ok', complete: 'ok', succeeded: 'ok', resolved: 'ok',
  running: 'active', queued: 'active', migrating: 'active', sweeping: 'active', switching_mx: 'active', waiting: 'active',
  failed: 'bad', on_hold: 'bad', cancelled: 'bad', open: 'bad',
  paused: 'warn', stopped: 'warn', acknowledged: 'warn',
};

/** `state` as a badge; `paused` adds a second badge. */
export function StatusBadge({ state, paused = false }: { readonly state: string; readonly paused?: boolean }) {
  return (
    <span className="badges">
      <span className={`badge badge--${TONES[state] ?? 'neutral'}`}>{humanize(state)}</span>
      {paused && state !== 'paused' && <span className="badge badge--warn">Paused</span>}
    </span>
  );
}
