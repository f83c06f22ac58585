/**
 * Where an item goes in its target collection. The target href is derived from the source href (its
 * last segment when it is a plain, safe name), so a rerun after a crash writes to the same place and
 * `If-None-Match: *` turns a second write into a harmless 412; otherwise from a hash of the source
 * identity. An alternative name is used when the preferred one is taken by another item.
 */
import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._@+=-]{0,180}$/;

/** The preferred target href for a source item (`attempt` > 0: an alternative). */
export function targetHref(targetCollectionPath: string, sourceCollection: string, sourceHref: string, extension: '.ics' | '.vcf', attempt = 0): string {
  const base = sourceHref.split('/').filter((s) => s !== '').pop() ?? '';
  const collection = targetCollectionPath.endsWith('/') ? targetCollectionPath : `${targetCollectionPath}/`;
  if (attempt === 0 && SAFE.test(base) && base.toLowerCase().endsWith(extension)) return `${collection}${base}`;
  const hash = createHash('sha256').update(`${sourceCollection}\u0000${sourceHref}\u0000${attempt}`).digest('hex').slice(0, 32);
  return `${collection}cutover-${hash}${extension}`;
}
