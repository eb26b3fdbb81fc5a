// The standards' data files: each one valid against the schema, ids unique, every rule named
// exists, every mapping says its source and why, and index.ts ships every file there is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { findStandard, listStandards, requirementsOf } from '../src/compliance/index';
import { ALL_RULES } from '../src/rules/index';

const DIR = new URL('../src/compliance/', import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

const ID = '^[a-z0-9][a-z0-9.-]*$';
const TEXT = { type: 'string', minLength: 1, pattern: '\\S' };

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'version', 'url', 'aliases', 'notes', 'requirements', 'rejected'],
  properties: {
    id: { type: 'string', pattern: ID },
    name: TEXT,
    version: TEXT,
    url: { type: 'string', pattern: '^https://' },
    aliases: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: ID } },
    notes: TEXT,
    requirements: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'rules', 'source', 'reasoning'],
        properties: {
          id: TEXT,
          title: { ...TEXT, maxLength: 160 },
          rules: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
          source: TEXT,
          reasoning: TEXT,
        },
        // A mapping of our own must say why (the contract's rule); ours say why every time anyway.
        if: { properties: { source: { type: 'string', pattern: 'cloudconform' } } },
        then: { properties: { reasoning: TEXT }, required: ['reasoning'] },
      },
    },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'source', 'why'],
        properties: { id: TEXT, source: TEXT, why: TEXT },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: true }).compile(SCHEMA);
const RULE_IDS = new Set(ALL_RULES.map((r) => r.meta.id));

for (const file of FILES) {
  test(`${file}: valid, ids unique, rules exist, each mapping sourced`, () => {
    const data = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
    const valid: boolean = validate(data);
    assert.ok(valid, `${file}: ${JSON.stringify(validate.errors, null, 2)}`);
    assert.equal(`${data.id}.json`, file, 'the file is named after the standard id');
    const ids: string[] = data.requirements.map((r: { id: string }) => r.id);
    assert.deepEqual(ids, [...new Set(ids)], 'requirement ids are unique');
    for (const r of data.requirements as { id: string; rules: string[]; source: string }[]) {
      for (const rule of r.rules) assert.ok(RULE_IDS.has(rule), `${file} ${r.id}: no rule ${rule} in ALL_RULES`);
      // Adopted from a public mapping: it names the file or the tool it comes from.
      if (!r.source.startsWith('cloudconform')) assert.match(r.source, /Prowler|Security Hub/, `${file} ${r.id}: source names the public mapping`);
    }
    // A requirement is adopted or rejected, not both.
    const rejected = new Set((data.rejected as { id: string }[]).flatMap((r) => r.id.split(/,\s*/)));
    for (const id of ids) assert.ok(!rejected.has(id), `${file}: ${id} is both mapped and rejected`);
  });
}

test('index.ts ships every data file, and ids and aliases name one standard each', () => {
  assert.deepEqual(
    listStandards().map((s) => `${s.id}.json`).sort(),
    FILES,
  );
  const names = listStandards().flatMap((s) => [s.id, ...s.aliases]);
  assert.deepEqual(names, [...new Set(names)]);
});

test('every rule assesses some requirement, and only requirements it is listed in', () => {
  for (const rule of ALL_RULES) {
    const found = requirementsOf(rule.meta.id);
    assert.ok(found.length > 0, `${rule.meta.id} assesses nothing`);
    for (const { requirement } of found) assert.ok(requirement.rules.includes(rule.meta.id));
  }
  assert.deepEqual(requirementsOf('SageMaker-999'), []);
  // FSBP's control for notebooks is SageMaker-004's; no FSBP control checks Studio domains.
  assert.deepEqual(requirementsOf('sagemaker-004').filter((r) => r.standard.id === 'aws-fsbp').map((r) => r.requirement.id), ['SageMaker.1']);
  assert.deepEqual(requirementsOf('SageMaker-005').filter((r) => r.standard.id === 'aws-fsbp'), []);
});

test('findStandard: ids and aliases in any case; pci is the current PCI DSS; unknown is undefined', () => {
  assert.equal(findStandard('PCI-DSS-4.0')?.id, 'pci-dss-4.0');
  assert.equal(findStandard(' pci ')?.id, 'pci-dss-4.0');
  assert.equal(findStandard('pci-dss-3.2.1')?.id, 'pci-dss-3.2.1');
  assert.equal(findStandard('nist4')?.id, 'nist-800-53-r4');
  assert.equal(findStandard('nist-800-53')?.id, 'nist-800-53-r5');
  assert.equal(findStandard('nist-csf')?.id, 'nist-csf-2.0');
  assert.equal(findStandard('nist'), undefined, 'NIST alone is ambiguous');
  assert.equal(findStandard(''), undefined);
  assert.equal(findStandard('__proto__'), undefined);
  assert.equal(findStandard('constructor'), undefined);
});
