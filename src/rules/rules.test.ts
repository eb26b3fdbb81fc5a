// Every rule is one folder: rule.ts, page.md and examples/ in every source format, with the
// verdict each example resource must get. This test drives every example through the real
// sources and the engine, and checks that each folder is complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES, findRule } from './index';
import { scan } from '../engine/scan';
import { emptyConfig } from '../engine/config';

const RULES_DIR = new URL('.', import.meta.url).pathname;
const ruleFolders = readdirSync(RULES_DIR).filter((name) => statSync(join(RULES_DIR, name)).isDirectory());

/** The example inputs every rule must have, one per source format. */
const REQUIRED_EXAMPLES = ['cloudformation.yaml', 'cloudformation.json', 'terraform', 'terraform-json', 'plan.json'];

test('rule ids are unique and every folder is registered', () => {
  const ids = ALL_RULES.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ruleFolders.sort(), ids.map((id) => id.toLowerCase()).sort());
});

for (const rule of ALL_RULES) {
  const folder = join(RULES_DIR, rule.meta.id.toLowerCase());
  const expected = JSON.parse(readFileSync(join(folder, 'examples', 'expected.json'), 'utf8')) as Record<string, Record<string, string>>;

  test(`${rule.meta.id}: metadata and page are complete`, () => {
    const m = rule.meta;
    assert.ok(m.title && m.rationale.length > 100 && m.remediation.length > 50);
    assert.ok(m.standards.length > 0 && m.references.length > 0 && m.resourceTypes.length > 0);
    assert.ok(m.aliases.length > 0);
    const page = rule.page();
    for (const section of ['## Why it matters', '## How cloudconform decides', '## Audit', '## Remediation', '## Suppressing', '## References']) {
      assert.ok(page.includes(section), `${m.id} page lacks '${section}'`);
    }
    assert.equal(findRule(m.id.toLowerCase()), rule);
  });

  test(`${rule.meta.id}: examples cover every source format and verdict`, () => {
    assert.deepEqual(Object.keys(expected).sort(), [...REQUIRED_EXAMPLES].sort());
    for (const name of REQUIRED_EXAMPLES) assert.ok(existsSync(join(folder, 'examples', name)), name);
    const verdicts = new Set(Object.values(expected).flatMap((e) => Object.values(e)));
    assert.deepEqual([...verdicts].sort(), ['fail', 'pass', 'unknown']);
  });

  for (const [example, verdicts] of Object.entries(expected)) {
    test(`${rule.meta.id}: ${example} gives the expected verdict for every resource`, async () => {
      const report = await scan([join(folder, 'examples', example)], { config: emptyConfig(), ruleIds: [rule.meta.id], jobs: 1 });
      assert.deepEqual(report.errors, []);
      const got = Object.fromEntries(report.findings.map((f) => [f.resource.id, f.result]));
      assert.deepEqual(got, verdicts);
      for (const f of report.findings) {
        assert.ok(f.location.line >= 1, `${f.resource.id} has a line`);
        assert.ok(f.message.length > 20, `${f.resource.id} has a message`);
      }
    });
  }
}
