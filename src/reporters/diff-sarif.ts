// `cloudconform diff --format sarif`: the findings of both sides as SARIF results, each with
// SARIF's own `baselineState` (new, unchanged, updated, absent) and our `change` in its properties,
// so a SARIF viewer shows what the second run added and fixed. Results are written by the report's
// SARIF reporter (one result shape everywhere) and then marked.
import type { Finding, ScanReport } from '../model/report';
import type { ChangeKind, FindingChange } from '../history/types';
import { VERSION } from '../version';
import { shownFinding, type DiffReport } from './diff-report';
import { safeJson } from './printable';
import { FINGERPRINT_KEY, renderSarif } from './sarif';

type BaselineState = 'new' | 'unchanged' | 'updated' | 'absent';

function baselineState(change: FindingChange): BaselineState {
  const kind: ChangeKind = change.change;
  switch (kind) {
    case 'new':
    case 'regressed':
      return 'new';
    case 'resolved':
      return 'absent';
    case 'newly-suppressed':
    case 'suppression-expired':
      return 'updated';
    case 'still-failing':
      return changed(change.previous, change.finding) ? 'updated' : 'unchanged';
    default:
      // not-evaluated: still open as far as anyone knows.
      return 'unchanged';
  }
}

/** A material change: what it says, its risk or verdict (a line moved is not one: the fingerprint ignores lines). */
function changed(before: Finding | undefined, after: Finding): boolean {
  if (!before) return false;
  return before.message !== after.message || before.risk !== after.risk || before.result !== after.result;
}

export function renderDiffSarif(diff: DiffReport): string {
  const report: ScanReport = {
    version: 1,
    tool: diff.tool ?? { name: 'cloudconform', version: VERSION },
    rules: diff.rules,
    findings: diff.changes.map(shownFinding),
    errors: [],
    ...(diff.notes?.length ? { notes: diff.notes.map((message) => ({ message })) } : {}),
    summary: { resources: 0, findings: 0, pass: 0, fail: 0, unknown: 0, suppressed: 0, errors: 0, filesScanned: 0, failing: 0 },
  };
  const log = JSON.parse(renderSarif(report));
  const byKey = new Map(diff.changes.map((c) => [c.key, c]));
  const run = log.runs[0];
  for (const result of run.results as { partialFingerprints: Record<string, string>; baselineState?: BaselineState; properties: Record<string, unknown> }[]) {
    const change = byKey.get(result.partialFingerprints[FINGERPRINT_KEY]!);
    if (!change) continue;
    result.baselineState = baselineState(change);
    result.properties.change = change.change;
  }
  run.properties = {
    ...(diff.previous ? { previousRun: diff.previous.id } : {}),
    ...(diff.current ? { currentRun: diff.current.id } : {}),
    ...(diff.current?.scope ?? diff.previous?.scope ? { scope: (diff.current?.scope ?? diff.previous?.scope)!.key } : {}),
    counts: diff.counts,
  };
  return safeJson(log, 2);
}
