import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from './index';
import { HOSTILE_TEXT, hostileReport, liveReport, sampleReport } from './test-report-fixture';

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (verbose = false) => renderReport(sampleReport(), 'text', { color: false, verbose });

describe('text reporter', () => {
  it('groups findings by file, orders them by line, and lists errors and the summary last', () => {
    const lines = plain().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ {2,}/g, '  ')),
      [
        'cfn/legacy.yaml',
        '  4:3  SUPPRESSED  SageMaker-004  Medium  Legacy  DirectInternetAccess is Enabled  [fail suppressed by config (.cloudconform.yaml:2): Legacy stack, removed next quarter]',
        '',
        'cfn/notebook.yaml',
        '  8:7  SUPPRESSED  SageMaker-005  High  Notebook  KmsKeyId is not set  [fail suppressed inline (cfn/notebook.yaml:6): Encrypted by the platform default key]',
        '',
        'tf/plan.json',
        '  12:5  FAIL  SageMaker-004  Medium  aws_sagemaker_notebook_instance.nb[0]  DirectInternetAccess is Enabled',
        '  14:7  UNKNOWN  SageMaker-005  High  aws_sagemaker_notebook_instance.nb[0]  KmsKeyId is only known after apply',
        '  30:5  FAIL  SageMaker-005  High  aws_sagemaker_notebook_instance.nb[1]  KmsKeyId is not set',
        '',
        'Errors',
        '  broken.yaml:7: YAML parse error: bad indentation',
        '',
        '2 failed, 1 unknown, 1 passed, 2 suppressed — 4 resources in 4 files, 1 error',
      ],
    );
  });

  it('aligns columns', () => {
    const rows = plain().split('\n').filter((l) => l.startsWith('  ') && !l.includes('broken.yaml'));
    const ruleColumn = rows.map((r) => r.indexOf('SageMaker-'));
    assert.equal(new Set(ruleColumn).size, 1, rows.join('\n'));
  });

  it('counts passes but lists them only when verbose', () => {
    assert.doesNotMatch(plain(), /PASS/);
    assert.match(plain(true), /^ +3 {2}PASS +SageMaker-004 {2}Medium +Notebook +DirectInternetAccess is Disabled$/m);
  });

  it('always shows unknown verdicts by name, suppressed or not', () => {
    const report = sampleReport();
    const suppressedUnknown = report.findings.find((f) => f.result === 'unknown');
    assert.ok(suppressedUnknown);
    suppressedUnknown.suppressed = true;
    suppressedUnknown.suppression = { reason: 'waiting on apply', source: 'config' };
    const out = renderReport(report, 'text', { color: false });
    assert.match(out, /SUPPRESSED .*KmsKeyId is only known after apply {2}\[unknown suppressed by config: waiting on apply\]/);
    assert.match(plain(), /UNKNOWN/);
  });

  it('writes no ANSI codes without color, and colours verdicts with it', () => {
    assert.doesNotMatch(plain(true), /\u001b/);
    const colored = renderReport(sampleReport(), 'text', { color: true, verbose: true });
    assert.match(colored, /\u001b\[31m\u001b\[1mFAIL/); // red bold
    assert.match(colored, /\u001b\[33mUNKNOWN/); // yellow
    assert.match(colored, /\u001b\[32mPASS/); // green
    assert.match(colored, /\u001b\[2m +4:3 {2}SUPPRESSED.*Legacy stack, removed next quarter\]/); // dim, with the reason
    // Colour changes nothing but the escape codes.
    assert.equal(colored.replace(ANSI, ''), plain(true));
  });

  it('reports the --fail-on threshold when given', () => {
    const out = renderReport(sampleReport(), 'text', { color: false, failOn: 'High' });
    assert.equal(out.split('\n').at(-1), '2 failing at or above High (--fail-on High)');
  });

  it('pluralises the summary and prints only it for a clean scan', () => {
    const report = sampleReport();
    report.findings = report.findings.filter((f) => f.result === 'pass');
    report.errors = [];
    report.summary = { ...report.summary, resources: 1, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 1, failing: 0 };
    assert.equal(
      renderReport(report, 'text', { color: false }),
      '0 failed, 0 unknown, 1 passed, 0 suppressed — 1 resource in 1 file, 0 errors',
    );
  });

  it('escapes control characters from scanned files so they cannot drive the terminal', () => {
    const out = renderReport(hostileReport(), 'text', { color: false });
    assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f]/);
    assert.ok(out.includes('\\x1b[31mred\\x1b[0m'));
    assert.ok(out.includes('Nb<&"\'>\\x01'));
    assert.ok(!out.includes(HOSTILE_TEXT));
  });

  it('groups live findings by account and region, names resources, and shows no line, with notes and failed calls', () => {
    const lines = renderReport(liveReport(), 'text', { color: false, verbose: true }).split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ {2,}/g, '  ')),
      [
        'aws://111122223333/eu-west-1',
        '  PASS  SageMaker-004  Medium  nb-private  DirectInternetAccess is Disabled and the notebook is in a VPC subnet.',
        '',
        'aws://111122223333/us-east-1',
        "  UNKNOWN  SageMaker-004  Medium  nb-denied  DirectInternetAccess can't be determined: sagemaker:DescribeNotebookInstance failed: AccessDeniedException: not authorized",
        '  FAIL  SageMaker-004  Medium  nb-open  DirectInternetAccess is Enabled',
        '  SUPPRESSED  SageMaker-004  Medium  nb-sandbox  DirectInternetAccess is Enabled  [fail suppressed by config: Training sandbox, no data (SEC-9)]',
        '',
        'Notes',
        '  aws://111122223333/ap-southeast-5: skipped: SageMaker notebook instances are not offered in ap-southeast-5',
        '',
        'Errors',
        '  aws://111122223333/us-east-1: sagemaker:DescribeNotebookInstance: nb-denied: AccessDeniedException: not authorized',
        '',
        '1 failed, 1 unknown, 1 passed, 1 suppressed — 4 resources, 1 error, 1 note',
      ],
    );
  });

  it('still shows a dash for a template finding without a line', () => {
    const report = sampleReport();
    report.findings[0]!.location = { file: 'tf/plan.json', line: 0 };
    assert.match(renderReport(report, 'text', { color: false }), /^ +- {2}FAIL +SageMaker-005/m);
  });
});
