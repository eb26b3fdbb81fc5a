// The HTML report's markup, without a browser: what a hostile value, page or data can and can't
// put into the file (test/html-report.test.ts opens it in chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { scriptJson } from '../src/reporters/html/escape';
import { markdownToHtml } from '../src/reporters/html/markdown';
import { renderHtmlReport } from '../src/reporters/html/index';
import type { Finding, ScanReport } from '../src/model/report';
import type { RuleMeta } from '../src/rules/rule';
import { ALL_RULES } from '../src/rules/index';

const EVIL = '</script><script>alert(1)</script><!--<img src=x onerror=alert(2)>"\'&\u2028\u2029\u001b[31m';

function finding(id: string, result: Finding['result'], extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'SageMaker-004',
    result,
    resource: { type: 'AWS::SageMaker::NotebookInstance', id, source: 'cloudformation' },
    location: { file: 'templates/nb.yaml', line: 3 },
    message: `message about ${id}`,
    risk: 'Medium',
    suppressed: false,
    ...extra,
  };
}

function report(findings: Finding[], rules: RuleMeta[] = ALL_RULES.map((r) => r.meta)): ScanReport {
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.1.0' },
    rules,
    findings,
    errors: [],
    summary: { resources: findings.length, findings: findings.length, pass: 0, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 1, failing: 0 },
  };
}

/** The page's markup outside the JSON data element (whose content the browser never parses as HTML). */
function markup(page: string): string {
  return page.replace(/<script type="application\/json" id="cc-data">[^]*?<\/script>/, '');
}

test('scriptJson: no character that could end the data element or be read as a line end; the value reads back the same', () => {
  const text = scriptJson({ name: EVIL });
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), { name: EVIL });
});

test('markdown: a hostile page adds no element, attribute or link of its own', () => {
  const page = [
    `# Title <img src=x onerror=alert(1)>`,
    `Text with <script>alert(2)</script>, **bold <b>x</b>**, \`code </code><script>\` and [a link](javascript:alert(3)).`,
    '',
    '| a <i>b</i> | `c` |',
    '| --- | --- |',
    '| <td onclick=x> | **y** |',
    '',
    '- item <svg onload=alert(4)>',
    '1. first "quoted"',
    '```html',
    '</code></pre><script>alert(5)</script>',
    '```',
  ].join('\n');
  const out = markdownToHtml(page);
  const tags = [...out.matchAll(/<\/?([a-z0-9]+)[^>]*>/g)].map((m) => m[0]);
  // Only our own tags, none with an attribute but the table's class.
  for (const tag of tags) assert.match(tag, /^<\/?(h3|p|strong|code|pre|table|thead|tbody|tr|th|td|ul|ol|li)( class="md")?>$/, tag);
  assert.match(out, /<h3>Title &lt;img src=x onerror=alert\(1\)&gt;<\/h3>/);
  assert.match(out, /<code>code &lt;\/code&gt;&lt;script&gt;<\/code>/);
  assert.match(out, /\[a link\]\(javascript:alert\(3\)\)/); // links stay text
  assert.match(out, /<pre><code>&lt;\/code&gt;&lt;\/pre&gt;&lt;script&gt;alert\(5\)&lt;\/script&gt;<\/code><\/pre>/);
});

