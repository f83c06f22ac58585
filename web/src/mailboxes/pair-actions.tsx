/** Buttons for a pair's actions; reset asks first (it forgets what the ledger knows). */
import { useState } from 'react';
import { errorText, post } from '../api/client.ts';

/** Props of `PairActions`. */
export interface PairActionsProps {
  readonly pairId: string;
  readonly paused: boolean;
  readonly onDone: () => void;
}

const LABELS: Readonly<Record<string, string>> = {
  delta: 'Delta pass queued.', verify: 'Verify pass queued.', pause: 'Paused: the running pass stops at the next safe point.',
  resume: 'Resumed.', 'retry-failed': 'Retry of the failed items queued.', stop: 'Stopped.', reset: 'Ledger reset: the next pass finds what is on the target.',
};

/** The action bar. */
export function PairActions({ pairId, paused, onDone }: PairActionsProps) {
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (action: string) => {
    if (action === 'reset' && !window.confirm('Reset this mailbox’s ledger? Nothing is deleted on the target; the next pass matches what is already there.')) return;
    setBusy(true);
    try {
      const r = await post<{ pass: { alreadyQueued: boolean } | null }>(`/api/pairs/${pairId}/${action}`, {});
      setMessage(r.pass?.alreadyQueued ? 'A pass was already queued: nothing doubled.' : LABELS[action] ?? 'Done.');
      onDone();
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const button = (action: string, label: string, extra = '') => (
    <button type="button" className={`button button--small ${extra}`} disabled={busy} onClick={() => void act(action)}>{label}</button>
  );
  return (
    <div className="pair-actions" role="group" aria-label="Mailbox actions">
      <div className="actions">
        {button('delta', 'Delta')}
        {button('verify', 'Verify')}
        {paused ? button('resume', 'Resume') : button('pause', 'Pause')}
        {button('retry-failed', 'Retry failed')}
        {button('stop', 'Stop')}
        {button('reset', 'Reset', 'button--danger')}
      </div>
      <p className="small" role="status" aria-live="polite">{message}</p>
    </div>
  );
}
