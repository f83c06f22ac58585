/**
 * What the portal shows beside the flow (docs/api.md "Cutover"): alerts (acknowledge, resolve), the
 * DNS panel (records to publish, what the resolvers see now, TTL advice), notification templates and
 * the outbox.
 */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { adviseTtl, verificationRecord } from '../../orchestrator/activities/dns.ts';
import { DEFAULT_TEMPLATES } from '../../orchestrator/notifications/default-templates.ts';
import { isNotificationName, NOTIFICATION_NAMES } from '../../orchestrator/notifications/notification-names.ts';
import { validateTemplate } from '../../orchestrator/notifications/render-template.ts';
import { readOrchestratorSettings } from '../../orchestrator/orchestrator-settings.ts';
import { acknowledgeAlert, listAlerts, resolveAlert, type AlertRow } from '../../store/alert.repository.ts';
import { findTemplateOverride, saveTemplateOverride } from '../../store/notification-template.repository.ts';
import { listOutbox } from '../../store/outbox.repository.ts';
import { getProjectFlow } from '../../store/project-flow.repository.ts';
import { requireProject } from '../../store/project.repository.ts';
import { principalOf } from '../auth/authenticate.ts';
import type { ApiDeps } from '../api-deps.ts';
import { orchestratorOf } from '../cutover-runtime.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, iso, Timestamp } from '../schemas/common.schemas.ts';
import { ProjectParams } from '../schemas/project.schemas.ts';

const Alert = z.object({
  id: z.string(), kind: z.string(), key: z.string(), status: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()),
  raisedAt: Timestamp, acknowledgedAt: Timestamp.nullable(), acknowledgedBy: z.string().nullable(), resolvedAt: Timestamp.nullable(), resolvedBy: z.string().nullable(),
}).meta({ id: 'CutoverAlert' });
const alertView = (a: AlertRow): z.infer<typeof Alert> => ({
  id: a.id, kind: a.kind, key: a.key, status: a.status, message: a.message, details: { ...a.details }, raisedAt: a.raisedAt.toISOString(),
  acknowledgedAt: iso(a.acknowledgedAt), acknowledgedBy: a.acknowledgedBy, resolvedAt: iso(a.resolvedAt), resolvedBy: a.resolvedBy,
});

const DnsPanel = z.object({
  domains: z.array(z.object({
    domain: z.string(),
    publish: z.array(z.object({ type: z.enum(['TXT', 'MX']), name: z.string(), value: z.string(), when: z.string() })),
    seen: z.object({ txt: z.array(z.string()), txtVerified: z.boolean(), mx: z.array(z.object({ exchange: z.string(), priority: z.number() })), mxPointsToTarget: z.boolean(), mxTtlSeconds: z.number().nullable(), error: z.string().nullable() }),
    lastChecks: z.array(z.object({ kind: z.string(), ok: z.boolean(), checkedAt: Timestamp })),
    ttlAdvice: z.object({ status: z.string(), ttlSeconds: z.number().nullable(), recommendedTtlSeconds: z.number(), lowerBy: Timestamp.nullable() }).nullable(),
  })),
}).meta({ id: 'DnsPanel' });

const Template = z.object({ notification: z.string(), subject: z.string(), body: z.string(), overridden: z.boolean() }).meta({ id: 'NotificationTemplate' });
const TemplateParams = z.object({ id: Id, name: z.string() });
const AlertParams = z.object({ id: Id, alertId: Id });

