/**
 * The part of a project's settings that shapes its passes: the same choices `cutover sync` takes as
 * flags (folders, renames, filters, flag propagation, batch and split sizes), stored under `settings.migration` so every
 * worker applies them to every pair of the project. Validated with one schema; every problem is
 * listed at once.
 */
import { z } from 'zod';
import { AppError } from '../core/app-error.ts';
import type { FilterOptions } from '../engine/filters.ts';
import { parseRegexTrans } from '../engine/folder-map.ts';
import { DEFAULT_BATCH, DEFAULT_SPLIT_MESSAGES, type FolderSelection } from '../engine/pass-types.ts';

const count = z.number().int().nonnegative();

/** `settings.migration` of a project (all optional; defaults copy everything). */
export const migrationSettingsSchema = z.object({
  /** Only these source folders. */
  folders: z.array(z.string().min(1)).optional(),
  /** Regular expressions on source folder names (include first, then exclude). */
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  /** imapsync-style `s/from/to/` renames of target folders, applied in order. */
  regexTrans: z.array(z.string()).optional(),
  automap: z.boolean().optional(),
  maxAgeDays: count.optional(),
  minAgeDays: count.optional(),
  maxSize: count.optional(),
  minSize: count.optional(),
  /** Carry read/flagged/keyword changes of migrated messages on deltas. */
  syncFlags: z.boolean().optional(),
  /** Most messages per APPEND batch (`--batch-messages`). */
  batchMessages: z.number().int().min(1).max(10_000).optional(),
  /** A folder with more messages than this to copy is cut into parts idle connections help with (`--split`); 0 never. */
  splitMessages: count.optional(),
}).strict();

export type MigrationSettings = z.infer<typeof migrationSettingsSchema>;

/** What a pass needs from the settings. */
export interface PassSettings {
  readonly selection: FolderSelection;
  readonly filters: FilterOptions;
  readonly syncFlags: boolean;
  readonly batchMessages: number;
  readonly splitMessages: number;
}

function regex(value: string, where: string, problems: string[]): RegExp | null {
  try {
    return new RegExp(value);
  } catch (err) {
    problems.push(`${where}: "${value}" is not a valid regular expression (${(err as Error).message})`);
    return null;
  }
}

/**
 * Reads `settings.migration` of a project into pass options, or throws PROJECT_INVALID listing every
 * problem (a pass must not silently run with half its settings).
 */
export function passSettingsFrom(settings: Readonly<Record<string, unknown>>): PassSettings {
  const parsed = migrationSettingsSchema.safeParse(settings['migration'] ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `settings.migration.${i.path.join('.')}: ${i.message}`);
    throw new AppError('PROJECT_INVALID', `The project's migration settings are invalid: ${problems.join('; ')}`, { details: { problems: problems.length } });
  }
  const m = parsed.data;
  const problems: string[] = [];
  const include = (m.include ?? []).map((r, i) => regex(r, `include[${i}]`, problems)).filter((r): r is RegExp => r !== null);
  const exclude = (m.exclude ?? []).map((r, i) => regex(r, `exclude[${i}]`, problems)).filter((r): r is RegExp => r !== null);
  const regexTrans = (m.regexTrans ?? []).flatMap((spec, i) => {
    try {
      return [parseRegexTrans(spec)];
    } catch (err) {
      problems.push(`regexTrans[${i}]: ${(err as Error).message}`);
      return [];
    }
  });
  if (problems.length > 0) {
    throw new AppError('PROJECT_INVALID', `The project's migration settings are invalid: ${problems.join('; ')}`, { details: { problems: problems.length } });
  }
  return {
    selection: { include, exclude, folders: m.folders && m.folders.length > 0 ? m.folders : null, regexTrans, automap: m.automap ?? false },
    filters: { maxAgeDays: m.maxAgeDays, minAgeDays: m.minAgeDays, maxSize: m.maxSize, minSize: m.minSize },
    syncFlags: m.syncFlags ?? false,
    batchMessages: m.batchMessages ?? DEFAULT_BATCH.batchMessages,
    splitMessages: m.splitMessages ?? DEFAULT_SPLIT_MESSAGES,
  };
}
