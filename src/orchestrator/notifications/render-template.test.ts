import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATES, PLACEHOLDERS, type Placeholder } from './default-templates.ts';
import { NOTIFICATION_NAMES } from './notification-names.ts';
import { renderTemplate, templateProblems, validateTemplate } from './render-template.ts';

const values = Object.fromEntries(PLACEHOLDERS.map((p) => [p, `<${p}>`])) as Record<Placeholder, string>;

test('every notification has a valid default template', () => {
  for (const name of NOTIFICATION_NAMES) assert.deepEqual(templateProblems(DEFAULT_TEMPLATES[name]), [], name);
});

test('render fills placeholders; line breaks never reach the subject', () => {
  const out = renderTemplate({ subject: 'Hi {{ projectName }}', body: '{{problems}}\n{{unknown}}' }, { ...values, projectName: 'a\r\nBcc: x@y', problems: '- one\n- two' });
  assert.equal(out.subject, 'Hi a Bcc: x@y');
  assert.equal(out.body, '- one\n- two\n{{unknown}}');
});

test('validate lists every problem', () => {
  assert.throws(() => validateTemplate({ subject: '', body: '{{nope}} {{projectName}}' }), (err: Error & { code?: string }) => err.code === 'NOTIFICATION_TEMPLATE_INVALID' && /subject: empty/.test(err.message) && /\{\{nope\}\}/.test(err.message));
  assert.deepEqual(templateProblems({ subject: 'a\nb', body: 'x' }), ['subject: must be one line']);
});
