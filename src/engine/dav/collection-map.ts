/**
 * Maps source collections to target collections. In order: an explicit rule (`--dav-map SRC=DST`,
 * SRC the collection's last path segment or display name, DST the target segment), then the target
 * collection with the same last path segment, then the one with the same display name, else a new
 * collection with the source's segment under the target's first home set. Two source collections are
 * never merged by a guess: a second one that would land on a taken target gets a new one.
 */
import type { DavCollectionData } from '../../connectors/dav/types.ts';

/** Where one source collection goes. */
export interface CollectionMapping {
  readonly source: DavCollectionData;
  /** Absolute URL of the target collection (ending in '/'). */
  readonly targetUrl: string;
  /** Decoded path of the target collection. */
  readonly targetPath: string;
  /** The target collection does not exist yet and must be created. */
  readonly create: boolean;
  /** How the target was chosen: `rule`, `name`, `displayname`, `new`. */
  readonly how: 'rule' | 'name' | 'displayname' | 'new';
}

/** The last non-empty path segment. */
export function lastSegment(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}

/** Maps every source collection; `rules` maps a source segment or display name to a target segment. */
export function mapCollections(
  sources: readonly DavCollectionData[], targets: readonly DavCollectionData[], targetHome: string,
  rules: ReadonlyMap<string, string>,
): CollectionMapping[] {
  const taken = new Set<string>();
  const out: CollectionMapping[] = [];
  const home = targetHome.endsWith('/') ? targetHome : `${targetHome}/`;
  const homePath = decodeURIComponent(new URL(home).pathname);
  const existing = (segment: string): DavCollectionData | undefined => targets.find((t) => lastSegment(t.path) === segment);
  const fresh = (segment: string, how: CollectionMapping['how'], source: DavCollectionData): CollectionMapping => {
    let name = segment;
    for (let n = 2; taken.has(`${homePath}${name}/`) || (how !== 'rule' && existing(name)); n++) name = `${segment}-${n}`;
    const path = `${homePath}${name}/`;
    return { source, targetUrl: new URL(`${encodeURIComponent(name)}/`, home).toString(), targetPath: path, create: true, how };
  };
  for (const source of sources) {
    const segment = lastSegment(source.path);
    const ruled = rules.get(segment) ?? (source.displayName ? rules.get(source.displayName) : undefined);
    let mapping: CollectionMapping;
    if (ruled !== undefined) {
      const target = existing(ruled);
      mapping = target ? { source, targetUrl: target.url, targetPath: target.path, create: false, how: 'rule' } : fresh(ruled, 'rule', source);
    } else {
      const byName = existing(segment);
      const byDisplay = source.displayName ? targets.find((t) => t.displayName === source.displayName && !taken.has(t.path)) : undefined;
      if (byName && !taken.has(byName.path)) mapping = { source, targetUrl: byName.url, targetPath: byName.path, create: false, how: 'name' };
      else if (byDisplay) mapping = { source, targetUrl: byDisplay.url, targetPath: byDisplay.path, create: false, how: 'displayname' };
      else mapping = fresh(segment, 'new', source);
    }
    taken.add(mapping.targetPath);
    out.push(mapping);
  }
  return out;
}
