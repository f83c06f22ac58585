/** A progress bar (role=progressbar); `percent` null draws an indeterminate bar. */

/** Props of `ProgressBar`. */
export interface ProgressBarProps {
  readonly percent: number | null;
  /** Accessible name, e.g. "alice@example.com progress". */
  readonly label: string;
  readonly text?: string;
  readonly tone?: 'ok' | 'warn' | 'bad' | 'neutral';
}

/** The bar with its value text beside it. */
export function ProgressBar({ percent, label, text, tone = 'neutral' }: ProgressBarProps) {
  const value = percent === null ? null : Math.max(0, Math.min(100, percent));
  return (
    <div className={`progress progress--${tone}`}>
      <div
        className={`progress__track${value === null ? ' progress__track--indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(value === null ? { 'aria-valuetext': text ?? 'in progress' } : { 'aria-valuenow': Math.round(value), 'aria-valuetext': text ?? `${Math.round(value)}%` })}
      >
        <div className="progress__fill" style={value === null ? undefined : { width: `${value}%` }} />
      </div>
      {text !== undefined && <span className="progress__text">{text}</span>}
    </div>
  );
}