test('markdown: every rule page renders its headings, tables, lists and code', () => {
  for (const rule of ALL_RULES) {
    const out = markdownToHtml(rule.page());
    assert.match(out, /<h3>/);
    assert.match(out, /<table class="md">/);
    assert.match(out, /<pre><code>/);
    assert.match(out, /<ol>|<ul>/);
    assert.doesNotMatch(out.replace(/<pre>[^]*?<\/pre>/g, ''), /^#/m, 'no heading left as text');
  }
});

test('renderHtmlReport: hostile names, messages, suppressions and rule text only in escaped text or the JSON data', () => {
  const hostileRule: RuleMeta = { ...ALL_RULES[0]!.meta, id: 'Other-999', title: EVIL, rationale: EVIL, remediation: EVIL };
  const r = report(
    [
      finding(EVIL, 'fail', { message: EVIL }),
      finding('ok', 'pass', { suppressed: true, suppression: { reason: EVIL, source: 'inline' } }),
      finding('live', 'fail', {
        resource: { type: 'AWS::SageMaker::NotebookInstance', id: 'arn:x', source: 'aws', live: { account: EVIL, region: EVIL, arn: 'arn:x' } },
        location: { file: `aws://x/y`, line: 0 },
      }),
    ],
    [...ALL_RULES.map((x) => x.meta), hostileRule],
  );
  r.errors.push({ file: EVIL, message: EVIL });
  r.notes = [{ message: EVIL, file: EVIL }];
  r.run = { id: EVIL, command: 'scan', startedAt: EVIL, endedAt: EVIL, scope: { key: `scan:${EVIL}`, label: EVIL }, evaluated: {} };
  const page = renderHtmlReport({
    reports: [r],
    sources: [EVIL],
    runs: [
      {
        run: r.run,
        summary: { ...r.summary, pass: 1, fail: 2 },
        changes: { new: 1, regressed: 0, resolved: 0, 'still-failing': 0, 'newly-suppressed': 0, 'suppression-expired': 0, 'not-evaluated': 0, unchanged: 0 },
      },
    ],
    standards: [
      {
        standard: { id: EVIL, name: EVIL, version: EVIL, requirements: [] },
        results: [{ requirement: { id: EVIL, title: EVIL, rules: [EVIL], source: EVIL }, status: 'fail', findings: r.findings, why: EVIL }],
      },
    ],
  });
  const outside = markup(page);
  assert.doesNotMatch(outside, /<script>alert|<img|onerror=alert\(2\)>|<!--/);
  // Exactly our two script elements and our one style element.
  assert.equal(page.match(/<script/g)!.length, 2);
  assert.equal(page.match(/<style/g)!.length, 1);
  // In the markup's tags (escaped text has no `<`): no inline style or event handler (the CSP would
  // block them; none is needed), nothing to load (no src), and the only hrefs are fragments and
  // the empty data: icon.
  const tags = [...outside.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
  assert.ok(tags.length > 100);
  for (const tag of tags) {
    assert.doesNotMatch(tag, /\s(style|on[a-z]+|src)=/i, tag);
    const href = /\shref="([^"]*)"/.exec(tag);
    if (href) assert.match(href[1]!, /^(#|data:,$)/, tag);
  }
  // Control characters and line separators are shown written out, in the markup and the data.
  assert.match(outside, /\\x1b\[31m/);
  assert.match(outside, /\\u2028\\u2029/);
  const data = JSON.parse(/<script type="application\/json" id="cc-data">([^]*?)<\/script>/.exec(page)![1]!);
  assert.ok(data.strings.includes('</script><script>alert(1)</script><!--<img src=x onerror=alert(2)>"\'&\\u2028\\u2029\\x1b[31m'));
});

test('renderHtmlReport: the Content-Security-Policy allows the inline script and style by their hashes, and nothing else', () => {
  const page = renderHtmlReport({ reports: [report([finding('A', 'fail')])], standards: [] });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1]!.replace(/&#39;/g, "'");
  const script = /<script>([^]*?)<\/script>/.exec(page)![1]!;
  const style = /<style>([^]*?)<\/style>/.exec(page)![1]!;
  const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');
  assert.equal(
    csp,
    `default-src 'none'; script-src 'sha256-${hash(script)}'; style-src 'sha256-${hash(style)}'; img-src data:; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'`,
  );
  // The policy comes before anything it governs.
  assert.ok(page.indexOf('Content-Security-Policy') < page.indexOf('<style>'));
});

test('renderHtmlReport: the score is passing ÷ (passing + failing); unknown and suppressed are beside it; a finding given twice counts once', () => {
  const findings = [finding('A', 'pass'), finding('B', 'fail'), finding('C', 'fail'), finding('D', 'unknown'), finding('E', 'fail', { suppressed: true, suppression: { reason: 'accepted', source: 'inline' } })];
  // The same report twice, the second with A failing: A counts once, as failing (the worse).
  const second = report([finding('A', 'fail')]);
  const page = renderHtmlReport({ reports: [report(findings), second], standards: [] });
  assert.match(page, /id="score">0\.0%</);
  assert.match(page, /id="count-fail">3</);
  assert.match(page, /id="count-pass">0</);
  assert.match(page, /id="count-unknown">1</);
  assert.match(page, /id="count-suppressed">1</);
  const one = renderHtmlReport({ reports: [report(findings)], standards: [] });
  assert.match(one, /id="score">33\.3%</); // 1 ÷ (1 + 2), rounded down
  assert.match(one, /passing ÷ \(passing \+ failing\) = 1 ÷ 3/);
  const none = renderHtmlReport({ reports: [report([finding('D', 'unknown')])], standards: [] });
  assert.match(none, /id="score">—</);
  assert.match(none, /there is no score/);
});

test('renderHtmlReport: a report from before runs were recorded, and a rule this version has no page for, are said so', () => {
  const unknownRule: RuleMeta = { ...ALL_RULES[0]!.meta, id: 'Future-001', title: 'A rule from a newer version', rationale: 'Why it matters, from the report.', remediation: 'What to do.' };
  const page = renderHtmlReport({ reports: [report([finding('A', 'fail', { ruleId: 'Future-001' })], [unknownRule])], sources: ['old.json'], standards: [] });
  assert.match(page, /old\.json: a report with no run information \(written before cloudconform 0\.2\)/);
  assert.match(page, /id="rule-Future-001"[^]*This version of cloudconform has no page for this rule[^]*Why it matters, from the report\./);
  // Its scan findings are counted under the file given, as the repository.
  assert.match(page, /<h3>Repositories<\/h3>[^]*<td>old\.json<\/td>/);
  assert.match(page, /No recorded runs: this report was made from JSON reports given as files/);
  assert.match(page, /Not compared: changes are known for runs recorded in the history/);
});

test('renderHtmlReport: 1,000 recorded runs draw one line point per run, without a dot each, and list every run', () => {
  const r = report([finding('A', 'fail')]);
  r.run = { id: 'run-999', command: 'scan', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', scope: { key: 'scan:repo', label: '.' }, evaluated: {} };
  const runs = Array.from({ length: 1000 }, (_, i) => ({
    run: { ...r.run!, id: `run-${String(i).padStart(3, '0')}`, startedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() },
    summary: { ...r.summary, pass: i, fail: 1000 - i },
    changes: { new: i % 3, regressed: 0, resolved: i % 2, 'still-failing': 0, 'newly-suppressed': 0, 'suppression-expired': 0, 'not-evaluated': 0, unchanged: 0 },
  }));
  const started = performance.now();
  const page = renderHtmlReport({ reports: [r], runs, standards: [] });
  const ms = performance.now() - started;
  const score = /<polyline class="line-score" points="([^"]+)"/.exec(page)![1]!;
  assert.equal(score.split(' ').length, 1000);
  assert.doesNotMatch(page, /class="dot-score"/);
  assert.match(page, /for 1000 runs; latest 99\.9%/);
  assert.equal(page.match(/<tr><td><code>run-\d{3}<\/code>/g)!.length, 1000);
  assert.ok(ms < 2000, `${ms} ms`);
});

test('attack (red team): counts from a crafted history database come out as digits or ?, never as markup (a meta refresh navigated past the CSP)', () => {
  const r = report([finding('A', 'fail')]);
  r.run = { id: 'run-1', command: 'scan', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', scope: { key: 'scan:repo', label: '.' }, evaluated: {} };
  const evil = '<meta http-equiv="refresh" content="1;url=http://127.0.0.1:8765/phish"><h1 id="injected">x</h1>' as unknown as number;
  const runs = [0, 1].map((i) => ({
    run: { ...r.run!, id: `run-${i}`, startedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() },
    summary: { ...r.summary, fail: evil, unknown: evil, pass: evil },
    changes: { new: evil, regressed: 0, resolved: evil, 'still-failing': 0, 'newly-suppressed': 0, 'suppression-expired': 0, 'not-evaluated': 0, unchanged: 0 },
  }));
  const page = renderHtmlReport({ reports: [r], runs, standards: [] });
  assert.doesNotMatch(page, /<meta http-equiv="refresh"/);
  assert.doesNotMatch(page, /<h1 id="injected"/);
});
