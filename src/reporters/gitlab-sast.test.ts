import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { findingKey, type ScanReport } from '../model/report';
import { GITLAB_SAST_VERSION, renderGitlabSast } from './gitlab-sast';
import { HOSTILE_TEXT, hostileReport, liveReport, sampleReport } from './test-report-fixture';

// GitLab's published schema, vendored (see test/fixtures/gitlab/README.md for its source and licence).
const schema = JSON.parse(readFileSync(new URL('../../test/fixtures/gitlab/sast-report-format.json', import.meta.url), 'utf8'));
// strict: false: the schema has GitLab's own `self` keyword, which ajv would refuse.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const NOW = new Date('2026-03-04T05:06:07.890Z');
const render = (report: ScanReport) => renderGitlabSast(report, { now: NOW });
const parse = (report: ScanReport) => JSON.parse(render(report));

function assertValid(doc: unknown): void {
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
}

describe('GitLab SAST reporter', () => {
  it("validates against GitLab's published schema for every fixture report", () => {
    assert.equal(schema.self.version, GITLAB_SAST_VERSION);
    for (const fixture of [sampleReport, hostileReport, liveReport]) assertValid(parse(fixture()));
  });

  it('the schema check is real: a report missing what GitLab requires is refused', () => {
    const doc = parse(sampleReport());
    delete doc.vulnerabilities[0].identifiers;
    doc.scan.start_time = '2026-03-04T05:06:07.890Z';
    assert.equal(validate(doc), false);
    assert.ok(validate.errors?.some((e) => e.instancePath === '/scan/start_time'));
    assert.ok(validate.errors?.some((e) => e.params && 'missingProperty' in e.params && e.params.missingProperty === 'identifiers'));
  });

  it('lists failing and unknown findings that are not suppressed, never passes or suppressed ones', () => {
    const doc = parse(sampleReport());
    const expected = sampleReport().findings.filter((f) => f.result !== 'pass' && !f.suppressed);
    assert.equal(doc.vulnerabilities.length, expected.length);
    assert.deepEqual(
      doc.vulnerabilities.map((v: { location: { file: string; start_line: number } }) => `${v.location.file}:${v.location.start_line}`),
      ['tf/plan.json:12', 'tf/plan.json:14', 'tf/plan.json:30'],
    );
  });

  it('maps risks to severities as the SARIF output ranks them, and unknown verdicts to Unknown', () => {
    const report = sampleReport();
    const base = report.findings.find((f) => f.result === 'fail' && !f.suppressed)!;
    report.findings = (['Low', 'Medium', 'High', 'Very High', 'Extreme'] as const).map((risk, i) => ({
      ...base,
      resource: { ...base.resource, id: `nb${i}` },
      risk,
    }));
    report.findings.push({ ...base, result: 'unknown', risk: 'Extreme', resource: { ...base.resource, id: 'nbU' } });
    const doc = parse(report);
    assertValid(doc);
    assert.deepEqual(
      doc.vulnerabilities.map((v: { severity: string }) => v.severity),
      ['Low', 'Medium', 'High', 'High', 'Critical', 'Unknown'],
    );
  });

  it('gives each vulnerability a stable id (the finding key) and the rule id and its aliases as identifiers', () => {
    const first = parse(sampleReport());
    const again = parse(sampleReport());
    assert.deepEqual(
      first.vulnerabilities.map((v: { id: string }) => v.id),
      again.vulnerabilities.map((v: { id: string }) => v.id),
    );
    const fail004 = sampleReport().findings.find((f) => f.ruleId === 'SageMaker-004' && f.result === 'fail' && !f.suppressed)!;
    const v = first.vulnerabilities.find((x: { id: string }) => x.id === findingKey(fail004));
    assert.ok(v, 'the id is the finding key');
    assert.deepEqual(v.identifiers, [
      { type: 'cloudconform_rule_id', name: 'cloudconform SageMaker-004', value: 'SageMaker-004' },
      { type: 'checkov_id', name: 'checkov CKV_AWS_122', value: 'CKV_AWS_122' },
    ]);
    // Only real web references become links; "AWS Well-Architected SEC05" is not a URL.
    assert.deepEqual(v.links, [{ url: 'https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html' }]);
    assert.equal(v.severity, 'Medium');
    assert.equal(v.solution, 'Set DirectInternetAccess to Disabled and route traffic through a VPC with a NAT gateway.');
  });

  it("names other tools' ids as snake_case identifier types", () => {
    const report = sampleReport();
    report.rules = report.rules.map((r) => ({ ...r, aliases: [{ tool: 'AWS Security Hub', id: 'SageMaker.1' }, { tool: 'cdk-nag', id: 'AwsSolutions-SM3' }] }));
    const doc = parse(report);
    assertValid(doc);
    assert.deepEqual(
      doc.vulnerabilities[0].identifiers.slice(1).map((i: { type: string; name: string }) => [i.type, i.name]),
      [
        ['aws_security_hub_id', 'AWS Security Hub SageMaker.1'],
        ['cdk_nag_id', 'cdk-nag AwsSolutions-SM3'],
      ],
    );
  });

  it('keeps ids unique when two findings share a key', () => {
    const report = sampleReport();
    const dup = report.findings.find((f) => f.result === 'fail' && !f.suppressed)!;
    report.findings.push({ ...dup, location: { ...dup.location, line: dup.location.line + 40 } });
    const ids = parse(report).vulnerabilities.map((v: { id: string }) => v.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('says when a suppression expired, on the vulnerability', () => {
    const report = sampleReport();
    const f = report.findings.find((x) => x.result === 'fail' && !x.suppressed)!;
    f.expiredSuppression = { reason: 'Legacy, until the migration', source: 'config', file: '.cloudconform.yml', line: 4, expires: '2024-01-31' };
    const doc = parse(report);
    assertValid(doc);
    const v = doc.vulnerabilities.find((x: { id: string }) => x.id === findingKey(f));
    assert.match(v.description, /suppression expired on 2024-01-31 \(Legacy, until the migration, \.cloudconform\.yml:4\)/);
    assert.equal(v.details.expired_suppression.value, 'suppression expired on 2024-01-31 (Legacy, until the migration, .cloudconform.yml:4)');
  });

  it('reports errors as scan messages with status failure, and warnings as info that keep success', () => {
    const doc = parse(sampleReport());
    assert.equal(doc.scan.status, 'failure');
    assert.deepEqual(doc.scan.messages, [{ level: 'warn', value: 'error: broken.yaml:7: YAML parse error: bad indentation' }]);
    const clean = sampleReport();
    clean.errors = [];
    clean.warnings = [{ file: 'pods.tf', line: 3, message: 'duplicate resource kubernetes_pod.a', resourceType: 'kubernetes_pod' }];
    const doc2 = parse(clean);
    assertValid(doc2);
    assert.equal(doc2.scan.status, 'success');
    assert.deepEqual(doc2.scan.messages, [{ level: 'info', value: 'warning: pods.tf:3: duplicate resource kubernetes_pod.a' }]);
  });

  it('writes the scan time as GitLab wants it, in UTC without fractions', () => {
    const doc = parse(sampleReport());
    assert.equal(doc.scan.start_time, '2026-03-04T05:06:07');
    assert.equal(doc.scan.end_time, '2026-03-04T05:06:07');
    assert.equal(doc.scan.type, 'sast');
    assert.equal(doc.scan.analyzer.id, 'cloudconform');
    assert.equal(doc.version, GITLAB_SAST_VERSION);
  });

  it('keeps hostile text intact as data but no raw control character reaches the file', () => {
    const out = render(hostileReport());
    // Line breaks are the JSON's own layout; every other control is escaped.
    assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
    const doc = JSON.parse(out);
    assert.ok(doc.vulnerabilities.some((v: { description: string }) => v.description.includes(HOSTILE_TEXT)));
    assert.ok(doc.vulnerabilities.some((v: { location: { file: string } }) => v.location.file === 'dir with space\\sub#1\\evil?.yaml'));
  });

  it('cuts a name longer than the schema allows without splitting a surrogate pair', () => {
    const report = sampleReport();
    report.rules = report.rules.map((r) => ({ ...r, title: `${'x'.repeat(253)}😀😀` }));
    const doc = parse(report);
    assertValid(doc);
    for (const v of doc.vulnerabilities) {
      assert.ok(v.name.length <= 255);
      assert.doesNotMatch(v.name, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone high surrogate');
    }
  });
});
