// The journal of one `remediate apply`, for a notebook plan or a Studio domain plan: the plan,
// each step's state and what was observed. It is rewritten after every change, atomically (temp
// file, fsync, rename), so a crash leaves either the previous journal or the new one, never half
// of one. `remediate resume` continues from it. It holds no credentials: the plan's connection
// names a region, a profile and an endpoint only.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DOMAIN_STEP_IDS, type DomainRemediationPlan } from './domain-plan';
import { NOTEBOOK_STEP_IDS, type NotebookRemediationPlan } from './plan';

export const JOURNAL_FORMAT = 'cloudconform-remediate-journal';

export type RemediationPlan = NotebookRemediationPlan | DomainRemediationPlan;

/** The ids of the steps a plan of that kind can hold. */
export type StepIdOf<P extends RemediationPlan> = P['steps'][number]['id'];

export type StepState = 'pending' | 'started' | 'done' | 'failed';

export interface JournalStep<Id extends string = string> {
  id: Id;
  title: string;
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  /** What the step saw and did, in order: states read, calls made, calls not repeated. */
  observed: string[];
  error?: string;
}

/**
 * `in-progress`: steps remain (or the run was interrupted); `failed`: a step failed, `resume`
 * retries it; `rolled-back`: the replacement could not be made and was removed, the source is as
 * it was; `rollback-failed`: removing it failed too, `resume` retries the rollback. A domain run
 * has no rollback (UpdateDomain changes nothing else), so never the last two.
 */
export type RunOutcome = 'in-progress' | 'done' | 'failed' | 'rolled-back' | 'rollback-failed';

export interface RollbackRecord {
  reason: string;
  state: 'started' | 'done' | 'failed';
  observed: string[];
  error?: string;
}

export interface RemediationJournal<P extends RemediationPlan> {
  format: typeof JOURNAL_FORMAT;
  version: 1;
  startedAt: string;
  updatedAt: string;
  outcome: RunOutcome;
  plan: P;
  steps: JournalStep<StepIdOf<P>>[];
  rollback?: RollbackRecord;
}

export type NotebookRemediationJournal = RemediationJournal<NotebookRemediationPlan>;
export type DomainRemediationJournal = RemediationJournal<DomainRemediationPlan>;
export type AnyRemediationJournal = NotebookRemediationJournal | DomainRemediationJournal;

export function isDomainJournal(journal: AnyRemediationJournal): journal is DomainRemediationJournal {
  return journal.plan.kind === 'domain';
}

export function newJournal<P extends RemediationPlan>(plan: P, now = new Date()): RemediationJournal<P> {
  return {
    format: JOURNAL_FORMAT,
    version: 1,
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    outcome: 'in-progress',
    plan,
    steps: plan.steps.map((s: { id: StepIdOf<P>; title: string }) => ({ id: s.id, title: s.title, state: 'pending', observed: [] })),
  };
}

/** `./cloudconform-remediate-NAME-20260101T120000Z.json`, NAME being the notebook or the domain id. */
export function defaultJournalPath(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return resolve(`cloudconform-remediate-${name}-${stamp}.json`);
}

/**
 * Replaces `path` with `text` atomically: the text goes to a temp file in the same directory,
 * is flushed to disk, and is renamed over `path` (rename is atomic within a file system).
 */
export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  // The rename itself is durable once the directory is flushed.
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems can't fsync a directory; the rename is still atomic.
  }
}

export function writeJournal<P extends RemediationPlan>(path: string, journal: RemediationJournal<P>, now = new Date()): void {
  journal.updatedAt = now.toISOString();
  writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`);
}

export class JournalError extends Error {
  override name = 'JournalError';
}

/** What a journal's plan must hold to be resumed, by the plan's kind. */
const PLAN_KINDS: Record<RemediationPlan['kind'], { complete(plan: RemediationPlan): boolean; required: string; stepIds: readonly string[]; outcomes: readonly RunOutcome[] }> = {
  notebook: {
    complete: (plan) => plan.kind === 'notebook' && Boolean(plan.source?.name && plan.replacement?.NotebookInstanceName && plan.connection?.region),
    required: 'source, replacement and region',
    stepIds: NOTEBOOK_STEP_IDS,
    outcomes: ['in-progress', 'done', 'failed', 'rolled-back', 'rollback-failed'],
  },
  domain: {
    complete: (plan) => plan.kind === 'domain' && Boolean(plan.domain?.id && plan.update?.DomainId === plan.domain.id && plan.connection?.region && plan.apps?.mode),
    required: 'domain, update, apps and region',
    stepIds: DOMAIN_STEP_IDS,
    outcomes: ['in-progress', 'done', 'failed'],
  },
};

/** Reads and checks a journal of either kind; errors name the file and what is wrong. */
export function readJournal(path: string): AnyRemediationJournal {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new JournalError(`${path}: can't read the journal: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new JournalError(`${path}: not a journal (invalid JSON: ${(e as Error).message})`);
  }
  const j = data as Partial<AnyRemediationJournal> | null;
  if (j?.format !== JOURNAL_FORMAT) throw new JournalError(`${path}: not a cloudconform remediate journal (no "format": "${JOURNAL_FORMAT}")`);
  if (j.version !== 1) throw new JournalError(`${path}: journal version ${String(j.version)} is not supported (this cloudconform writes version 1)`);
  const plan = j.plan;
  // A plan of no known kind is read as a notebook plan (the first kind), which it then fails.
  const kind = plan?.kind === 'domain' ? 'domain' : 'notebook';
  const checks = PLAN_KINDS[kind];
  if (!plan || !Array.isArray(plan.steps) || !checks.complete(plan)) {
    throw new JournalError(`${path}: the journal's plan is incomplete (${checks.required} are required)`);
  }
  if (plan.steps.some((s) => !checks.stepIds.includes(s?.id))) throw new JournalError(`${path}: the journal's plan has an unknown step`);
  if (!Array.isArray(j.steps) || j.steps.length !== plan.steps.length || j.steps.some((s, i) => s?.id !== plan.steps[i]?.id)) {
    throw new JournalError(`${path}: the journal's steps don't match its plan`);
  }
  for (const [i, s] of j.steps.entries()) {
    if (!['pending', 'started', 'done', 'failed'].includes(s.state)) throw new JournalError(`${path}: step ${i + 1} (${s.id}) has an unknown state '${String(s.state)}'`);
    if (!Array.isArray(s.observed)) s.observed = [];
  }
  if (!checks.outcomes.includes(j.outcome as RunOutcome)) throw new JournalError(`${path}: unknown outcome '${String(j.outcome)}'`);
  return j as AnyRemediationJournal;
}
