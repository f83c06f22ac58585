/** One row of the mailbox table: addresses, batch, state, progress bar, last pass, last error. */
import { memo } from 'react';
import type { Pair, PairLive, PassProgress } from '../api/types.ts';
import { ProgressBar } from '../components/progress-bar.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatTime } from '../lib/format.ts';
import { pairProgress } from '../lib/pair-progress.ts';

/** Props of `MailboxRow`. */
export interface MailboxRowProps {
  readonly index: number;
  readonly pair: Pair;
  readonly live: PairLive | undefined;
  readonly progress: PassProgress | undefined;
  readonly top: number;
  readonly height: number;
  readonly selected: boolean;
  readonly onOpen: (pairId: string) => void;
}

/** A row, positioned absolutely by the virtualiser. */
export const MailboxRow = memo(function MailboxRow({ index, pair, live, progress, top, height, selected, onOpen }: MailboxRowProps) {
  const state = live?.state ?? pair.state;
  const paused = live?.paused ?? pair.paused;
  const errorCode = live ? live.lastErrorCode : pair.lastErrorCode;
  const errorText = live ? live.lastErrorText : pair.lastErrorText;
  const lastPassAt = live?.lastPassAt ?? pair.lastPassAt;
  // Live updates carry the failed count too; the page's copy may predate the pass.
  const failedItems = live?.failedItems ?? pair.failedItems ?? 0;
  const p = pairProgress(state, progress, { failedItems, lastPassStatus: live?.lastPassStatus ?? pair.lastPassStatus ?? null });
  const source = pair.sourceEmail ?? pair.sourceUser;
  const tone = state === 'failed' ? 'bad' : state === 'completed' ? (errorCode || failedItems > 0 ? 'warn' : 'ok') : 'neutral';
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`mrow${selected ? ' mrow--selected' : ''}${index % 2 ? ' mrow--odd' : ''}`}
      style={{ transform: `translateY(${top}px)`, height }}
      data-pair-id={pair.id}
      data-state={state}
    >
      <div role="gridcell" className="mcell mcell--source">
        <button type="button" className="linkish" onClick={() => onOpen(pair.id)} aria-label={`Details of ${source}`}>{source}</button>
      </div>
      <div role="gridcell" className="mcell mcell--target">{pair.targetEmail ?? pair.targetUser}</div>
      <div role="gridcell" className="mcell mcell--batch">{pair.batchName ?? '—'}</div>
      <div role="gridcell" className="mcell mcell--state"><StatusBadge state={state} paused={paused} /></div>
      <div role="gridcell" className="mcell mcell--progress"><ProgressBar percent={p.percent} label={`${source} progress`} text={p.text} tone={tone} /></div>
      <div role="gridcell" className="mcell mcell--last">{formatTime(lastPassAt)}</div>
      <div role="gridcell" className="mcell mcell--error" title={errorText ?? undefined}>{errorCode ? <><code>{errorCode}</code> {errorText}</> : <span className="muted">—</span>}</div>
    </div>
  );
});
