// `cloudconform diff --format junit`: one suite per kind of change, one test case per finding.
// New and regressed failures are <failure> (they make `diff` exit 1); still failing, newly
// suppressed, suppression expired and not evaluated are <skipped> with what changed (shown, not
// red: they were there before); resolved ones pass.
import type { ChangeKind, FindingChange } from '../history/types';
import type { DiffReport } from './diff-report';
import { xmlAttr, xmlText } from './junit';
import { BLOCKING_CHANGES } from './diff-report';
import { formatLocation } from './shared';

const ORDER: ChangeKind[] = ['new', 'regressed', 'resolved', 'still-failing', 'newly-suppressed', 'suppression-expired', 'not-evaluated'];

export function renderDiffJunit(diff: DiffReport): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const kind of ORDER) {
    const changes = diff.changes.filter((c) => c.change === kind);
    if (changes.length === 0) continue;
    const fails = BLOCKING_CHANGES.includes(kind) ? changes.length : 0;
    const skips = kind === 'resolved' || fails ? 0 : changes.length;
    tests += changes.length;
    failures += fails;
    skipped += skips;
    suites.push(`  <testsuite name="cloudconform.diff.${kind}" tests="${changes.length}" failures="${fails}" errors="0" skipped="${skips}">`);
    for (const c of changes) suites.push(testCase(c, kind));
    suites.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cloudconform diff" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
  ].join('\n');
}

function testCase(c: FindingChange, kind: ChangeKind): string {
  const f = c.finding;
  const where = formatLocation(f.location.file, f.location.line, f.location.column);
  const line = Number.isInteger(f.location.line) && f.location.line >= 1 ? ` line="${f.location.line}"` : '';
  const open = `    <testcase classname="${xmlAttr(`${f.ruleId} ${f.location.file}`)}" name="${xmlAttr(f.resource.id)}" file="${xmlAttr(f.location.file)}"${line}`;
  const detail = `${f.message}\n\nchange: ${kind}\nrule: ${f.ruleId} (${f.risk})\nresource: ${f.resource.id} (${f.resource.type})\nat: ${where}`;
  if (BLOCKING_CHANGES.includes(kind)) {
    return `${open}>\n      <failure message="${xmlAttr(`${kind}: ${f.message}`)}" type="${xmlAttr(`${f.ruleId} ${f.risk}`)}">${xmlText(detail)}</failure>\n    </testcase>`;
  }
  if (kind === 'resolved') return `${open}/>`;
  return `${open}>\n      <skipped message="${xmlAttr(`${kind}: ${f.message}`)}"/>\n    </testcase>`;
}
