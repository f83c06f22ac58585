/**
 * Projects: one migration for one organisation (DESIGN.md): source and target endpoints, domains, the
 * cutover time with its time zone, settings, and a pause switch.
 */
import { AppError } from '../core/app-error.ts';
import { toNumberStrict, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** A stored project. */
export interface Project {
  readonly id: string;
  readonly name: string;
  /** Status of the project flow (DESIGN.md "The project status flow"); `draft` when new. */
  readonly status: string;
  readonly sourceEndpointId: string | null;
  readonly targetEndpointId: string | null;
  /** Calendars and contacts (optional): each mailbox pair gets a companion DAV pair per kind with both ends set. */
  readonly sourceCaldavEndpointId: string | null;
  readonly targetCaldavEndpointId: string | null;
  readonly sourceCarddavEndpointId: string | null;
  readonly targetCarddavEndpointId: string | null;
  readonly domains: readonly string[];
  readonly cutoverAt: Date | null;
  /** IANA time zone the cutover time is planned in (e.g. Europe/Berlin). */
  readonly timeZone: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly paused: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A project in a list, with how many mailbox pairs it has. */
export interface ProjectSummary extends Project {
  readonly pairCount: number;
}

/** What `createProject` takes; everything but the name has a default. */
export interface ProjectInput {
  readonly name: string;
  readonly sourceEndpointId?: string | null;
  readonly targetEndpointId?: string | null;
  readonly sourceCaldavEndpointId?: string | null;
  readonly targetCaldavEndpointId?: string | null;
  readonly sourceCarddavEndpointId?: string | null;
  readonly targetCarddavEndpointId?: string | null;
  readonly domains?: readonly string[];
  readonly cutoverAt?: Date | null;
  readonly timeZone?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A change to a project: the fields given replace the stored ones (undefined keeps, null clears an endpoint or the cutover time). */
export type ProjectPatch = Partial<ProjectInput> & { readonly status?: string };

interface ProjectRow {
  id: string;
  name: string;
  status: string;
  source_endpoint_id: string | null;
  target_endpoint_id: string | null;
  source_caldav_endpoint_id: string | null;
  target_caldav_endpoint_id: string | null;
  source_carddav_endpoint_id: string | null;
  target_carddav_endpoint_id: string | null;
  domains: string[];
  cutover_at: Date | null;
  time_zone: string;
  settings: Record<string, unknown>;
  paused: boolean;
  created_at: Date;
  updated_at: Date;
  pair_count?: string;
}

const idOrNull = (v: string | null): string | null => (v === null ? null : String(v));

/** The project's DAV endpoint fields (repository input name → column). */
export const DAV_ENDPOINT_FIELDS = [
  ['sourceCaldavEndpointId', 'source_caldav_endpoint_id'],
  ['targetCaldavEndpointId', 'target_caldav_endpoint_id'],
  ['sourceCarddavEndpointId', 'source_carddav_endpoint_id'],
  ['targetCarddavEndpointId', 'target_carddav_endpoint_id'],
] as const;

function fromRow(row: ProjectRow): Project {
  return {
    id: String(row.id),
    name: row.name,
    status: row.status,
    sourceEndpointId: row.source_endpoint_id === null ? null : String(row.source_endpoint_id),
    targetEndpointId: row.target_endpoint_id === null ? null : String(row.target_endpoint_id),
    sourceCaldavEndpointId: idOrNull(row.source_caldav_endpoint_id),
    targetCaldavEndpointId: idOrNull(row.target_caldav_endpoint_id),
    sourceCarddavEndpointId: idOrNull(row.source_carddav_endpoint_id),
    targetCarddavEndpointId: idOrNull(row.target_carddav_endpoint_id),
    domains: row.domains,
    cutoverAt: row.cutover_at,
    timeZone: row.time_zone,
    settings: row.settings,
    paused: row.paused,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

function validate(input: Partial<ProjectInput>): void {
  const problems: string[] = [];
  if (input.name !== undefined && input.name.trim() === '') problems.push('name: required');
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) problems.push(`timeZone: unknown time zone "${input.timeZone}"`);
  if (input.cutoverAt && Number.isNaN(input.cutoverAt.getTime())) problems.push('cutoverAt: not a valid time');
  for (const side of ['sourceEndpointId', 'targetEndpointId', ...DAV_ENDPOINT_FIELDS.map(([field]) => field)] as const) {
    const id = input[side];
    if (id !== undefined && id !== null && !isRowId(id)) problems.push(`${side}: not an endpoint id`);
  }
  if (problems.length > 0) throw new AppError('PROJECT_INVALID', `invalid project: ${problems.join('; ')}`, { details: { problems: problems.join('; ') } });
}

/** Turns a constraint violation into the AppError a user understands. */
function mapWriteError(err: unknown, name: string | undefined): never {
  const code = (err as { code?: string }).code;
  if (code === '23505') throw new AppError('PROJECT_CONFLICT', `a project named "${name ?? ''}" exists already`, { cause: err, details: { name: name ?? null } });
  if (code === '23503') throw new AppError('PROJECT_INVALID', 'invalid project: the source or target endpoint does not exist', { cause: err });
  throw err;
}

/** Creates a project in status `draft`. PROJECT_INVALID, PROJECT_CONFLICT (name in use). */
export async function createProject(db: Db, input: ProjectInput): Promise<Project> {
  validate(input);
  try {
    const { rows } = await db.query<ProjectRow>(
      `INSERT INTO projects (name, source_endpoint_id, target_endpoint_id, domains, cutover_at, time_zone, settings,
                             ${DAV_ENDPOINT_FIELDS.map(([, column]) => column).join(', ')})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        input.name.trim(), input.sourceEndpointId ?? null, input.targetEndpointId ?? null, input.domains ?? [], input.cutoverAt ?? null,
        input.timeZone ?? 'UTC', JSON.stringify(input.settings ?? {}), ...DAV_ENDPOINT_FIELDS.map(([field]) => input[field] ?? null),
      ],
    );
    return fromRow(rows[0] as ProjectRow);
  } catch (err) {
    mapWriteError(err, input.name);
  }
}

/** The project with this id, or null. */
export async function getProject(db: Db, id: string): Promise<Project | null> {
  if (!isRowId(id)) return null;
  const { rows } = await db.query<ProjectRow>('SELECT * FROM projects WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The project with this id; PROJECT_NOT_FOUND otherwise. */
export async function requireProject(db: Db, id: string): Promise<Project> {
  const project = await getProject(db, id);
  if (!project) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
  return project;
}

/** Every project with its pair count, newest first. */
export async function listProjects(db: Db): Promise<ProjectSummary[]> {
  const { rows } = await db.query<ProjectRow>(
    `SELECT p.*, (SELECT count(*) FROM pairs WHERE pairs.project_id = p.id) AS pair_count
       FROM projects p ORDER BY p.created_at DESC, p.id DESC`,
  );
  return rows.map((row) => ({ ...fromRow(row), pairCount: toNumberStrict(row.pair_count ?? '0') }));
}

/** Changes the fields given (undefined keeps a field, null clears it); returns the project. PROJECT_NOT_FOUND, PROJECT_INVALID, PROJECT_CONFLICT. */
export async function updateProject(db: Db, id: string, patch: ProjectPatch): Promise<Project> {
  validate(patch);
  if (patch.status !== undefined && patch.status.trim() === '') throw new AppError('PROJECT_INVALID', 'invalid project: status: required');
  const has = (field: keyof ProjectPatch): boolean => patch[field] !== undefined;
  if (!isRowId(id)) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
  try {
    const { rows } = await db.query<ProjectRow>(
      `UPDATE projects SET
         name = CASE WHEN $2 THEN $3 ELSE name END,
         source_endpoint_id = CASE WHEN $4 THEN $5::bigint ELSE source_endpoint_id END,
         target_endpoint_id = CASE WHEN $6 THEN $7::bigint ELSE target_endpoint_id END,
         domains = CASE WHEN $8 THEN $9::text[] ELSE domains END,
         cutover_at = CASE WHEN $10 THEN $11::timestamptz ELSE cutover_at END,
         time_zone = CASE WHEN $12 THEN $13 ELSE time_zone END,
         settings = CASE WHEN $14 THEN $15::jsonb ELSE settings END,
         status = CASE WHEN $16 THEN $17 ELSE status END,
         ${DAV_ENDPOINT_FIELDS.map(([, column], i) => `${column} = CASE WHEN $${18 + 2 * i} THEN $${19 + 2 * i}::bigint ELSE ${column} END`).join(',\n         ')},
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        has('name'), patch.name?.trim() ?? null,
        patch.sourceEndpointId !== undefined, patch.sourceEndpointId ?? null,
        patch.targetEndpointId !== undefined, patch.targetEndpointId ?? null,
        has('domains'), patch.domains ?? null,
        patch.cutoverAt !== undefined, patch.cutoverAt ?? null,
        has('timeZone'), patch.timeZone ?? null,
        has('settings'), JSON.stringify(patch.settings ?? {}),
        has('status'), patch.status ?? null,
        ...DAV_ENDPOINT_FIELDS.flatMap(([field]) => [patch[field] !== undefined, patch[field] ?? null]),
      ],
    );
    if (!rows[0]) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
    return fromRow(rows[0]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    mapWriteError(err, patch.name);
  }
}

/** Pauses or resumes a project (workers start no new pass of a paused project); returns it. PROJECT_NOT_FOUND. */
export async function setProjectPaused(db: Db, id: string, paused: boolean): Promise<Project> {
  if (!isRowId(id)) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
  const { rows } = await db.query<ProjectRow>('UPDATE projects SET paused = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, paused]);
  if (!rows[0]) throw new AppError('PROJECT_NOT_FOUND', `no project ${id}`, { details: { projectId: id } });
  return fromRow(rows[0]);
}
