import type { Finding, ScanReport } from '../model/report';
import type { ScanError } from '../sources/source';
import { compareFindings, compareStrings, describeExpiredSuppression, describeSuppression, errorText, formatLocation } from './shared';

export const ERRORS_SUITE = 'cloudconform.errors';
export const WARNINGS_SUITE = 'cloudconform.warnings';

interface Suite {
  name: string;
  cases: string[];
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * JUnit XML for CI test tabs: one suite per rule, one test case per resource checked by it.
 * fail → <failure>; unknown → <error> (so CI never shows it green); suppressed → <skipped> with
 * the reason; scan errors get their own suite so a file that could not be read is not silent.
 */
export function renderJunit(report: ScanReport): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of [...report.findings].sort(compareFindings)) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }

  const suites: Suite[] = [];
  const titles = new Map(report.rules.map((r) => [r.id, r.title]));
  // Rules in the report's order first, then any rule with findings but no metadata.
  const ruleIds = [...new Set([...report.rules.map((r) => r.id), ...[...byRule.keys()].sort(compareStrings)])];
  for (const ruleId of ruleIds) {
    const findings = byRule.get(ruleId);
    if (!findings) continue; // a rule that matched no resource has no test cases to report
    const title = titles.get(ruleId);
    const suite: Suite = { name: title ? `${ruleId}: ${title}` : ruleId, cases: [], failures: 0, errors: 0, skipped: 0 };
    for (const f of findings) suite.cases.push(findingCase(f, suite));
    suites.push(suite);
  }

  if (report.errors.length > 0) {
    const suite: Suite = { name: ERRORS_SUITE, cases: [], failures: 0, errors: report.errors.length, skipped: 0 };
    for (const error of report.errors) suite.cases.push(errorCase(error));
    suites.push(suite);
  }

  // JUnit has no warnings: skipped cases, shown (not green, not red) without failing the build.
  if (report.warnings?.length) {
    const suite: Suite = { name: WARNINGS_SUITE, cases: [], failures: 0, errors: 0, skipped: report.warnings.length };
    for (const warning of report.warnings) suite.cases.push(warningCase(warning));
    suites.push(suite);
  }

  const total = (key: 'failures' | 'errors' | 'skipped') => suites.reduce((n, s) => n + s[key], 0);
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cloudconform" tests="${tests}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}">`,
  ];
  for (const s of suites) {
    lines.push(
      `  <testsuite name="${attr(s.name)}" tests="${s.cases.length}" failures="${s.failures}" errors="${s.errors}" skipped="${s.skipped}">`,
      ...s.cases,
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

function findingCase(f: Finding, suite: Suite): string {
  const open = `    <testcase classname="${attr(f.location.file)}" name="${attr(f.resource.id)}" file="${attr(f.location.file)}"${lineAttr(f.location.line)}`;
  const where = formatLocation(f.location.file, f.location.line, f.location.column);
  const expired = describeExpiredSuppression(f);
  const message = expired ? `${f.message} (${expired})` : f.message;
  const detail = `${message}\n\nrule: ${f.ruleId} (${f.risk})\nresource: ${f.resource.id} (${f.resource.type})\nat: ${where}`;
  if (f.suppressed) {
    suite.skipped++;
    return `${open}>\n      <skipped message="${attr(`${f.result} ${describeSuppression(f)}`)}"/>\n    </testcase>`;
  }
  switch (f.result) {
    case 'fail':
      suite.failures++;
      return `${open}>\n      <failure message="${attr(message)}" type="${attr(`${f.ruleId} ${f.risk}`)}">${text(detail)}</failure>\n    </testcase>`;
    case 'unknown':
      suite.errors++;
      return `${open}>\n      <error message="${attr(`unknown: ${message}`)}" type="unknown">${text(`The verdict is unknown: the check could not decide.\n${detail}`)}</error>\n    </testcase>`;
    case 'pass':
      return `${open}/>`;
  }
}

function errorCase(error: ScanError): string {
  const name = formatLocation(error.file, error.line);
  const message = errorText(error);
  return [
    `    <testcase classname="${ERRORS_SUITE}" name="${attr(name)}" file="${attr(error.file)}"${lineAttr(error.line)}>`,
    `      <error message="${attr(message)}" type="scan-error">${text(`${name}: ${message}`)}</error>`,
    '    </testcase>',
  ].join('\n');
}

function warningCase(warning: ScanError): string {
  const name = formatLocation(warning.file, warning.line);
  return [
    `    <testcase classname="${WARNINGS_SUITE}" name="${attr(name)}" file="${attr(warning.file)}"${lineAttr(warning.line)}>`,
    `      <skipped message="${attr(`warning: ${errorText(warning)}`)}"/>`,
    '    </testcase>',
  ].join('\n');
}

function lineAttr(line: number | undefined): string {
  return line !== undefined && Number.isInteger(line) && line >= 1 ? ` line="${line}"` : '';
}

/**
 * Characters XML 1.0 forbids even as references (most C0 controls, U+FFFE/U+FFFF, unpaired surrogates).
 * Messages quote scanned files, which may hold anything; one such character makes the whole file unparseable.
 */
const ILLEGAL_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function stripIllegalXml(value: string): string {
  return value.replace(ILLEGAL_XML, '');
}

/** Element content: `]]>` can't occur because `>` is escaped too. */
function text(value: string): string {
  return stripIllegalXml(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;')
    // DEL, C1 controls, line separators and bidi overrides: legal XML, but acted on by terminals
    // and editors showing the file; references read back as the same text.
    .replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `&#x${ch.charCodeAt(0).toString(16)};`);
}

/** Attribute values: whitespace is written as references, which parsers would otherwise normalise to spaces. */
function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** The escapers, for the diff's JUnit output. */
export { text as xmlText, attr as xmlAttr };
