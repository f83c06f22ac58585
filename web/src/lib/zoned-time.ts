/** datetime-local values ↔ ISO instants in a project's time zone. */
import { DateTime } from 'luxon';

/** "2026-06-15T09:00" in `zone` → ISO instant with offset, or null when empty/invalid. */
export function localToIso(local: string, zone: string): string | null {
  if (!local) return null;
  const dt = DateTime.fromISO(local, { zone });
  return dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : null;
}

/** ISO instant → "2026-06-15T09:00" in `zone` (for a datetime-local input). */
export function isoToLocal(iso: string | null, zone: string): string {
  if (!iso) return '';
  const dt = DateTime.fromISO(iso).setZone(zone);
  return dt.isValid ? dt.toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

/** The browser's time zone. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** True when `zone` is an IANA zone luxon knows. */
export function validZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
