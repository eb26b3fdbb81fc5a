// `cloudconform diff` for people: the runs compared, then the changes grouped (new, regressed,
// resolved, still failing, newly suppressed, suppression expired, not evaluated), then the counts.
// Every value from a report (ids, paths, messages, labels) is escaped with printable().
import pc from 'picocolors';
import type { Finding } from '../model/report';
import type { ChangeKind, FindingChange } from '../history/types';
import type { DiffReport } from './diff-report';
import { printable } from './printable';
import { describeExpiredSuppression, describeSuppression, formatLocation, plural, resourceLabel } from './shared';

type Colors = ReturnType<typeof pc.createColors>;

const GROUPS: { kind: ChangeKind; title: string; style: (c: Colors) => (s: string) => string }[] = [
  { kind: 'new', title: 'New', style: (c) => (s) => c.bold(c.red(s)) },
  { kind: 'regressed', title: 'Regressed (passing or resolved before)', style: (c) => (s) => c.bold(c.red(s)) },
  { kind: 'resolved', title: 'Resolved', style: (c) => (s) => c.bold(c.green(s)) },
  { kind: 'still-failing', title: 'Still failing', style: (c) => c.bold },
  { kind: 'newly-suppressed', title: 'Newly suppressed', style: (c) => (s) => c.bold(c.yellow(s)) },
  { kind: 'suppression-expired', title: 'Suppression expired', style: (c) => (s) => c.bold(c.yellow(s)) },
  { kind: 'not-evaluated', title: 'Not evaluated (failing before; not checked this time, so not resolved)', style: (c) => (s) => c.bold(c.dim(s)) },
];

const COUNT_WORDS: Record<ChangeKind, string> = {
  new: 'new',
  regressed: 'regressed',
  resolved: 'resolved',
  'still-failing': 'still failing',
  'newly-suppressed': 'newly suppressed',
  'suppression-expired': 'suppression expired',
  'not-evaluated': 'not evaluated',
  unchanged: 'unchanged',
};

export function renderDiffText(diff: DiffReport, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const lines: string[] = [];
  const scope = diff.current?.scope ?? diff.previous?.scope;
  lines.push(c.bold(`Changes${scope ? ` in ${printable(scope.key)}` : ''}`));
  lines.push(`  before: ${side(diff.labels.previous, diff.previous)}`);
  lines.push(`  after:  ${side(diff.labels.current, diff.current)}`);
  for (const group of GROUPS) {
    const changes = diff.changes.filter((ch) => ch.change === group.kind);
    if (changes.length === 0) continue;
    lines.push('', group.style(c)(`${group.title}: ${changes.length}`));
    for (const change of changes) lines.push(...changeLines(change, c));
  }
  if (diff.notes?.length) {
    lines.push('', c.bold('Notes'));
    for (const note of diff.notes) lines.push(`  ${printable(note)}`);
  }
  lines.push('');
  const shown = (Object.keys(COUNT_WORDS) as ChangeKind[]).filter((k) => k === 'new' || k === 'regressed' || k === 'resolved' || diff.counts[k] > 0);
  lines.push(`  ${shown.map((k) => `${printable(String(diff.counts[k]))} ${COUNT_WORDS[k]}`).join(', ')}`);
  const blocking = diff.counts.new + diff.counts.regressed;
  lines.push(blocking > 0 ? c.red(`  ${plural(blocking, 'failure')} new or regressed (exit code 1)`) : c.green('  nothing new or regressed'));
  return lines.join('\n');
}

function side(label: string, run: DiffReport['current']): string {
  if (!run) return `${printable(label)} (no run recorded in it)`;
  const when = run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  const given = label === run.id ? '' : ` (${printable(label)})`;
  return `${printable(run.id)}${given}, ${run.command} of ${printable(run.scope.label)} at ${printable(when)}`;
}

function changeLines(change: FindingChange, c: Colors): string[] {
  const f = change.finding;
  const head = `  ${printable(f.ruleId)}  ${printable(String(f.risk))}  ${printable(where(f))}  ${printable(resourceLabel(f))}`;
  const lines = [head, `      ${printable(message(change))}`];
  return lines.map((l, i) => (i === 0 ? l : c.dim(l)));
}

function where(f: Finding): string {
  return formatLocation(f.location.file, f.location.line, f.location.column);
}

/** What to say under a change: the finding's message, and what changed about it. */
function message(change: FindingChange): string {
  const f = change.finding;
  switch (change.change) {
    case 'resolved':
      return f.result === 'pass' ? `now passes (was: ${change.previous?.message ?? 'failing'})` : `gone where this run looked (was: ${f.message})`;
    case 'newly-suppressed':
      return `${f.message} [${f.result} ${describeSuppression(f)}]`;
    case 'suppression-expired':
      return `${f.message} (${describeExpiredSuppression(f) ?? 'suppression expired'})`;
    case 'not-evaluated':
      return f.result === 'unknown' ? `unknown this time: ${f.message}` : `last seen failing: ${f.message}`;
    default:
      return f.message;
  }
}
