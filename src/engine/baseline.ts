import { writeOutputFile } from '../write-file';
import { safeJson } from '../reporters/printable';
import { VERSION } from '../version';
import { readTextFile } from './files';
import { findingKey, type FailOn, type Finding, type ScanReport } from '../model/report';
import { expiredCount, findingCounts } from './report';

/**
 * Baselines: how a team adopts a scanner on a large estate. `--create-baseline FILE` records
 * today's failing and unknown findings by their stable key (findingKey: rule, resource id, file);
 * `--baseline FILE` suppresses the findings whose key is in it (source `baseline`), so only new
 * ones fail. The file is input from the repository, written by whoever wants their notebook to
 * pass; it is honoured because the command line names it, and all it can do is list keys: it is
 * bounded in size, read into a Set of 64-hex-digit keys, and nothing else in it is used.
 */

export const BASELINE_VERSION = 1;
/** Bounds on what a baseline may hold: ~120 bytes an entry, so 100,000 entries fit in 8 MB. */
export const MAX_BASELINE_BYTES = 8 * 1024 * 1024;
export const MAX_BASELINE_ENTRIES = 100_000;
const KEY = /^[0-9a-f]{64}$/;

/** A baseline that can't be used (missing, malformed, too new, too large): bad usage, exit code 2. */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  /** When it was made (ISO 8601, UTC). */
  created: string;
  tool: { name: 'cloudconform'; version: string };
  /**
   * `key` and `result` are what matter (a baselined unknown that becomes a failure is new: the
   * verdict got worse); the rest is for people reading the file. `root`: see Finding.resource.root.
   */
  entries: { key: string; result: 'fail' | 'unknown'; ruleId: string; resource: string; file: string; root?: string }[];
}

/** What a baseline records: failures and unknowns that no inline skip, Checkov skip or exception suppresses. */
function recorded(f: Finding): boolean {
  return (f.result === 'fail' || f.result === 'unknown') && !f.suppressed;
}

/** The baseline of a report, entries in report order (by file and line), one per key. */
export function createBaseline(report: ScanReport, now = new Date()): BaselineFile {
  const seen = new Set<string>();
  const entries: BaselineFile['entries'] = [];
  for (const f of report.findings) {
    if (!recorded(f)) continue;
    const key = findingKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({
      key,
      result: f.result as 'fail' | 'unknown',
      ruleId: f.ruleId,
      resource: f.resource.id,
      file: f.location.file,
      ...(f.resource.root !== undefined ? { root: f.resource.root } : {}),
    });
  }
  return { version: BASELINE_VERSION, created: now.toISOString(), tool: { name: 'cloudconform', version: VERSION }, entries };
}

export function writeBaseline(path: string, baseline: BaselineFile): void {
  try {
    writeOutputFile(path, safeJson(baseline, 2) + '\n', '--create-baseline');
  } catch (e) {
    throw new BaselineError((e as Error).message);
  }
}

/** A baseline as read: each key, and the verdict it was recorded with (absent: any). */
export type BaselineKeys = ReadonlyMap<string, 'fail' | 'unknown' | undefined>;

/** Reads a baseline file: its keys. Every problem is a BaselineError naming the file. */
export function loadBaseline(path: string): BaselineKeys {
  const read = readTextFile(path, { maxFileBytes: MAX_BASELINE_BYTES });
  // The reader's size message names --max-file-size, which does not apply here.
  if (!read.ok) throw new BaselineError(`--baseline ${path}: can't read: ${read.reason.replace(/ \(--max-file-size\)$/, '')}`);
  return readBaseline(path, read.text);
}

/** The keys of a baseline's text; `path` is for messages. */
export function readBaseline(path: string, text: string): BaselineKeys {
  const fail = (why: string) => new BaselineError(`--baseline ${path}: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw fail('not a baseline: expected a JSON object with version and entries');
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw fail('not a baseline: no version');
  if (version > BASELINE_VERSION) throw fail(`version ${version} was written by a newer cloudconform (this one reads version ${BASELINE_VERSION}): upgrade, or create the baseline again`);
  if (!Array.isArray(entries)) throw fail("'entries' must be a list");
  if (entries.length > MAX_BASELINE_ENTRIES) throw fail(`${entries.length} entries, over the limit of ${MAX_BASELINE_ENTRIES.toLocaleString('en-US')}`);
  const keys = new Map<string, 'fail' | 'unknown' | undefined>();
  entries.forEach((entry: unknown, i) => {
    const { key, result } = typeof entry === 'object' && entry !== null ? (entry as { key?: unknown; result?: unknown }) : {};
    if (typeof key !== 'string' || !KEY.test(key)) throw fail(`entries[${i}].key must be a finding key (64 hex digits)`);
    if (result !== undefined && result !== 'fail' && result !== 'unknown') throw fail(`entries[${i}].result must be fail or unknown`);
    // A key listed twice with different verdicts accepts either.
    keys.set(key, keys.has(key) && keys.get(key) !== result ? undefined : result);
  });
  return keys;
}

/**
 * Marks the failing and unknown findings whose key is in the baseline suppressed (source
 * `baseline`) and counts the summary again. A finding already suppressed keeps its suppression; a
 * baselined one no longer shows an expired suppression (the baseline accepts it as it is).
 */
export function applyBaseline(report: ScanReport, keys: BaselineKeys, path: string, failOn: FailOn): void {
  if (keys.size === 0) return;
  for (const f of report.findings) {
    if (!recorded(f)) continue;
    const key = findingKey(f);
    if (!keys.has(key)) continue;
    const result = keys.get(key);
    if (result !== undefined && result !== f.result) continue;
    f.suppressed = true;
    f.suppression = { reason: `in baseline ${path}`, source: 'baseline', file: path };
    delete f.expiredSuppression;
  }
  const s = report.summary;
  Object.assign(s, findingCounts(report.findings, failOn));
  delete s.expiredSuppressions;
  Object.assign(s, expiredCount(report.findings));
}
