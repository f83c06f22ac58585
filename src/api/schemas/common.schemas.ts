/** Schemas shared by several routes files. Ids are decimal strings (bigserial in PostgreSQL). */
import { z } from 'zod';

/** A database id in a path or body. */
export const Id = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a numeric id');

/** `/:id` path parameters. */
export const IdParams = z.object({ id: Id });

/** Timestamps leave the API as ISO 8601 strings. */
export const Timestamp = z.string().describe('ISO 8601 date-time');

/** A Date (or null) as the API shows it. */
export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** `?limit=&offset=` paging with sane bounds. */
export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A query flag: `true`/`1`/`yes` are true, anything else false (`?dryRun=true`). */
export const QueryFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Acknowledgement of an action without a more useful body. */
export const Ok = z.object({ ok: z.literal(true) });
