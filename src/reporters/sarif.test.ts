import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { Finding, ScanReport } from '../model/report';
import { renderReport } from './index';
import { FINGERPRINT_KEY, pascalCase } from './sarif';
import { hostileReport, liveReport, sampleReport } from './test-report-fixture';

/**
 * The official SARIF 2.1.0 schema is draft-04, which Ajv 8 no longer ships. The only draft-04
 * construct in it is the top-level `id` (no boolean exclusiveMinimum/Maximum), so renaming that to
 * `$id` gives the same schema under Ajv's default draft-07. One of its patterns (the `language`
 * tag) has a stray `]` that is only legal outside unicode mode, hence `unicodeRegExp: false`.
 */
function loadSarifValidator(): ValidateFunction {
  const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const { $schema, id, ...rest } = JSON.parse(readFileSync(schemaPath, 'utf8'));
  assert.equal($schema, 'http://json-schema.org/draft-04/schema#');
  assert.doesNotMatch(JSON.stringify(rest), /"exclusiveM(in|ax)imum"/);
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: id, ...rest });
}

const validateSarif = loadSarifValidator();

function assertValidSarif(log: unknown): void {
  const ok = validateSarif(log);
  assert.ok(ok, JSON.stringify(validateSarif.errors, null, 2));
}

// Loose view of the output, for reading fields in assertions.
interface Log {
  $schema: string;
  version: string;
  runs: [
    {
      tool: { driver: { name: string; version: string; informationUri: string; rules: any[] } };
      invocations: any[];
      originalUriBaseIds: Record<string, unknown>;
      results: any[];
    },
  ];
}

function sarifOf(report: ScanReport): Log {
  return JSON.parse(renderReport(report, 'sarif', { color: true }));
}

