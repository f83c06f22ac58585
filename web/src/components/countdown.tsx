/** "T in 3 d 4 h" / "T+2 h 5 min" countdown to the cutover. */
import { formatDuration } from '../lib/format.ts';
import { useNow } from '../lib/use-now.ts';

/** The countdown, refreshed every second. */
export function Countdown({ cutoverAt }: { readonly cutoverAt: string | null }) {
  const now = useNow(1000);
  if (!cutoverAt) return <span className="muted">no cutover time set</span>;
  const seconds = (new Date(cutoverAt).getTime() - now) / 1000;
  const title = new Date(cutoverAt).toLocaleString('en-GB', { dateStyle: 'full', timeStyle: 'short' });
  return (
    <time dateTime={cutoverAt} title={title} className={seconds < 4 * 3600 && seconds > 0 ? 'countdown countdown--soon' : 'countdown'}>
      {seconds >= 0 ? `T in ${formatDuration(seconds)}` : `T+${formatDuration(-seconds)}`}
    </time>
  );
}
