/** The current time, re-rendering every `everyMs` (countdowns). */
import { useEffect, useState } from 'react';

/** Now in milliseconds, refreshed on an interval. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
