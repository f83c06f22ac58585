/**
 * The default notification templates (docs/notifications.md). A template is a subject and a plain-text
 * body with `{{placeholder}}`s; overrides in the database (notification_templates) replace them,
 * globally or per project.
 */
import type { NotificationName } from './notification-names.ts';

/** A subject and a body. */
export interface Template {
  readonly subject: string;
  readonly body: string;
}

/** Every placeholder a template may use (all are filled for every notification; some may be empty). */
export const PLACEHOLDERS = [
  'projectName', 'contactName', 'domains', 'cutoverLocal', 'cutoverUtc', 'timeZone',
  'txtName', 'txtValue', 'targetMxHosts', 'ttlSeconds', 'recommendedTtl', 'lowerBy',
  'problems', 'userEmail',
] as const;

/** One placeholder name. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The built-in templates. */
export const DEFAULT_TEMPLATES: Readonly<Record<NotificationName, Template>> = {
  txt_instructions: {
    subject: '[{{projectName}}] Please publish a DNS TXT record for {{domains}}',
    body: `Hello {{contactName}},

to prove that you own {{domains}} for the migration "{{projectName}}", please publish this DNS record
on each domain:

  Name:  {{txtName}}
  Type:  TXT
  Value: {{txtValue}}

Cutover checks it every few minutes and moves on by itself once it is visible. If it is still missing
48 hours before the cutover ({{cutoverLocal}}, {{timeZone}}), the project is put on hold.
`,
  },
  ttl_advice: {
    subject: '[{{projectName}}] Lower the MX record TTL before the cutover',
    body: `Hello {{contactName}},

the MX record of {{domains}} has a TTL of {{ttlSeconds}} seconds. Please lower it to {{recommendedTtl}}
seconds or less no later than {{lowerBy}}, so that the switch at {{cutoverLocal}} ({{timeZone}}) takes
effect quickly everywhere.
`,
  },
  dns_change: {
    subject: '[{{projectName}}] Cutover now: point the MX record of {{domains}} to the new server',
    body: `Hello {{contactName}},

the cutover time has come ({{cutoverLocal}}, {{timeZone}}). Please change the MX record of {{domains}}
to:

  {{targetMxHosts}}

Cutover watches the record and starts the final passes as soon as it sees the change.
`,
  },
  readiness_problems: {
    subject: '[{{projectName}}] Problems found before the cutover',
    body: `Hello {{contactName}},

the readiness check before the cutover at {{cutoverLocal}} ({{timeZone}}) found these problems:

{{problems}}

Please fix them, or move the cutover time.
`,
  },
  all_passes_done: {
    subject: '[{{projectName}}] All migration passes are done',
    body: `Hello {{contactName}},

every mailbox of "{{projectName}}" has been migrated, and no new mail has reached the old server for
the quiet period. Cutover now removes its migration access and writes the final report.
`,
  },
  completion: {
    subject: '[{{projectName}}] Migration complete',
    body: `Hello {{contactName}},

the migration "{{projectName}}" is complete. The migration access was removed; the sync history is kept
read-only, and the final report is available in the portal.
`,
  },
  switch_coming: {
    subject: 'Your mailbox moves to a new server on {{cutoverLocal}}',
    body: `Hello,

your mailbox {{userEmail}} moves to a new server on {{cutoverLocal}} ({{timeZone}}). Your mail, calendars
and contacts are copied for you; you may be asked to sign in again after the switch.
`,
  },
  switch_done: {
    subject: 'Your mailbox has moved',
    body: `Hello,

your mailbox {{userEmail}} now lives on the new server. Mail that still arrives at the old server over
the next days is copied over automatically.
`,
  },
};
