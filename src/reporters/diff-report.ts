// What `cloudconform diff` reports: the changes between two runs of one scope, in every format.
// The JSON form is a contract like the report's (documented in the README):
//   { version: 1, kind: 'diff', tool, previous?: RunInfo, current?: RunInfo, counts, changes, notes? }
// `changes` holds every finding key whose change is not `unchanged`, in compareFindings order, each
// { change, key, finding, previous? } (FindingChange); `counts` counts every key, unchanged too.
// `previous`/`current` are absent for a report written before 0.2 (it has no run).
import type { Finding, RunInfo } from '../model/report';
import type { RuleMeta } from '../rules/rule';
import type { ChangeKind, FindingChange } from '../history/types';
import { safeJson } from './printable';
import { renderDiffJunit } from './diff-junit';
import { renderDiffSarif } from './diff-sarif';
import { renderDiffText } from './diff-text';

export interface DiffReport {
  version: 1;
  kind: 'diff';
  tool: { name: 'cloudconform'; version: string };
  previous?: RunInfo;
  current?: RunInfo;
  counts: Record<ChangeKind, number>;
  changes: FindingChange[];
  /** What a reader must know about the comparison (a report without a run, ...). */
  notes?: string[];
  /** Both sides' rules, for formats that describe them (SARIF); not in the JSON contract. */
  rules: RuleMeta[];
  /** What each side was given as (run ids or files), for people. */
  labels: { previous: string; current: string };
}

/** The finding a change shows: what failed before for one resolved by passing (a pass is not a result). */
export function shownFinding(change: FindingChange): Finding {
  if (change.change === 'resolved' && change.finding.result === 'pass' && change.previous) return change.previous;
  return change.finding;
}

/** The kinds that make `diff` exit 1. */
export const BLOCKING_CHANGES: readonly ChangeKind[] = ['new', 'regressed'];

/** The formats a diff can be written in; the other report formats say they are not available. */
export const DIFF_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function isDiffFormat(format: string): format is DiffFormat {
  return (DIFF_FORMATS as readonly string[]).includes(format);
}

export function renderDiffJson(diff: DiffReport): string {
  return safeJson(
    {
      version: diff.version,
      kind: diff.kind,
      tool: diff.tool,
      ...(diff.previous ? { previous: diff.previous } : {}),
      ...(diff.current ? { current: diff.current } : {}),
      counts: diff.counts,
      changes: diff.changes.map((c) => ({ change: c.change, key: c.key, finding: c.finding, ...(c.previous ? { previous: c.previous } : {}) })),
      ...(diff.notes?.length ? { notes: diff.notes } : {}),
    },
    2,
  );
}

/** The diff in one format, without a trailing newline. */
export function renderDiff(diff: DiffReport, format: DiffFormat, options: { color: boolean }): string {
  switch (format) {
    case 'json':
      return renderDiffJson(diff);
    case 'text':
      return renderDiffText(diff, options);
    case 'sarif':
      return renderDiffSarif(diff);
    case 'junit':
      return renderDiffJunit(diff);
  }
}
