import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from './index';
import { HOSTILE_TEXT, hostileReport, liveReport, sampleReport } from './test-report-fixture';

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (verbose = false) => renderReport(sampleReport(), 'text', { color: false, verbose });

describe('text reporter', () => {
  it('groups findings by file with its counts, orders them by line, and lists errors, counts per rule and the totals last', () => {
    const lines = plain().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ {2,}/g, '  ')),
      [
        'cfn/legacy.yaml  1 suppressed',
        '  4:3  SUPPRESSED  SageMaker-004  Medium  Legacy  DirectInternetAccess is Enabled  [fail suppressed by config (.cloudconform.yaml:2): Legacy stack, removed next quarter]',
        '',
        'cfn/notebook.yaml  1 suppressed',
        '  8:7  SUPPRESSED  SageMaker-005  High  Notebook  KmsKeyId is not set  [fail suppressed inline (cfn/notebook.yaml:6): Encrypted by the platform default key]',
        '',
        'tf/plan.json  2 failed, 1 unknown',
        '  12:5  FAIL  SageMaker-004  Medium  aws_sagemaker_notebook_instance.nb[0]  DirectInternetAccess is Enabled',
        '  14:7  UNKNOWN  SageMaker-005  High  aws_sagemaker_notebook_instance.nb[0]  KmsKeyId is only known after apply',
        '  30:5  FAIL  SageMaker-005  High  aws_sagemaker_notebook_instance.nb[1]  KmsKeyId is not set',
        '',
        'Errors (the scan is incomplete: exit code 2)',
        '  broken.yaml:7: YAML parse error: bad indentation',
        '',
        'Summary',
        '  Rule  Risk  Failed  Unknown  Suppressed  Files',
        '  SageMaker-005  High  1  1  1  1',
        '  SageMaker-004  Medium  1  0  1  1',
        '',
        '2 failed, 1 unknown, 1 passed, 2 suppressed — 4 resources in 4 files, 1 error',
      ],
    );
  });

  it('aligns columns', () => {
    const rows = plain().split('\n').filter((l) => /^ +\d+:\d+ /.test(l));
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
        'aws://111122223333/us-east-1  1 failed, 1 unknown, 1 suppressed',
        "  UNKNOWN  SageMaker-004  Medium  nb-denied  DirectInternetAccess can't be determined: sagemaker:DescribeNotebookInstance failed: AccessDeniedException: not authorized",
        '  FAIL  SageMaker-004  Medium  nb-open  DirectInternetAccess is Enabled',
        '  SUPPRESSED  SageMaker-004  Medium  nb-sandbox  DirectInternetAccess is Enabled  [fail suppressed by config: Training sandbox, no data (SEC-9)]',
        '',
        'Notes',
        '  aws://111122223333/ap-southeast-5: skipped: SageMaker notebook instances are not offered in ap-southeast-5',
        '',
        'Errors (the scan is incomplete: exit code 2)',
        '  aws://111122223333/us-east-1: sagemaker:DescribeNotebookInstance: nb-denied: AccessDeniedException: not authorized',
        '',
        'Summary',
        '  Rule  Risk  Failed  Unknown  Suppressed  Regions',
        '  SageMaker-004  Medium  1  1  1  1',
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

/** Columns a line takes once its colour codes are removed (wide characters count two). */
function columns(line: string): number {
  let width = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(line.replace(ANSI, ''))) {
    width += /\p{Extended_Pictographic}|[\u3000-\u9fff\uac00-\ud7a3\uff00-\uff60]/u.test(segment) ? 2 : 1;
  }
  return width;
}

/** `n` failing findings over `files` files, as a large estate gives. */
function largeReport(n: number, files: number) {
  const report = sampleReport();
  const base = report.findings.find((f) => f.result === 'fail' && !f.suppressed)!;
  report.findings = Array.from({ length: n }, (_, i) => ({
    ...base,
    ruleId: i % 5 === 0 ? 'SageMaker-005' : 'SageMaker-004',
    risk: i % 5 === 0 ? ('High' as const) : ('Medium' as const),
    resource: { ...base.resource, id: `module.team_${i % files}.aws_sagemaker_notebook_instance.notebook_with_a_long_name["instance-${i}"]` },
    location: { file: `teams/team-${String(i % files).padStart(4, '0')}/main.tf`, line: 1 + Math.floor(i / files) * 10, column: 3 },
    message: `DirectInternetAccess is Enabled (from var.internet, set by teams/team-${i % files}/terraform.tfvars); the notebook can reach the internet around the VPC`,
  }));
  report.errors = [];
  report.summary = { ...report.summary, findings: n, fail: n, unknown: 0, pass: 0, suppressed: 0, errors: 0, failing: n, filesScanned: files };
  return report;
}

describe('text reporter in a terminal and at scale', () => {
  it('cuts finding rows to the terminal width and says so; without a width (a pipe) lines are whole', () => {
    const report = largeReport(30, 3);
    const fitted = renderReport(report, 'text', { color: true, width: 80 }).split('\n');
    for (const line of fitted) assert.ok(columns(line) <= 80, `${columns(line)} columns: ${JSON.stringify(line)}`);
    assert.ok(fitted.some((l) => l.replace(ANSI, '').endsWith('…')), 'a long message is cut with an ellipsis');
    assert.match(fitted.at(-1)!.replace(ANSI, ''), /^Lines are cut to the terminal's 80 columns; --verbose shows them whole\.$/);
    const whole = renderReport(report, 'text', { color: false });
    assert.ok(whole.includes('the notebook can reach the internet around the VPC'));
    assert.doesNotMatch(whole, /…|--verbose shows/);
    // --verbose ignores the width.
    assert.doesNotMatch(renderReport(report, 'text', { color: false, verbose: true, width: 80 }), /…/);
  });

  it('never cuts inside an escape sequence, a surrogate pair or a wide character, and colour codes do not count', () => {
    const report = largeReport(4, 1);
    report.findings[0]!.message = `Ümlaut 😀😀😀 中文中文中文 ${'\u001b[31m'}red${'\u001b[0m'} e\u0301e\u0301 ${'😀'.repeat(40)}`;
    report.findings[1]!.resource.id = `${'😀'.repeat(30)}-${'中'.repeat(30)}`;
    for (const width of [60, 61, 79, 80, 81, 120]) {
      const colored = renderReport(report, 'text', { color: true, width });
      const plainOut = renderReport(report, 'text', { color: false, width });
      assert.equal(colored.replace(ANSI, ''), plainOut, 'colour changes nothing but the escape codes');
      for (const line of plainOut.split('\n')) {
        assert.ok(columns(line) <= width, `${width}: ${columns(line)} columns: ${line}`);
        assert.doesNotMatch(line, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, 'no half surrogate pair');
        assert.doesNotMatch(line, /\u001b/, 'the template’s escape is shown escaped, never raw');
        assert.doesNotMatch(line, /\\x1(?!b)|\\x$|\\$/, 'an escaped control is never cut in two');
      }
      // Every colour code that opens is closed on the same line.
      for (const line of colored.split('\n')) {
        const opened = (line.match(/\u001b\[(?:1|2|4|3[1-3])m/g) ?? []).length;
        const closed = (line.match(/\u001b\[(?:22|24|39)m/g) ?? []).length;
        assert.equal(opened, closed, JSON.stringify(line));
      }
    }
  });

  it('fits every line of every fixture report to any width from 50 columns up', () => {
    for (const fixture of [sampleReport, liveReport, hostileReport, () => largeReport(40, 7)]) {
      const report = fixture();
      report.warnings = [{ file: 'pods.tf', line: 3, message: 'duplicate resource kubernetes_pod.a: the second is ignored, no rule checks it' }];
      for (let width = 50; width <= 160; width += 7) {
        for (const line of renderReport(report, 'text', { color: true, width, failOn: 'Medium' }).split('\n')) {
          assert.ok(columns(line) <= width, `${width}: ${columns(line)} columns: ${line}`);
        }
      }
    }
  });

  it('wraps errors, warnings and notes to the width rather than cutting them', () => {
    const report = sampleReport();
    const long = 'YAML parse error: bad indentation of a mapping entry, which a very long explanation follows so that it needs several lines';
    report.errors = [{ file: 'broken.yaml', line: 7, message: long }];
    const lines = renderReport(report, 'text', { color: false, width: 50 }).split('\n');
    const at = lines.indexOf('Errors (the scan is incomplete: exit code 2)');
    const wrapped = lines.slice(at + 1, lines.indexOf('', at));
    assert.ok(wrapped.length > 2, wrapped.join('\n'));
    for (const l of wrapped) assert.ok(l.length <= 50, l);
    assert.equal(wrapped.map((l) => l.trim()).join(' '), `broken.yaml:7: ${long}`);
  });

  it('reads at a glance on 5,000 findings: counts per rule and the files with most, thousands separated', () => {
    const started = process.hrtime.bigint();
    const out = renderReport(largeReport(5000, 1200), 'text', { color: false, width: 100, failOn: 'Low' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // ~0.1 s measured; the bound leaves room for a loaded CI machine.
    assert.ok(ms < 2000, `rendering 5,000 findings took ${ms} ms`);
    const lines = out.split('\n');
    const summary = lines.slice(lines.indexOf('Summary'));
    assert.deepEqual(summary.slice(0, 4).map((l) => l.replace(/ {2,}/g, '  ')), [
      'Summary',
      '  Rule  Risk  Failed  Unknown  Suppressed  Files',
      // team-N's file holds SageMaker-005 only when N is a multiple of 5.
      '  SageMaker-004  Medium  4,000  0  0  960',
      '  SageMaker-005  High  1,000  0  0  240',
    ]);
    // Wrapped to the width: read back as one line.
    const most = summary.slice(4, summary.indexOf('')).map((l) => l.trim()).join(' ');
    assert.match(most, /^Most failed or unknown: teams\/team-0000\/main\.tf 5 · .* \(and 1,195 more files\)$/);
    for (const line of lines) assert.ok(line.length <= 100, line);
    assert.ok(lines.includes('5,000 failed, 0 unknown, 0 passed, 0 suppressed — 4 resources in 1,200 files, 0 errors'), lines.slice(-4).join('\n'));
    assert.ok(lines.includes('5,000 failing at or above Low (--fail-on Low)'));
    assert.ok(lines.includes('teams/team-0000/main.tf  5 failed'));
  });

  it('says on the finding when its suppression expired, and counts it in the summary', () => {
    const report = sampleReport();
    const f = report.findings.find((x) => x.result === 'fail' && !x.suppressed)!;
    f.expiredSuppression = { reason: 'Legacy stack', source: 'config', file: '.cloudconform.yml', line: 4, expires: '2024-01-31' };
    const lines = renderReport(report, 'text', { color: false }).split('\n');
    const row = lines.findIndex((l) => l.includes('30:5'));
    assert.equal(lines[row + 1]!.trim(), 'suppression expired on 2024-01-31 (Legacy stack, .cloudconform.yml:4)');
    assert.ok(lines.includes('  1 suppression has expired: the findings count again (each says so above).'));
  });

  it('names where a suppression comes from: inline, config, a Checkov skip, the baseline, and until when', () => {
    const report = sampleReport();
    const [a, b] = report.findings.filter((f) => f.suppressed);
    a!.suppression = { reason: 'moved from Checkov', source: 'checkov', file: 'cfn/legacy.yaml', line: 3 };
    b!.suppression = { reason: 'in the baseline', source: 'baseline', file: 'baseline.json', expires: '2099-12-31' };
    const out = renderReport(report, 'text', { color: false });
    assert.match(out, /\[fail suppressed by a Checkov skip \(cfn\/legacy\.yaml:3\): moved from Checkov\]/);
    assert.match(out, /\[fail suppressed by the baseline \(baseline\.json\) until 2099-12-31: in the baseline\]/);
  });

  it("lists warnings apart from errors, saying they don't change the exit code", () => {
    const report = sampleReport();
    report.warnings = [{ file: 'pods.tf', line: 3, message: 'duplicate resource kubernetes_pod.a \u001b[2J', resourceType: 'kubernetes_pod' }];
    const lines = renderReport(report, 'text', { color: false }).split('\n');
    const at = lines.indexOf("Warnings (they don't change the exit code)");
    assert.ok(at >= 0, lines.join('\n'));
    assert.equal(lines[at + 1], '  pods.tf:3: duplicate resource kubernetes_pod.a \\x1b[2J');
    assert.ok(at < lines.indexOf('Errors (the scan is incomplete: exit code 2)'), 'warnings come before errors');
    assert.match(lines.at(-1)!, /, 1 error, 1 warning$/);
  });
});
