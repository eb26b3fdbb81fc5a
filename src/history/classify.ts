// Classifies a run's findings against the previous state of its scope (pure: no I/O, no clock).
//
// The state the history stores per scope is `StateEntry[]` (returned as `state`, given back as
// `previousState` next run): one entry per finding key, in compareFindings order, JSON-safe.
//   { key: findingKey(finding), finding: the finding as last seen, standing, since: run id }
// `standing` is what the key last was: 'failing' (a failure, not suppressed), 'suppressed' (a
// failure or unknown, suppressed), 'passing', 'unknown' (not suppressed), or 'resolved' (failing
// once, then passing or gone where a run looked). `since`: the id of the run that set the standing.
// A failing key the run did not evaluate, or could not decide (unknown now), keeps its entry
// unchanged: the last failure stays the evidence until a run looks again (Prowler #1626 archived
// what a partial run never checked).
//
// The classification, previous standing (rows) by what this run says of the key (columns):
//
//                 failing        suppressed        passing    unknown        gone, looked  not looked
//   (none)        new            newly-suppressed  unchanged  unchanged      -             -
//   failing       still-failing  newly-suppressed  resolved   not-evaluated  resolved      not-evaluated
//   suppressed    still-failing* unchanged         resolved   not-evaluated  resolved      not-evaluated
//   passing       regressed      newly-suppressed  unchanged  unchanged      (dropped)     (kept)
//   unknown       new            newly-suppressed  unchanged  unchanged      (dropped)     (kept)
//   resolved      regressed      newly-suppressed  unchanged  unchanged      (kept)        (kept)
//
//   * suppression-expired when the finding now carries an expired suppression; a suppression
//     removed by hand is still-failing (it was failing all along, behind the suppression).
// - A failure that becomes unknown is `not-evaluated`, not resolved and not "still failing": this
//   run could not decide, so nothing is claimed; the entry keeps the last failure.
// - `newly-suppressed` also covers a finding suppressed now that was not failing before (a new
//   failure suppressed in the same change is shown, not hidden).
// - "Looked" means the finding's place and rule were evaluated by this run (RunInfo.evaluated):
//   scans: the file was read, no error entry without `resourceType` covers it (the file, a
//   directory above it, or for Terraform another file of its module directory), the rule ran,
//   and for a module or nested stack instance its root was read without error too; audits: the
//   account and region's listing completed for the rule (a region listed completely with zero
//   resources resolves what was there: Prowler #2190 kept those); event runs (`evaluated.resources`):
//   the resource (account, region, ARN) was described, or found gone, with the rule. An event run
//   says nothing of anything else: every other entry passes through unchanged and is not among
//   its changes (no `not-evaluated`, no resolved entry dropped).
// - Resolved entries are kept for RESOLVED_KEPT_DAYS after they resolve, so a failure coming back
//   is `regressed`; after that they are dropped (the state stays bounded) and it would be `new`.
// - Two findings of one run with the same key (should not happen) count as the worst of them.
import { compareFindings, compareStrings, findingKey, liveIdentityOf, type Finding, type RunEvaluated, type RunInfo, type ScanReport } from '../model/report';
import type { ChangeKind, FindingChange, RunComparison } from './types';

export type Standing = 'failing' | 'suppressed' | 'passing' | 'unknown' | 'resolved';
/** Every standing. The SQLite store encodes a standing as its index here: append only. */
export const STANDINGS: readonly Standing[] = ['failing', 'suppressed', 'passing', 'unknown', 'resolved'];

/** One finding key's last known state in a scope (see the file header). */
export interface StateEntry {
  key: string;
  finding: Finding;
  standing: Standing;
  /** The run that set `standing`. */
  since: string;
}

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'new',
  'regressed',
  'still-failing',
  'resolved',
  'newly-suppressed',
  'suppression-expired',
  'not-evaluated',
  'unchanged',
];

/** Resolved entries are kept this long after they resolve (see the header). */
export const RESOLVED_KEPT_DAYS = 400;

/** previousRun and the current run are of different scopes: the caller compared the wrong runs. */
export class ScopeMismatchError extends Error {
  constructor(
    readonly previousScope: string,
    readonly currentScope: string,
  ) {
    super(`the runs are of different scopes ('${previousScope}' and '${currentScope}'): only runs of the same scope can be compared`);
    this.name = 'ScopeMismatchError';
  }
}