describe('sarif reporter', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    assertValidSarif(sarifOf(sampleReport()));
    assertValidSarif(sarifOf(hostileReport()));
    const clean = sampleReport();
    clean.errors = [];
    assertValidSarif(sarifOf(clean));
  });

  it('catches an invalid log (the validator is really checking)', () => {
    const log = sarifOf(sampleReport());
    log.runs[0].results[0].level = 'fatal';
    assert.equal(validateSarif(log), false);
  });

  it('describes the tool and its rules the way code scanning reads them', () => {
    const log = sarifOf(sampleReport());
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const { driver } = log.runs[0].tool;
    assert.equal(driver.name, 'cloudconform');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.informationUri, 'https://github.com/cloudconform/cloudconform');
    assert.deepEqual(driver.rules.map((r) => r.id), ['SageMaker-004', 'SageMaker-005']);

    const [medium, high] = driver.rules;
    assert.equal(medium.name, 'SageMakerNotebookInstancesShouldNotHaveDirectInternetAccess');
    assert.equal(medium.shortDescription.text, 'SageMaker notebook instances should not have direct internet access');
    assert.match(medium.fullDescription.text, /exfiltrate data/);
    assert.match(medium.help.text, /Set DirectInternetAccess to Disabled/);
    assert.match(medium.help.text, /AWS Well-Architected SEC05/);
    assert.match(medium.help.markdown, /\*\*Remediation:\*\*/);
    assert.match(medium.help.markdown, /<https:\/\/docs\.aws\.amazon\.com\/sagemaker\/latest\/dg\/appendix-notebook-and-internet-access\.html>/);
    assert.equal(medium.helpUri, 'https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html');
    assert.deepEqual(medium.properties.tags, ['PCI', 'HIPAA', 'NIST', 'security']);
    assert.equal(medium.properties['security-severity'], '5.5');
    assert.equal(medium.properties.precision, 'very-high');
    assert.equal(medium.defaultConfiguration.level, 'warning');
    assert.equal(high.properties['security-severity'], '7.5');
    assert.equal(high.defaultConfiguration.level, 'error');
  });

  it('maps every risk to a numeric security-severity', () => {
    const expected = { Low: '3.0', Medium: '5.5', High: '7.5', 'Very High': '8.5', Extreme: '9.5' } as const;
    for (const [risk, severity] of Object.entries(expected)) {
      const report = sampleReport();
      report.rules[0] = { ...report.rules[0]!, risk: risk as keyof typeof expected };
      const rule = sarifOf(report).runs[0].tool.driver.rules[0];
      assert.equal(rule.properties['security-severity'], severity);
      assert.ok(Number.isFinite(Number(severity)));
      assert.equal(rule.defaultConfiguration.level, ['Low', 'Medium'].includes(risk) ? 'warning' : 'error');
    }
  });

  it('reports each fail and unknown as a result, and no passes', () => {
    const log = sarifOf(sampleReport());
    const { results } = log.runs[0];
    assert.equal(results.length, 5);
    for (const r of results) {
      assert.equal(log.runs[0].tool.driver.rules[r.ruleIndex].id, r.ruleId);
      assert.equal(r.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    }
    assert.ok(!results.some((r) => r.message.text === 'DirectInternetAccess is Disabled'));

    const byLine = new Map(results.map((r) => [r.locations[0].physicalLocation.region.startLine, r]));
    const mediumFail = byLine.get(12);
    assert.equal(mediumFail.level, 'warning');
    assert.equal(mediumFail.message.text, 'DirectInternetAccess is Enabled');
    assert.deepEqual(mediumFail.locations[0].physicalLocation, {
      artifactLocation: { uri: 'tf/plan.json', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12, startColumn: 5 },
    });
    assert.deepEqual(mediumFail.locations[0].logicalLocations, [
      { name: 'aws_sagemaker_notebook_instance.nb[0]', fullyQualifiedName: 'aws_sagemaker_notebook_instance.nb[0]', kind: 'resource' },
    ]);
    assert.equal(mediumFail.suppressions, undefined);

    assert.equal(byLine.get(30).level, 'error');

    const unknown = byLine.get(14);
    assert.equal(unknown.level, 'note');
    assert.match(unknown.message.text, /^The verdict is unknown: .*KmsKeyId is only known after apply$/);
    assert.equal(unknown.properties.verdict, 'unknown');
  });

  it('marks suppressed findings with their kind and justification', () => {
    const { results } = sarifOf(sampleReport()).runs[0];
    const inline = results.find((r) => r.locations[0].logicalLocations[0].name === 'Notebook');
    assert.deepEqual(inline.suppressions, [
      {
        kind: 'inSource',
        justification: 'Encrypted by the platform default key',
        location: {
          physicalLocation: {
            artifactLocation: { uri: 'cfn/notebook.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 6 },
          },
        },
      },
    ]);
    const config = results.find((r) => r.locations[0].logicalLocations[0].name === 'Legacy');
    assert.equal(config.suppressions[0].kind, 'external');
    assert.equal(config.suppressions[0].justification, 'Legacy stack, removed next quarter');
  });

  it('fingerprints results by rule, resource and file, not by line', () => {
    const before = sarifOf(sampleReport()).runs[0].results;
    const prints = before.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.ok(prints.every((p) => /^[0-9a-f]{64}$/.test(p)));
    assert.equal(new Set(prints).size, prints.length);

    const moved = sampleReport();
    for (const f of moved.findings) f.location = { ...f.location, line: f.location.line + 10 };
    const after = sarifOf(moved).runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.deepEqual(after, prints);
  });

  it('writes relative, percent-encoded URIs with forward slashes', () => {
    const { results, invocations } = sarifOf(hostileReport()).runs[0];
    const uris = results.map((r) => r.locations[0].physicalLocation.artifactLocation);
    assert.ok(uris.some((u) => u.uri === 'dir%20with%20space/sub%231/evil%3F.yaml' && u.uriBaseId === '%SRCROOT%'));
    // A path outside any root can't be relative; it is an absolute file URI with no base.
    assert.ok(uris.some((u) => u.uri === 'file:///abs/path/template.yaml' && u.uriBaseId === undefined));
    assert.ok(uris.every((u) => !u.uri.includes('\\')));
    const notification = invocations[0].toolExecutionNotifications.at(-1);
    assert.equal(notification.locations[0].physicalLocation.artifactLocation.uri, 'file:///C:/Users/me/t.yaml');
  });

  it('locates live findings by their aws:// URI, with no region, and keeps their details', () => {
    const log = sarifOf(liveReport());
    assertValidSarif(log);
    const { results, invocations } = log.runs[0];
    assert.equal(results.length, 3); // no passes
    for (const r of results) {
      assert.deepEqual(Object.keys(r.locations[0].physicalLocation), ['artifactLocation']);
      assert.deepEqual(r.locations[0].physicalLocation.artifactLocation, { uri: 'aws://111122223333/us-east-1' });
      assert.match(r.locations[0].logicalLocations[0].name, /^arn:aws:sagemaker:us-east-1:111122223333:notebook-instance\//);
      assert.equal(r.properties.resourceDetails.account, '111122223333');
    }
    const notification = invocations[0].toolExecutionNotifications[0];
    assert.equal(notification.message.text, 'aws://111122223333/us-east-1: sagemaker:DescribeNotebookInstance: nb-denied: AccessDeniedException: not authorized');
    assert.deepEqual(notification.locations[0].physicalLocation, { artifactLocation: { uri: 'aws://111122223333/us-east-1' } });
    assert.equal(invocations[0].executionSuccessful, false);
  });

  it('records scan errors as notifications and the run as unsuccessful', () => {
    const log = sarifOf(sampleReport());
    assert.deepEqual(log.runs[0].originalUriBaseIds['%SRCROOT%'], {
      description: { text: 'The directory the scan ran in; result paths are relative to it.' },
    });
    assert.deepEqual(log.runs[0].invocations, [
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'broken.yaml: YAML parse error: bad indentation' },
            locations: [
              { physicalLocation: { artifactLocation: { uri: 'broken.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } } },
            ],
          },
        ],
      },
    ]);
    const clean = sampleReport();
    clean.errors = [];
    assert.equal(sarifOf(clean).runs[0].invocations[0].executionSuccessful, true);
  });

  it('adds a descriptor for a finding whose rule metadata is missing', () => {
    const report = sampleReport();
    report.rules = [report.rules[1]!];
    const log = sarifOf(report);
    assertValidSarif(log);
    const { rules } = log.runs[0].tool.driver;
    assert.deepEqual(rules.map((r) => r.id), ['SageMaker-005', 'SageMaker-004']);
    for (const r of log.runs[0].results) assert.equal(rules[r.ruleIndex].id, r.ruleId);
  });

  it('names rules in PascalCase', () => {
    assert.equal(pascalCase('S3 buckets should block public ACLs'), 'S3BucketsShouldBlockPublicACLs');
    assert.equal(pascalCase('  --  '), '');
  });

  it('stays valid SARIF whatever text the scanned files contain', () => {
    // Every UTF-16 code unit, lone surrogates included.
    const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
    const line = fc.integer({ min: -1, max: 5000 });
    const findingArb: fc.Arbitrary<Finding> = fc.record({
      ruleId: fc.constantFrom('SageMaker-004', 'SageMaker-005', 'Unlisted-001'),
      result: fc.constantFrom('pass', 'fail', 'unknown'),
      resource: fc.record({ type: anyText, id: anyText, source: anyText }),
      location: fc.record({ file: anyText, line, column: fc.option(line, { nil: undefined }) }),
      message: anyText,
      risk: fc.constantFrom('Low', 'Medium', 'High', 'Very High', 'Extreme'),
      suppressed: fc.boolean(),
      suppression: fc.option(
        fc.record({ reason: anyText, source: fc.constantFrom('inline', 'config'), file: fc.option(anyText, { nil: undefined }) }),
        { nil: undefined },
      ),
    }) as fc.Arbitrary<Finding>;
    const errorArb = fc.record({ file: anyText, message: anyText, line: fc.option(line, { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(findingArb, { maxLength: 6 }), fc.array(errorArb, { maxLength: 3 }), (findings, errors) => {
        const report = { ...sampleReport(), findings, errors };
        const ok = validateSarif(sarifOf(report));
        assert.ok(ok, JSON.stringify(validateSarif.errors));
      }),
      { numRuns: 300 },
    );
  });
});
