import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../model/report';
import { renderReport } from './index';
import { stripIllegalXml } from './junit';
import { HOSTILE_TEXT, hostileReport, liveReport, sampleReport } from './test-report-fixture';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_][\w.-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A strict little XML 1.0 parser, enough for the reporter's output: checks the characters, the
 * nesting, attribute quoting and entity references, and fails on anything else.
 */
function parseXml(xml: string): XmlElement {
  for (const ch of xml) {
    const c = ch.codePointAt(0)!;
    const legal = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    assert.ok(legal, `illegal XML character U+${c.toString(16)}`);
  }
  let pos = 0;
  const fail = (what: string): never => assert.fail(`${what} at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);?/g, (ref, body: string) => {
      if (!ref.endsWith(';')) fail('unterminated reference');
      if (body in ENTITIES) return ENTITIES[body]!;
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
      if (!num) return fail(`bad reference &${body};`);
      return String.fromCodePoint(num[1] ? parseInt(num[1], 16) : Number(num[2]));
    });
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(xml);
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (/\s/.test(xml[pos] ?? '')) pos++;
  };

  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    pos = end + 2;
  }
  skipSpace();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < xml.length) {
    if (xml.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (xml[pos++] !== '>') fail('expected >');
      const open = stack.pop();
      if (open?.name !== name) fail(`</${name}> closes <${open?.name}>`);
      if (stack.length === 0) break;
    } else if (xml[pos] === '<') {
      pos++;
      const el: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
      if (stack.length === 0 && root) fail('second root element');
      for (;;) {
        const before = pos;
        skipSpace();
        if (xml.startsWith('/>', pos) || xml[pos] === '>') break;
        if (pos === before) fail('expected space before attribute');
        const attr = readName();
        if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
        if (xml[pos++] !== '=') fail('expected =');
        const quote = xml[pos++];
        if (quote !== '"' && quote !== "'") return fail('unquoted attribute');
        const end = xml.indexOf(quote, pos);
        if (end < 0) fail('unterminated attribute');
        const raw = xml.slice(pos, end);
        if (raw.includes('<')) fail('< in attribute');
        el.attrs[attr] = decode(raw);
        pos = end + 1;
      }
      (stack.at(-1)?.children ?? []).push(el);
      root ??= el;
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        if (stack.length === 0) break;
      } else {
        pos++;
        stack.push(el);
      }
    } else {
      const end = xml.indexOf('<', pos);
      const raw = xml.slice(pos, end < 0 ? xml.length : end);
      if (raw.includes(']]>')) fail(']]> in text');
      const top = stack.at(-1);
      if (!top) return fail('text outside the root');
      top.text += decode(raw);
      pos += raw.length;
    }
  }
  skipSpace();
  if (stack.length > 0 || !root) fail('unclosed elements');
  if (pos !== xml.length) fail('content after the root element');
  return root!;
}

const junitOf = (report = sampleReport()) => parseXml(renderReport(report, 'junit', { color: true }));
const count = (el: XmlElement, child: string) => el.children.filter((c) => c.name === child).length;
const casesWith = (suite: XmlElement, child: string) => suite.children.filter((tc) => count(tc, child) > 0).length;

describe('junit reporter', () => {
  it('checks well-formedness for real', () => {
    assert.throws(() => parseXml('<a><b></a></b>'));
    assert.throws(() => parseXml('<a x="1 & 2"/>'));
    assert.throws(() => parseXml('<a>\u0001</a>'));
    assert.throws(() => parseXml('<a/><b/>'));
    assert.deepEqual(parseXml('<a x="&lt;&#10;"><b/>t&amp;</a>').attrs, { x: '<\n' });
  });

  it('has a suite per rule and a case per resource and rule', () => {
    const root = junitOf();
    assert.equal(root.name, 'testsuites');
    assert.deepEqual(
      root.children.map((s) => s.attrs.name),
      [
        'SageMaker-004: SageMaker notebook instances should not have direct internet access',
        'SageMaker-005: SageMaker notebook instances should encrypt storage with a KMS key',
        'cloudconform.errors',
      ],
    );
    const [s004, s005, errors] = root.children as [XmlElement, XmlElement, XmlElement];
    assert.deepEqual(
      s004.children.map((tc) => [tc.attrs.classname, tc.attrs.name, tc.attrs.file, tc.attrs.line]),
      [
        ['cfn/legacy.yaml', 'Legacy', 'cfn/legacy.yaml', '4'],
        ['cfn/notebook.yaml', 'Notebook', 'cfn/notebook.yaml', '3'],
        ['tf/plan.json', 'aws_sagemaker_notebook_instance.nb[0]', 'tf/plan.json', '12'],
      ],
    );
    assert.deepEqual(s004.attrs, { name: s004.attrs.name, tests: '3', failures: '1', errors: '0', skipped: '1' });
    assert.deepEqual(s005.attrs, { name: s005.attrs.name, tests: '3', failures: '1', errors: '1', skipped: '1' });
    assert.deepEqual(errors.attrs, { name: 'cloudconform.errors', tests: '1', failures: '0', errors: '1', skipped: '0' });
    assert.deepEqual(root.attrs, { name: 'cloudconform', tests: '7', failures: '2', errors: '2', skipped: '2' });
  });

  it('keeps the counts attributes equal to the elements written', () => {
    for (const report of [sampleReport(), hostileReport()]) {
      const root = junitOf(report);
      let totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
      for (const suite of root.children) {
        const counted = {
          tests: count(suite, 'testcase'),
          failures: casesWith(suite, 'failure'),
          errors: casesWith(suite, 'error'),
          skipped: casesWith(suite, 'skipped'),
        };
        assert.deepEqual(
          { tests: +suite.attrs.tests!, failures: +suite.attrs.failures!, errors: +suite.attrs.errors!, skipped: +suite.attrs.skipped! },
          counted,
        );
        totals = {
          tests: totals.tests + counted.tests,
          failures: totals.failures + counted.failures,
          errors: totals.errors + counted.errors,
          skipped: totals.skipped + counted.skipped,
        };
      }
      assert.deepEqual({ tests: +root.attrs.tests!, failures: +root.attrs.failures!, errors: +root.attrs.errors!, skipped: +root.attrs.skipped! }, totals);
    }
  });

  it('writes fail as failure, unknown as error, suppressed as skipped with the reason, pass as a bare case', () => {
    const suites = junitOf().children;
    const find = (resource: string, rule: string) =>
      suites.find((s) => s.attrs.name!.startsWith(rule))!.children.find((tc) => tc.attrs.name === resource)!;

    const fail = find('aws_sagemaker_notebook_instance.nb[0]', 'SageMaker-004').children;
    assert.equal(fail.length, 1);
    assert.equal(fail[0]!.name, 'failure');
    assert.equal(fail[0]!.attrs.message, 'DirectInternetAccess is Enabled');
    assert.equal(fail[0]!.attrs.type, 'SageMaker-004 Medium');
    assert.match(fail[0]!.text, /at: tf\/plan\.json:12:5/);

    const unknown = find('aws_sagemaker_notebook_instance.nb[0]', 'SageMaker-005').children;
    assert.deepEqual(unknown.map((c) => c.name), ['error']);
    assert.equal(unknown[0]!.attrs.message, 'unknown: KmsKeyId is only known after apply');

    const inline = find('Notebook', 'SageMaker-005').children;
    assert.deepEqual(inline.map((c) => c.name), ['skipped']);
    assert.equal(inline[0]!.attrs.message, 'fail suppressed inline (cfn/notebook.yaml:6): Encrypted by the platform default key');
    const config = find('Legacy', 'SageMaker-004').children;
    assert.match(config[0]!.attrs.message!, /^fail suppressed by config .*: Legacy stack, removed next quarter$/);

    assert.deepEqual(find('Notebook', 'SageMaker-004').children, []);

    const scanError = suites.at(-1)!.children[0]!;
    assert.deepEqual(scanError.attrs, { classname: 'cloudconform.errors', name: 'broken.yaml:7', file: 'broken.yaml', line: '7' });
    assert.equal(scanError.children[0]!.name, 'error');
    assert.equal(scanError.children[0]!.attrs.message, 'YAML parse error: bad indentation');
  });

  it('escapes markup and strips characters XML 1.0 forbids', () => {
    const xml = renderReport(hostileReport(), 'junit', { color: false });
    const root = parseXml(xml);
    const expected = stripIllegalXml(HOSTILE_TEXT);
    assert.equal(expected, `a<b & c>"d" 'e' [31mred[0m end`);
    const hostileCase = root.children[1]!.children.find((tc) => tc.attrs.name === 'Nb<&"\'>')!;
    assert.ok(hostileCase, 'resource id kept, control character stripped');
    assert.equal(hostileCase.attrs.file, 'dir with space\\sub#1\\evil?.yaml');
    assert.equal(hostileCase.children[0]!.attrs.message, expected);
    assert.ok(hostileCase.children[0]!.text.startsWith(expected));
    assert.ok(xml.includes('a&lt;b &amp; c&gt;&quot;d&quot; &apos;e&apos;'));
  });

  it('writes live findings and failed API calls without a line', () => {
    const root = junitOf(liveReport());
    const [suite, errors] = root.children as [XmlElement, XmlElement];
    const open = suite.children.find((tc) => tc.attrs.name === 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-open')!;
    assert.deepEqual(open.attrs, {
      classname: 'aws://111122223333/us-east-1',
      name: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-open',
      file: 'aws://111122223333/us-east-1',
    });
    assert.match(open.children[0]!.text, /at: aws:\/\/111122223333\/us-east-1$/);
    const failedCall = errors.children[0]!;
    assert.deepEqual(failedCall.attrs, { classname: 'cloudconform.errors', name: 'aws://111122223333/us-east-1', file: 'aws://111122223333/us-east-1' });
    assert.equal(failedCall.children[0]!.attrs.message, 'sagemaker:DescribeNotebookInstance: nb-denied: AccessDeniedException: not authorized');
  });

  it('keeps newlines and tabs in attributes as references', () => {
    const report = sampleReport();
    report.findings[1]!.message = 'line one\n\tline two\r\n';
    const fail = junitOf(report).children[0]!.children.find((tc) => tc.attrs.name === 'aws_sagemaker_notebook_instance.nb[0]')!;
    assert.equal(fail.children[0]!.attrs.message, 'line one\n\tline two\r\n');
  });

  it('stays well-formed whatever text the scanned files contain', () => {
    const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
    const findingArb = fc.record({
      ruleId: fc.oneof(fc.constantFrom('SageMaker-004', 'SageMaker-005'), anyText),
      result: fc.constantFrom('pass', 'fail', 'unknown'),
      resource: fc.record({ type: anyText, id: anyText, source: anyText }),
      location: fc.record({ file: anyText, line: fc.integer({ min: -1, max: 99 }) }),
      message: anyText,
      risk: fc.constantFrom('Low', 'Medium', 'High', 'Very High', 'Extreme'),
      suppressed: fc.boolean(),
    }) as fc.Arbitrary<Finding>;
    const errorArb = fc.record({ file: anyText, message: anyText });
    fc.assert(
      fc.property(fc.array(findingArb, { maxLength: 6 }), fc.array(errorArb, { maxLength: 3 }), (findings, errors) => {
        const root = junitOf({ ...sampleReport(), findings, errors });
        const cases = root.children.reduce((n, s) => n + s.children.length, 0);
        assert.equal(cases, findings.length + errors.length);
        assert.equal(+root.attrs.tests!, cases);
      }),
      { numRuns: 300 },
    );
  });
});