export function emptyCounts(): Record<ChangeKind, number> {
  return Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
}

/** What a finding says of its key. */
export function standingOf(f: Finding): Exclude<Standing, 'resolved'> {
  if (f.result === 'pass') return 'passing';
  if (f.suppressed) return 'suppressed';
  return f.result === 'fail' ? 'failing' : 'unknown';
}

const WORST: readonly Standing[] = ['passing', 'suppressed', 'unknown', 'failing'];

export interface ClassifyOptions {
  /**
   * Whether a file named by a previous finding is gone from the disk now (the history passes a
   * check when it records a scan in the process that ran it; a diff of two report files has none).
   * Only files below the run's `evaluated.roots` are asked about.
   */
  fileGone?: (path: string) => boolean;
}

/**
 * Classifies `current` against the scope's previous state. `previousRun` is the run that state
 * was last updated by (absent for a scope's first run); `current.run` is required (a report
 * without one: give it a RunInfo, e.g. with inferEvaluated). Throws ScopeMismatchError when the
 * two runs are of different scopes.
 */
export function classify(
  previousState: readonly StateEntry[] | undefined,
  previousRun: RunInfo | undefined,
  current: ScanReport,
  options: ClassifyOptions = {},
): { comparison: RunComparison; state: StateEntry[] } {
  const run = current.run;
  if (!run) throw new TypeError('classify: the current report has no run');
  if (previousRun && previousRun.scope.key !== run.scope.key) throw new ScopeMismatchError(previousRun.scope.key, run.scope.key);

  const seen = new Map<string, Finding>();
  for (const f of current.findings) {
    const key = findingKey(f);
    const had = seen.get(key);
    if (!had || WORST.indexOf(standingOf(f)) > WORST.indexOf(standingOf(had))) seen.set(key, f);
  }
  const previous = new Map<string, StateEntry>();
  for (const entry of previousState ?? []) previous.set(entry.key, entry);
  const looked = evaluatedPlaces(current, options.fileGone);
  // An event run says nothing of the resources it did not describe: their entries pass through
  // as they were, out of its changes (an event for one notebook made every other failure of the
  // account `not-evaluated`). Also what lets the DynamoDB store read only the described ones.
  const silent = run.evaluated.resources !== undefined;
  // The keys the live source gives those resources' findings (id the ARN, file aws://ACCOUNT/REGION):
  // any other entry passes through without its body being read (the SQLite store reads bodies
  // lazily; reading 20,000 of them made an event batch cost 150 ms). An entry of a described
  // resource under another key (not written by the live source) is left as it was: nothing resolved.
  const described = new Set(
    (run.evaluated.resources ?? []).flatMap((r) =>
      r.ruleIds.map((ruleId) => findingKey({ ruleId, resource: { id: r.arn } as Finding['resource'], location: { file: `aws://${r.account}/${r.region}`, line: 0 } })),
    ),
  );
  const cutoff = Date.parse(run.startedAt) - RESOLVED_KEPT_DAYS * 86_400_000;

  const changes: FindingChange[] = [];
  const state: StateEntry[] = [];
  /** Event runs: the entries passed through, still in the previous state's order. */
  const untouched: StateEntry[] = [];
  for (const [key, finding] of seen) {
    const before = previous.get(key);
    const now = standingOf(finding);
    const change = transition(before, finding, now);
    changes.push({ key, change, finding, ...(before ? { previous: before.finding } : {}) });
    if (now === 'unknown' && before && (before.standing === 'failing' || before.standing === 'suppressed')) {
      state.push(before); // undecided: the last failure stays the evidence
    } else {
      state.push({ key, finding, standing: now, since: before?.standing === now ? before.since : run.id });
    }
  }
  for (const [key, before] of previous) {
    if (seen.has(key)) continue;
    const wasFailing = before.standing === 'failing' || before.standing === 'suppressed';
    const here = silent && !described.has(key) ? false : looked(before.finding);
    if (silent && !here) {
      untouched.push(before);
    } else if (wasFailing) {
      changes.push({ key, change: here ? 'resolved' : 'not-evaluated', finding: before.finding, previous: before.finding });
      state.push(here ? { key, finding: before.finding, standing: 'resolved', since: run.id } : before);
    } else if (before.standing === 'resolved') {
      // Kept a while so that a failure coming back is `regressed` (see RESOLVED_KEPT_DAYS).
      if (!(resolvedAt(before, previousRun) < cutoff)) state.push(before);
    } else if (!here) {
      state.push(before); // passing or unknown where this run did not look: as it was
    }
  }
  const order = (a: { key: string; finding: Finding }, b: { key: string; finding: Finding }) =>
    compareFindings(a.finding, b.finding) || compareStrings(a.key, b.key);
  changes.sort(order);
  state.sort(order);
  // Merged in, not sorted with the rest: comparing reads a finding's body, and the SQLite store
  // reads the previous state's bodies lazily (an event batch of 10 against 20,000 entries took
  // 270-430 ms sorting them all; merging reads about 15 per entry moved). The previous state is in
  // this order: classify wrote it.
  // (Not spliced in as arguments: a state of a few hundred thousand entries overflows the stack.)
  const merged = untouched.length ? mergeSorted(untouched, state, order) : state;
  const counts = emptyCounts();
  for (const c of changes) counts[c.change]++;
  return { comparison: { ...(previousRun ? { previous: previousRun } : {}), current: run, changes, counts }, state: merged };
}

