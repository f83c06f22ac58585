/**
 * `NotificationQueue` over the outbox: renders a notification for its recipients (the partner contact,
 * or every end user of the project) and inserts one outbox row per recipient together with the
 * notification's event, in one transaction. Rows are unique per (project, key, recipient): queueing
 * twice queues once. Content is rendered now, so a retry sends exactly what was queued.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.ts';
import { withTransaction } from '../../store/db.ts';
import { findTemplateOverride } from '../../store/notification-template.repository.ts';
import { enqueueOutbox, type OutboxInput } from '../../store/outbox.repository.ts';
import { listPairFlow } from '../../store/pair-flow.repository.ts';
import { getProjectFlow, listDnsChecks, recordEvent } from '../../store/project-flow.repository.ts';
import { listSteps } from '../../store/step.repository.ts';
import type { Audience } from '../actions.ts';
import { adviseTtl, verificationRecord } from '../activities/dns.ts';
import type { NotificationQueue } from '../orchestrator-deps.ts';
import { readOrchestratorSettings } from '../orchestrator-settings.ts';
import { DEFAULT_TEMPLATES } from './default-templates.ts';
import type { NotificationName } from './notification-names.ts';
import { renderTemplate, type TemplateValues } from './render-template.ts';

/** The Message-ID of one outbox row: stable per (project, key, recipient), so receivers can drop duplicates. */
export function outboxMessageId(projectId: string, key: string, recipient: string, domain: string): string {
  const hash = createHash('sha256').update(`${projectId}\0${key}\0${recipient.toLowerCase()}`).digest('hex').slice(0, 32);
  return `<${hash}@${domain}>`;
}

/** Options of the notification queue. */
export interface NotificationQueueOptions {
  readonly db: pg.Pool;
  readonly clock: Clock;
  /** Right side of generated Message-IDs (e.g. the sender's domain). */
  readonly messageIdDomain: string;
}

/** A NotificationQueue writing to the outbox. */
export function createNotificationQueue(options: NotificationQueueOptions): NotificationQueue {
  const { db, clock } = options;
  return {
    async queue(projectId: string, notification: NotificationName, audience: Audience, key: string): Promise<void> {
      const project = await getProjectFlow(db, projectId);
      if (!project) return;
      const settings = readOrchestratorSettings(project.settings);
      const now = clock.now();
      const [dnsChecks, steps, pairs, override] = await Promise.all([
        listDnsChecks(db, projectId),
        listSteps(db, projectId),
        audience === 'users' ? listPairFlow(db, projectId) : Promise.resolve([]),
        findTemplateOverride(db, projectId, notification),
      ]);
      const template = override ?? DEFAULT_TEMPLATES[notification];
      const maxTtl = Math.max(0, ...dnsChecks.filter((d) => d.kind === 'mx' && d.ttlSeconds !== null).map((d) => d.ttlSeconds ?? 0));
      const advice = project.cutoverAt ? adviseTtl(maxTtl > 0 ? maxTtl : null, project.cutoverAt, now, settings.maxMxTtlSeconds) : null;
      const readiness = steps.find((s) => s.name === 'readiness_check');
      const problems = Array.isArray(readiness?.result['problems']) ? (readiness.result['problems'] as unknown[]).map((p) => `- ${String(p)}`).join('\n') : '';
      const local = (d: Date | null): string => (d ? DateTime.fromJSDate(d, { zone: project.timeZone }).toFormat('yyyy-MM-dd HH:mm') : '');
      const base: Omit<TemplateValues, 'userEmail'> = {
        projectName: project.name,
        contactName: settings.contactName,
        domains: project.domains.join(', '),
        cutoverLocal: local(project.cutoverAt),
        cutoverUtc: project.cutoverAt?.toISOString() ?? '',
        timeZone: project.timeZone,
        txtName: project.domains.join(', '),
        txtValue: project.verificationToken ? verificationRecord(project.verificationToken) : '',
        targetMxHosts: settings.targetMxHosts.join(', '),
        ttlSeconds: advice?.ttlSeconds === null || advice === null ? '' : String(advice.ttlSeconds),
        recommendedTtl: String(settings.maxMxTtlSeconds),
        lowerBy: local(advice?.lowerBy ?? null),
        problems,
      };
      const recipients: Array<{ address: string; userEmail: string }> =
        audience === 'contact'
          ? settings.contactEmail ? [{ address: settings.contactEmail, userEmail: '' }] : []
          : [...new Set(pairs.map((p) => p.targetEmail ?? p.sourceEmail).filter((a): a is string => a !== null && a.includes('@')))].map((a) => ({ address: a, userEmail: a }));
      const rows: OutboxInput[] = recipients.map((r) => {
        const rendered = renderTemplate(template, { ...base, userEmail: r.userEmail });
        return {
          projectId, notification, eventKey: key, recipient: r.address, subject: rendered.subject, body: rendered.body,
          messageId: outboxMessageId(projectId, key, r.address, options.messageIdDomain),
        };
      });
      await withTransaction(db, async (tx) => {
        await enqueueOutbox(tx, rows, now);
        await recordEvent(tx, projectId, { key, kind: 'notification', passKind: null, at: now });
      });
    },
  };
}