/** Registers alerts, DNS panel, templates and outbox routes. */
export function registerCutoverPanelRoutes(app: ApiApp, deps: ApiDeps): void {
  const tags = ['cutover'];
  const now = (): Date => orchestratorOf(deps).clock.now();

  app.get('/api/projects/:id/alerts', {
    schema: { tags, summary: 'The project\'s alerts, newest first', params: ProjectParams, querystring: z.object({ open: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ alerts: z.array(Alert) }) } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    return { alerts: (await listAlerts(deps.pool, request.params.id, { openOnly: request.query.open === 'true' })).map(alertView) };
  });

  const alertAction = (action: 'acknowledge' | 'resolve'): void => {
    app.post(`/api/projects/:id/alerts/:alertId/${action}`, {
      schema: { tags, summary: action === 'acknowledge' ? 'Acknowledge an alert (a person saw it)' : 'Resolve an alert', params: AlertParams, response: { 200: Alert } },
    }, async (request) => {
      const { id, alertId } = request.params;
      await requireProject(deps.pool, id);
      if (!(await listAlerts(deps.pool, id)).some((a) => a.id === alertId)) throw new AppError('ALERT_NOT_FOUND', `no alert ${alertId} in project ${id}`, { details: { alertId, projectId: id } });
      const by = principalOf(request).email;
      const row = action === 'acknowledge' ? await acknowledgeAlert(deps.pool, alertId, by, now()) : await resolveAlert(deps.pool, alertId, by, now());
      return alertView(row);
    });
  };
  alertAction('acknowledge');
  alertAction('resolve');

  app.get('/api/projects/:id/dns', {
    schema: { tags, summary: 'DNS panel: the records to publish, what the resolvers see now, TTL advice', params: ProjectParams, response: { 200: DnsPanel } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const p = await getProjectFlow(deps.pool, request.params.id);
    if (!p) throw new AppError('PROJECT_NOT_FOUND', `no project ${request.params.id}`);
    const settings = readOrchestratorSettings(p.settings);
    const { dns } = orchestratorOf(deps);
    const checks = await deps.pool.query<{ domain: string; kind: string; ok: boolean; checked_at: Date }>('SELECT domain, kind, ok, checked_at FROM dns_checks WHERE project_id = $1', [p.id]);
    const domains = await Promise.all(p.domains.map(async (domain) => {
      const publish: Array<{ type: 'TXT' | 'MX'; name: string; value: string; when: string }> = [];
      if (p.verificationToken) publish.push({ type: 'TXT', name: domain, value: verificationRecord(p.verificationToken), when: 'now (proves ownership; keep it until the project completes)' });
      for (const host of settings.targetMxHosts) publish.push({ type: 'MX', name: domain, value: host, when: `at the cutover (${iso(p.cutoverAt) ?? 'T not set'})` });
      let error: string | null = null;
      const seen = { txt: [] as string[], txtVerified: false, mx: [] as Array<{ exchange: string; priority: number }>, mxPointsToTarget: false, mxTtlSeconds: null as number | null };
      try {
        const [txt, mx, ttl] = await Promise.all([
          dns.checkTxt(domain, p.verificationToken ?? ''),
          dns.checkMx(domain, settings.targetMxHosts),
          dns.readMxTtl(domain),
        ]);
        Object.assign(seen, { txt: [...txt.records], txtVerified: p.verificationToken !== null && txt.verified, mx: mx.hosts.map((h) => ({ ...h })), mxPointsToTarget: mx.pointsToTarget, mxTtlSeconds: ttl });
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const advice = p.cutoverAt ? adviseTtl(seen.mxTtlSeconds, p.cutoverAt, now(), settings.maxMxTtlSeconds) : null;
      return {
        domain, publish, seen: { ...seen, error },
        lastChecks: checks.rows.filter((c) => c.domain === domain).map((c) => ({ kind: c.kind, ok: c.ok, checkedAt: c.checked_at.toISOString() })),
        ttlAdvice: advice ? { status: advice.status, ttlSeconds: advice.ttlSeconds, recommendedTtlSeconds: advice.recommendedTtlSeconds, lowerBy: iso(advice.lowerBy) } : null,
      };
    }));
    return { domains };
  });

  app.get('/api/projects/:id/templates', {
    schema: { tags, summary: 'The notification templates of the project (its overrides, else the global ones, else the defaults)', params: ProjectParams, response: { 200: z.object({ templates: z.array(Template) }) } },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const templates = await Promise.all(NOTIFICATION_NAMES.map(async (name) => {
      const override = await findTemplateOverride(deps.pool, request.params.id, name);
      const t = override ?? DEFAULT_TEMPLATES[name];
      return { notification: name, subject: t.subject, body: t.body, overridden: override !== null };
    }));
    return { templates };
  });

  app.put('/api/projects/:id/templates/:name', {
    schema: { tags, summary: 'Replace one notification template of the project', params: TemplateParams, body: z.object({ subject: z.string(), body: z.string() }), response: { 200: Template } },
  }, async (request) => {
    const { id, name } = request.params;
    await requireProject(deps.pool, id);
    if (!isNotificationName(name)) throw new AppError('NOTIFICATION_TEMPLATE_INVALID', `unknown notification ${name}; known: ${NOTIFICATION_NAMES.join(', ')}`, { details: { notification: name } });
    validateTemplate(request.body);
    const saved = await saveTemplateOverride(deps.pool, { projectId: id, notification: name, subject: request.body.subject, body: request.body.body, by: principalOf(request).email, at: now() });
    return { notification: name, subject: saved.subject, body: saved.body, overridden: true };
  });

  app.get('/api/projects/:id/outbox', {
    schema: {
      tags, summary: 'The project\'s notification outbox (what was and will be emailed)', params: ProjectParams,
      response: { 200: z.object({ messages: z.array(z.object({ id: z.string(), notification: z.string(), eventKey: z.string(), recipient: z.string(), subject: z.string(), status: z.string(), attempts: z.number().int(), nextAttemptAt: Timestamp, sentAt: Timestamp.nullable(), messageId: z.string(), lastError: z.string().nullable() })) }) },
    },
  }, async (request) => {
    await requireProject(deps.pool, request.params.id);
    const rows = await listOutbox(deps.pool, request.params.id);
    return { messages: rows.map((r) => ({ id: r.id, notification: r.notification, eventKey: r.eventKey, recipient: r.recipient, subject: r.subject, status: r.status, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt.toISOString(), sentAt: iso(r.sentAt), messageId: r.messageId, lastError: r.lastError })) };
  });
}
