// The Terraform fixer's JSON edits, applied as splices of the file as read (one parse), give the
// same text as setting each value one after another (a parse per value, quadratic), and the
// edits they report make that text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { JSONPath } from 'jsonc-parser';
import { FileEdits, setJsonValue } from '../../src/sources/terraform/fix-edits';
import { applyTextEdits } from '../../src/remediation/iac/patch';

const FILE = 'main.tf.json';

/** A .tf.json with resources written in the layouts files use: multi-line, one-line, empty. */
const resource = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  layout: fc.constantFrom('multi', 'one-line', 'empty'),
  enabled: fc.boolean(),
});

function render(resources: { name: string; layout: string; enabled: boolean }[]): string {
  const body = resources.map(({ name, layout, enabled }) => {
    const attrs = enabled ? { name, direct_internet_access: 'Enabled' } : { name };
    const value =
      layout === 'empty' ? '{}' : layout === 'one-line' ? JSON.stringify(attrs).replace(/,/g, ', ') : JSON.stringify(attrs, null, 2).replace(/\n/g, '\n      ');
    return `      ${JSON.stringify(name)}: ${value}`;
  });
  return `{\n  "resource": {\n    "aws_sagemaker_notebook_instance": {\n${body.join(',\n')}\n    }\n  }\n}\n`;
}

const setOf = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  attribute: fc.constantFrom('direct_internet_access', 'subnet_id', 'security_groups', 'name'),
  nested: fc.boolean(),
  value: fc.constantFrom<unknown>('Disabled', 'subnet-1', ['sg-1', 'sg-2'], '${var.x}'),
});

test('JSON sets spliced at once equal the sets applied one after another', () => {
  fc.assert(
    fc.property(fc.uniqueArray(resource, { selector: (r) => r.name, maxLength: 4 }), fc.array(setOf, { maxLength: 8 }), (resources, sets) => {
      const original = render(resources);
      const paths: { path: JSONPath; value: unknown }[] = [];
      const edits = new FileEdits(() => original);
      for (const s of sets) {
        // Variables the fixer declares go under a top-level `variable` the file may lack.
        const path: JSONPath =
          s.attribute === 'name' && s.nested
            ? ['variable', `v_${s.name}`]
            : ['resource', 'aws_sagemaker_notebook_instance', s.name, ...(s.nested ? ['default_user_settings', 0] : []), s.attribute];
        if (edits.setJson(FILE, path, s.value)) paths.push({ path, value: s.value });
      }
      let sequential = original;
      for (const { path, value } of paths) sequential = setJsonValue(sequential, path, value);
      const { files, edits: made } = edits.finish();
      if (paths.length === 0) return;
      assert.equal(files.get(FILE), sequential);
      const applied = made.get(FILE);
      if (applied) assert.equal(applyTextEdits(original, applied), sequential);
      JSON.parse(sequential);
    }),
    { numRuns: 1500 },
  );
});

test('1,000 and 4,000 resources in one .tf.json: the edits stay linear', () => {
  const timeFor = (n: number) => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) resources[`nb${i}`] = { name: `nb${i}`, direct_internet_access: 'Enabled' };
    const original = JSON.stringify({ resource: { aws_sagemaker_notebook_instance: resources } }, null, 2);
    const edits = new FileEdits(() => original);
    for (let i = 0; i < n; i++) {
      edits.setJson(FILE, ['resource', 'aws_sagemaker_notebook_instance', `nb${i}`, 'direct_internet_access'], 'Disabled');
      edits.setJson(FILE, ['resource', 'aws_sagemaker_notebook_instance', `nb${i}`, 'subnet_id'], '${var.notebook_subnet_id}');
      if (i === 0) edits.setJson(FILE, ['variable', 'notebook_subnet_id'], { type: 'string' });
    }
    const t0 = performance.now();
    const { edits: made } = edits.finish();
    assert.ok(made.get(FILE), 'all spliced at once');
    return performance.now() - t0;
  };
  const small = timeFor(1000);
  const large = timeFor(4000);
  // A parse per set was quadratic (16x for 4x the resources); lookups by key are linear per set.
  assert.ok(large < 5000, `4,000 resources took ${large.toFixed(0)} ms`);
  assert.ok(large < small * 12 + 300, `1,000: ${small.toFixed(0)} ms, 4,000: ${large.toFixed(0)} ms`);
});
