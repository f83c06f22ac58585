/**
 * Live updates for the portal: `GET /api/events` is a server-sent events stream (text/event-stream).
 * The server polls the database about once a second (the workers may run on other machines, so the
 * database is the one place every change shows) and sends only what changed:
 *
 * - `projects`: every project's status, pause switch, cutover time, pairs by state, open alerts;
 * - with `?projectId=`: `pairs` — the pairs of that project whose row changed (state, pause, last
 *   error) and the progress of its running passes (`passes.progress`: items and bytes planned / done).
 *
 * Authenticated like every route (the session cookie travels with EventSource on the same origin).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../store/db.ts';
import { pairsChangedSince, projectLiveRows, runningPasses, type RunningPassRow } from '../../store/live-status.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, iso } from '../schemas/common.schemas.ts';

/** How often the database is polled for changes. */
const POLL_MS = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** Progress of a running pass as the portal draws it; percent is null when the pass reported no plan yet. */
export interface PassProgress {
  readonly pairId: string;
  readonly passId: string;
  readonly kind: string;
  readonly startedAt: string;
  readonly percent: number | null;
  readonly itemsDone: number;
  readonly itemsPlanned: number | null;
  readonly bytesDone: number;
  readonly bytesPlanned: number | null;
}

function numberOf(record: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Percent done of a running pass: bytes when planned, else items; null before the plan is known. */
export function passProgress(row: RunningPassRow): PassProgress {
  const bytesPlanned = numberOf(row.progress, 'bytesPlanned');
  const bytesDone = numberOf(row.progress, 'bytesDone') ?? numberOf(row.counts, 'bytes') ?? 0;
  const itemsPlanned = numberOf(row.progress, 'itemsPlanned');
  const itemsDone = numberOf(row.progress, 'itemsDone') ?? numberOf(row.counts, 'copied') ?? 0;
  let percent: number | null = null;
  if (bytesPlanned !== null && bytesPlanned > 0) percent = (bytesDone / bytesPlanned) * 100;
  else if (itemsPlanned !== null && itemsPlanned > 0) percent = (itemsDone / itemsPlanned) * 100;
  else if (bytesPlanned === 0 || itemsPlanned === 0) percent = 100;
  return {
    pairId: row.pairId, passId: row.passId, kind: row.kind, startedAt: iso(row.startedAt) ?? '',
    percent: percent === null ? null : Math.min(100, Math.round(percent * 10) / 10),
    itemsDone, itemsPlanned, bytesDone, bytesPlanned,
  };
}

/** One SSE stream: polls, compares with what it sent last, writes what changed. */
class EventStream {
  #timer: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #closed = false;
  #lastProjects = '';
  #lastProgress = '';
  #since: Date | null = null;
  /** pair id → updatedAt sent, for the rows at the `since` boundary. */
  #sentAtBoundary = new Map<string, number>();

  readonly db: Db;
  readonly reply: FastifyReply;
  readonly projectId: string | undefined;
  readonly onError: (err: unknown) => void;

  constructor(db: Db, reply: FastifyReply, projectId: string | undefined, onError: (err: unknown) => void) {
    this.db = db;
    this.reply = reply;
    this.projectId = projectId;
    this.onError = onError;
  }

  start(): void {
    const raw = this.reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 2000\n\n`);
    this.#keepalive = setInterval(() => this.#write(': keepalive\n\n'), KEEPALIVE_MS);
    void this.#tick();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#keepalive);
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
  }

  #write(text: string): void {
    if (!this.#closed) this.reply.raw.write(text);
  }

  #send(event: string, data: unknown): void {
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  async #tick(): Promise<void> {
    try {
      await this.#poll();
    } catch (err) {
      this.onError(err);
    }
    if (!this.#closed) this.#timer = setTimeout(() => void this.#tick(), POLL_MS);
  }

  async #poll(): Promise<void> {
    const projects = (await projectLiveRows(this.db)).map((p) => ({
      id: p.id, status: p.status, paused: p.paused, cutoverAt: iso(p.cutoverAt), updatedAt: iso(p.updatedAt),
      pairs: p.pairs, byState: p.byState, openAlerts: p.openAlerts,
    }));
    const projectsJson = JSON.stringify(projects);
    if (projectsJson !== this.#lastProjects) {
      this.#lastProjects = projectsJson;
      this.#send('projects', { projects });
    }
    if (this.projectId === undefined) return;

    const changed = await pairsChangedSince(this.db, this.projectId, this.#since);
    const fresh = changed.filter((p) => this.#sentAtBoundary.get(p.id) !== p.updatedAt.getTime());
    const last = changed[changed.length - 1];
    if (last) {
      const boundary = last.updatedAt.getTime();
      if (this.#since?.getTime() !== boundary) this.#sentAtBoundary.clear();
      for (const p of changed) if (p.updatedAt.getTime() === boundary) this.#sentAtBoundary.set(p.id, boundary);
      this.#since = last.updatedAt;
    }
    const progress = (await runningPasses(this.db, this.projectId)).map(passProgress);
    const progressJson = JSON.stringify(progress);
    if (fresh.length > 0 || progressJson !== this.#lastProgress) {
      this.#lastProgress = progressJson;
      this.#send('pairs', {
        pairs: fresh.map((p) => ({
          id: p.id, state: p.state, paused: p.paused, lastErrorCode: p.lastErrorCode, lastErrorText: p.lastErrorText,
          lastPassAt: iso(p.lastPassAt), failedItems: p.failedItems, lastPassStatus: p.lastPassStatus, updatedAt: iso(p.updatedAt),
        })),
        progress,
      });
    }
  }
}

/** Registers GET /api/events. */
export function registerEventRoutes(app: ApiApp, deps: ApiDeps): void {
  const open = new Set<EventStream>();
  // Open streams never go idle: end them first, or closing the server would wait for them forever.
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.close();
    open.clear();
    done();
  });

  app.get('/api/events', {
    schema: {
      tags: ['events'],
      summary: 'Live updates (server-sent events): `projects` always, `pairs` (changed pairs, running pass progress) with ?projectId=',
      querystring: z.object({ projectId: Id.optional() }),
      produces: ['text/event-stream'],
    },
  }, (request, reply) => {
    void reply.hijack();
    const stream = new EventStream(deps.pool, reply, request.query.projectId, (err) => request.log.warn({ err }, 'live update poll failed'));
    open.add(stream);
    request.raw.on('close', () => {
      stream.close();
      open.delete(stream);
    });
    stream.start();
  });
}