/** `into` and `add`, both sorted by `order`, as one sorted list (binary search: few comparisons with `into`'s entries). */
function mergeSorted<T>(into: readonly T[], add: readonly T[], order: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  let from = 0;
  for (const x of add) {
    let lo = from;
    let hi = into.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order(into[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = from; i < lo; i++) out.push(into[i]!);
    out.push(x);
    from = lo;
  }
  for (let i = from; i < into.length; i++) out.push(into[i]!);
  return out;
}

function transition(before: StateEntry | undefined, finding: Finding, now: Exclude<Standing, 'resolved'>): ChangeKind {
  const was = before?.standing;
  switch (now) {
    case 'failing':
      if (was === 'failing') return 'still-failing';
      if (was === 'suppressed') return finding.expiredSuppression ? 'suppression-expired' : 'still-failing';
      return was === 'passing' || was === 'resolved' ? 'regressed' : 'new';
    case 'suppressed':
      return was === 'suppressed' ? 'unchanged' : 'newly-suppressed';
    case 'passing':
      return was === 'failing' || was === 'suppressed' ? 'resolved' : 'unchanged';
    case 'unknown':
      return was === 'failing' || was === 'suppressed' ? 'not-evaluated' : 'unchanged';
  }
}

/** When a resolved entry resolved: its run id's time (ids start with the time), else the previous run's start. */
function resolvedAt(entry: StateEntry, previousRun: RunInfo | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(entry.since);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return previousRun ? Date.parse(previousRun.startedAt) : NaN;
}

/** Forward slashes, no leading `./`: as findingKey spells a file. */
function normalPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

const TERRAFORM_FILE = /\.tf(\.json)?$/i;
const TFVARS_FILE = /\.tfvars(\.json)?$/i;


/**
 * Whether a finding's place and rule were evaluated by the report's run: where a finding missing
 * from it may be resolved (see the header).
 */
export function evaluatedPlaces(report: ScanReport, fileGone?: (path: string) => boolean): (f: Finding) => boolean {
  const evaluated: RunEvaluated = report.run?.evaluated ?? {};
  const roots = (evaluated.roots ?? []).map(normalPath);
  // A file below a directory the scan walked that is gone now: deleted, so nothing in it fails.
  const deleted = (path: string): boolean =>
    fileGone !== undefined &&
    roots.some((root) => (root === '.' ? !path.startsWith('/') && !path.startsWith('../') : path.startsWith(root.endsWith('/') ? root : `${root}/`))) &&
    fileGone(path);
  const files = new Set((evaluated.files ?? []).map(normalPath));
  const dirs = new Set<string>();
  for (const file of files) for (let d = dirOf(file); !dirs.has(d); d = dirOf(d)) {
    dirs.add(d);
    if (d === '.' || d === '/') break;
  }
  const ran = new Set(report.rules.map((r) => r.id));
  const regions = new Map<string, Set<string>>();
  for (const r of evaluated.regions ?? []) {
    const k = `${r.account}/${r.region}`;
    const set = regions.get(k) ?? new Set<string>();
    for (const id of r.ruleIds) set.add(id);
    regions.set(k, set);
  }
  // Event runs: each resource described, by account, region and exact ARN (JSON: no separator to forge).
  const resources = new Map<string, Set<string>>();
  for (const r of evaluated.resources ?? []) {
    const k = JSON.stringify([r.account, r.region, r.arn]);
    const set = resources.get(k) ?? new Set<string>();
    for (const id of r.ruleIds) set.add(id);
    resources.set(k, set);
  }
  // What this run did not fully evaluate, so nothing there is resolved by absence:
  // - every error entry's file (or directory, or option). Errors pinned on one resource count too:
  //   the report keeps only those of types some rule checks (the others are warnings), and one
  //   (a duplicate resource Terraform refuses) can make that resource's finding vanish from its file;
  // - every scan note's file: notes say what was not evaluated (a module or nested stack that is
  //   remote or unreadable, a macro, a file that is not regular). Red team: a module call moved to
  //   a remote source resolved its instances; the scan's own note said it did not look.
  const checked = new Set(report.rules.flatMap((r) => r.resourceTypes ?? []));
  const errored = [...report.errors.filter((e) => e.resourceType === undefined || checked.has(e.resourceType)).map((e) => e.file), ...(report.notes ?? []).flatMap((n) => (n.file !== undefined ? [n.file] : []))].map(normalPath);
  const erroredSet = new Set(errored);
  const erroredTfDirs = new Set(errored.filter((e) => TERRAFORM_FILE.test(e) || TFVARS_FILE.test(e)).map(dirOf));
  // An error not about a path (an internal error) may touch any file.
  const anyFile = errored.some((e) => e === '' || e === '.' || e.startsWith('--'));
  // A variable file outside every directory read (a --var-file): any root module may have read it.
  const tfDirs = new Set([...files].filter((f) => TERRAFORM_FILE.test(f)).map(dirOf));
  const anyTerraform = errored.some((e) => TFVARS_FILE.test(e) && !tfDirs.has(dirOf(e)));
  const covered = (path: string): boolean => {
    if (anyFile || erroredSet.has(path) || erroredTfDirs.has(path) || (TERRAFORM_FILE.test(path) && (anyTerraform || erroredTfDirs.has(dirOf(path))))) return true;
    for (let d = dirOf(path); ; d = dirOf(d)) {
      if (erroredSet.has(d)) return true;
      if (d === '.' || d === '/' || d === dirOf(d)) return false;
    }
  };
  return (f) => {
    if (!ran.has(f.ruleId)) return false;
    const place = liveIdentityOf(f);
    if (place) {
      return regions.get(`${place.account}/${place.region}`)?.has(f.ruleId) === true || resources.get(JSON.stringify([place.account, place.region, place.arn]))?.has(f.ruleId) === true;
    }
    const file = normalPath(f.location.file);
    if (covered(file)) return false;
    if (!files.has(file)) return deleted(file);
    if (f.resource.root === undefined) return true;
    // A module or nested stack instance: its root (a file or a directory) must have been read too, or be gone.
    const root = normalPath(f.resource.root);
    return ((files.has(root) || dirs.has(root)) && !covered(root)) || deleted(root);
  };
}

/**
 * What a report without a `run` (written before 0.2) shows it evaluated: the files or regions
 * where it has findings and no error. A file or region whose resources are all gone is not among
 * them, so its old findings stay not-evaluated rather than resolved.
 */
export function inferEvaluated(report: ScanReport): RunEvaluated {
  const files = new Set<string>();
  const regions = new Map<string, { account: string; region: string; ruleIds: Set<string> }>();
  const erroredRegions = new Set(report.errors.map((e) => (e.account && e.region ? `${e.account}/${e.region}` : e.file.replace(/^aws:\/\//, ''))));
  for (const f of report.findings) {
    const place = liveIdentityOf(f);
    if (!place) {
      files.add(f.location.file);
      continue;
    }
    const k = `${place.account}/${place.region}`;
    if (erroredRegions.has(k) || erroredRegions.has(place.account)) continue;
    const entry = regions.get(k) ?? { ...place, ruleIds: new Set<string>() };
    entry.ruleIds.add(f.ruleId);
    regions.set(k, entry);
  }
  const out: RunEvaluated = {};
  if (files.size) out.files = [...files].sort(compareStrings);
  if (regions.size) {
    out.regions = [...regions.values()]
      .map((r) => ({ account: r.account, region: r.region, ruleIds: [...r.ruleIds].sort(compareStrings) }))
      .sort((a, b) => compareStrings(a.account, b.account) || compareStrings(a.region, b.region));
  }
  return out;
}
