/** The notifications Cutover sends (docs/notifications.md): to the partner contact and to end users. */
export const NOTIFICATION_NAMES = [
  // partner contact
  'txt_instructions',
  'ttl_advice',
  'dns_change',
  'readiness_problems',
  'all_passes_done',
  'completion',
  // end users
  'switch_coming',
  'switch_done',
] as const;

/** One notification name. */
export type NotificationName = (typeof NOTIFICATION_NAMES)[number];

/** True when `value` names a notification. */
export function isNotificationName(value: string): value is NotificationName {
  return (NOTIFICATION_NAMES as readonly string[]).includes(value);
}
