// Our ASFF against Security Hub's own API model (botocore's securityhub 2018-10-26 service-2.json, in
// the tests' .venv with awscli): every member name exists, required members are there, enums hold,
// strings match their patterns, lists and maps have the shapes the API takes. Reports: a scan, a live
// audit, hostile names, blank messages.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import type { ScanReport } from '../../src/model/report';
import { toAsff } from '../../src/reporters/asff';
import { hostileReport, liveReport, sampleReport } from '../../src/reporters/test-report-fixture';
import { ensureVenv, VENV_DIR } from './venv';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}

let shapes: Record<string, Shape>;
before(async () => {
  await ensureVenv();
  const lib = join(VENV_DIR, 'lib');
  const python = readdirSync(lib).find((d) => d.startsWith('python'))!;
  const dir = join(lib, python, 'site-packages', 'botocore', 'data', 'securityhub');
  const version = readdirSync(dir).sort().at(-1)!;
  shapes = (JSON.parse(gunzipSync(readFileSync(join(dir, version, 'service-2.json.gz'))).toString('utf8')) as { shapes: Record<string, Shape> }).shapes;
});

/** The problems of `value` as an instance of shape `name` (empty: the API model accepts it). */
function check(value: unknown, name: string, path: string, out: string[]): void {
  const shape = shapes[name];
  if (!shape) return void out.push(`${path}: no shape ${name}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void out.push(`${path}: not an object`);
      for (const r of shape.required ?? []) if (!(r in value)) out.push(`${path}.${r}: required`);
      for (const [k, v] of Object.entries(value)) {
        const member = shape.members?.[k];
        if (!member) out.push(`${path}.${k}: not a member of ${name}`);
        else check(v, member.shape, `${path}.${k}`, out);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return void out.push(`${path}: not a list`);
      value.forEach((v, i) => check(v, shape.member!.shape, `${path}[${i}]`, out));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null) return void out.push(`${path}: not a map`);
      for (const [k, v] of Object.entries(value)) {
        check(k, shape.key!.shape, `${path} key ${k}`, out);
        check(v, shape.value!.shape, `${path}.${k}`, out);
      }
      return;
    case 'string':
      if (typeof value !== 'string') return void out.push(`${path}: not a string`);
      if (shape.enum && !shape.enum.includes(value)) out.push(`${path}: ${value} not in ${shape.enum.join('|')}`);
      if (shape.pattern && !new RegExp(shape.pattern, 'u').test(value)) out.push(`${path}: ${JSON.stringify(value)} does not match ${shape.pattern}`);
      if (shape.min !== undefined && value.length < shape.min) out.push(`${path}: shorter than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) out.push(`${path}: longer than ${shape.max}`);
      return;
    case 'integer':
    case 'long':
    case 'double':
      if (typeof value !== 'number') out.push(`${path}: not a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: not a boolean`);
      return;
    default:
      out.push(`${path}: unexpected shape type ${shape.type}`);
  }
}

function withIdentity(report: ScanReport): ScanReport {
  for (const f of report.findings) f.resource.live = { account: f.resource.details!.account!, region: f.resource.details!.region!, arn: f.resource.id };
  return report;
}

test('every finding we write is an AwsSecurityFinding by the Security Hub API model (scan, live, hostile, blank text, a Studio domain)', () => {
  const blank = sampleReport();
  blank.findings = blank.findings.map((f) => ({ ...f, message: ' \n\t', resource: { ...f.resource, type: 'AWS::SageMaker::Domain', details: { name: ' ', empty: '' } } }));
  for (const report of [sampleReport(), withIdentity(liveReport()), hostileReport(), blank]) {
    for (const f of toAsff(report)) {
      const problems: string[] = [];
      check(f, 'AwsSecurityFinding', 'finding', problems);
      assert.deepEqual(problems, [], JSON.stringify(f, null, 1));
    }
  }
});

test('the model check can fail: a misspelt member, a wrong enum value, a blank string', () => {
  const f = toAsff(sampleReport())[0]!;
  const problems: string[] = [];
  check({ ...f, RecordStatus: 'ACTIVE', Compliance: { Status: 'UNKNOWN' }, Title: ' ' }, 'AwsSecurityFinding', 'finding', problems);
  assert.equal(problems.length, 3, problems.join('\n'));
});

test('an archived copy of an earlier finding, as GetFindings returns it with Security Hub\'s own fields, is an AwsSecurityFinding that sets none of them', async () => {
  const { archivedCopy } = await import('../../src/exporters/securityhub');
  const original = toAsff(withIdentity(liveReport()))[0]!;
  const asReturned = {
    ...original,
    Region: 'us-east-1',
    ProductName: 'Default',
    CompanyName: 'Personal',
    WorkflowState: 'NEW',
    Workflow: { Status: 'NOTIFIED' },
    // The stored finding's times, as Security Hub returns them (fixed: the report has no run, so
    // toAsff stamps it with the clock, which passed the test's `now` at midnight of 2026-12-05).
    CreatedAt: '2026-12-04T19:00:00.000Z',
    UpdatedAt: '2026-12-04T19:00:05.000Z',
    ProcessedAt: '2026-12-04T19:00:06.000Z',
    FirstObservedAt: '2026-12-04T19:00:00.000Z',
    FindingProviderFields: { Severity: { Label: 'MEDIUM' } },
    ProductFields: { ...original.ProductFields, 'aws/securityhub/FindingId': 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default/x', 'aws/securityhub/ProductName': 'Default' },
  };
  const now = new Date('2026-12-05T00:00:00.000Z');
  const copy = archivedCopy(asReturned as never, now);
  const problems: string[] = [];
  check(copy, 'AwsSecurityFinding', 'archived', problems);
  assert.deepEqual(problems, []);
  assert.equal(copy.RecordState, 'ARCHIVED');
  assert.equal(copy.UpdatedAt, now.toISOString());
  assert.equal(copy.Id, original.Id);
  for (const own of ['Region', 'ProductName', 'CompanyName', 'WorkflowState', 'Workflow', 'ProcessedAt', 'FindingProviderFields']) assert.ok(!(own in copy), own);
  assert.ok(Object.keys(copy.ProductFields ?? {}).every((k) => !k.startsWith('aws/')));
  // UpdatedAt moves forward even when the clock is behind the stored finding's.
  assert.ok(Date.parse(archivedCopy({ ...asReturned, UpdatedAt: '2030-01-01T00:00:00.000Z' } as never, now).UpdatedAt!) > Date.parse('2030-01-01T00:00:00.000Z'));
});
