import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renderJournalText, renderPlanText, replanCommands } from './render';
import { renderDomainPlanText } from './domain-render';
import { newJournal } from './journal';
import { TEST_DOMAIN_PLAN, TEST_PLAN } from './test-plan';

const ESC_TITLE = '\u001b]0;owned\u0007\u001b[2J';

test('plan and journal text show control characters from AWS (a terminal escape in a tag, a newline in a name) as \\uXXXX, never raw', () => {
  const plan = { ...TEST_PLAN, replacement: { ...TEST_PLAN.replacement, Tags: [{ Key: 'team', Value: `x${ESC_TITLE}` }] } };
  const text = renderPlanText(plan);
  assert.match(text, /team=x\\u001b\]0;owned\\u0007\\u001b\[2J/);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/);
  const journal = newJournal(plan);
  journal.steps[0]!.error = `'a\rb' failed${ESC_TITLE}`;
  assert.doesNotMatch(renderJournalText(journal, '/j.json'), /[\u0000-\u0009\u000b-\u001f\u007f]/);
  const domain = { ...TEST_DOMAIN_PLAN, domain: { ...TEST_DOMAIN_PLAN.domain, name: `research\n${ESC_TITLE}` } };
  assert.doesNotMatch(renderDomainPlanText(domain), /[\u0000-\u0009\u000b-\u001f\u007f]|research\n/);
});

test('the plan-again commands name the plan, and bash reads each word back exactly, whatever the names hold', () => {
  const plan = { ...TEST_PLAN, source: { ...TEST_PLAN.source, name: "it's $(touch x)" }, deleteSource: true };
  const [planCommand, applyCommand] = replanCommands(plan);
  assert.equal(planCommand, `cloudconform remediate plan 'it'\\''s $(touch x)' --region eu-west-1 --subnet-id subnet-1 --security-group-ids sg-1 --new-name nb-vpc --delete-source`);
  assert.ok(applyCommand!.startsWith('cloudconform remediate apply '));
  const words = spawnSync('bash', ['-c', `set -- ${planCommand!.replace(/^cloudconform /, '')}; printf '%s\\0' "$@"`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
  assert.deepEqual(words.slice(0, 3), ['remediate', 'plan', "it's $(touch x)"]);
});
