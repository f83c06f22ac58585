/**
 * Template rendering, pure: `{{placeholder}}` replaced by its value (plain text; no code runs in a
 * template, so an edited template can never do more than change words).
 */
import { AppError } from '../../core/app-error.ts';
import { PLACEHOLDERS, type Placeholder, type Template } from './default-templates.ts';

/** Values for every placeholder. */
export type TemplateValues = Readonly<Record<Placeholder, string>>;

const PATTERN = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The problems of a template (empty when it is valid): unknown placeholders, empty subject or body, a multi-line subject. */
export function templateProblems(template: Template): string[] {
  const problems: string[] = [];
  if (template.subject.trim() === '') problems.push('subject: empty');
  if (/[\r\n]/.test(template.subject)) problems.push('subject: must be one line');
  if (template.body.trim() === '') problems.push('body: empty');
  for (const [field, text] of [['subject', template.subject], ['body', template.body]] as const) {
    for (const m of text.matchAll(PATTERN)) {
      const name = m[1] ?? '';
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) problems.push(`${field}: unknown placeholder {{${name}}}`);
    }
  }
  return problems;
}

/** Throws NOTIFICATION_TEMPLATE_INVALID listing every problem. */
export function validateTemplate(template: Template): void {
  const problems = templateProblems(template);
  if (problems.length > 0) {
    throw new AppError('NOTIFICATION_TEMPLATE_INVALID', `invalid template: ${problems.join('; ')}`, { details: { problems: problems.join('; ') } });
  }
}

/** Renders `template` with `values`; line breaks in values never reach the subject (header injection). */
export function renderTemplate(template: Template, values: TemplateValues): Template {
  const fill = (text: string, oneLine: boolean): string =>
    text.replace(PATTERN, (whole, name: string) => {
      if (!Object.hasOwn(values, name)) return whole;
      const value = values[name as Placeholder];
      return oneLine ? value.replace(/[\r\n]+/g, ' ') : value;
    });
  return { subject: fill(template.subject, true), body: fill(template.body, false) };
}
