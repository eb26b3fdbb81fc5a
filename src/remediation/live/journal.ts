// The journal of one `remediate apply`, for a notebook plan or a Studio domain plan: the plan,
// each step's state and what was observed. It is rewritten after every change, atomically (temp
// file, fsync, rename), so a crash leaves either the previous journal or the new one, never half
// of one. `remediate resume` continues from it. It holds no credentials and no endpoint or
// profile: the plan's connection is its region only; resume connects as its own command line
// says. Every write is signed (journal-key.ts) and a journal whose signature does not verify is
// not read, so an edited journal can't make resume act on anything it did not plan.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { journalSignatureProblem, signJournalBody } from './journal-key';
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

/** Why a run can't go on as planned, and the commands that plan it again. */
export interface ReplanAdvice {
  reason: string;
  commands: string[];
}

export const JOURNAL_VERSION = 2;

export interface RemediationJournal<P extends RemediationPlan> {
  format: typeof JOURNAL_FORMAT;
  version: typeof JOURNAL_VERSION;
  startedAt: string;
  updatedAt: string;
  outcome: RunOutcome;
  plan: P;
  steps: JournalStep<StepIdOf<P>>[];
  rollback?: RollbackRecord;
  /** Set when the world changed so that only a new plan can go on (e.g. the replacement was deleted). */
  replan?: ReplanAdvice;
  /** What steps learnt and later steps check, e.g. the replacement's CreationTime once this run made it. */
  facts?: Record<string, string>;
  /** `hmac-sha256:…` over everything else (journal-key.ts). */
  signature?: string;
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
    version: JOURNAL_VERSION,
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
  // Exclusive, under a random name: never written through a file or link planted there.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
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
  const { signature: _, ...body } = journal;
  journal.signature = signJournalBody(body, journal.plan.account);
  writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`);
}

export class JournalError extends Error {
  override name = 'JournalError';
}

/** What a journal's plan must hold to be resumed, by the plan's kind. */
const PLAN_KINDS: Record<RemediationPlan['kind'], { complete(plan: RemediationPlan): boolean; required: string; stepIds: readonly string[]; outcomes: readonly RunOutcome[] }> = {
  notebook: {
    complete: (plan) =>
      plan.kind === 'notebook' && Boolean(plan.source?.name && plan.source.arn && plan.source.creationTime && plan.replacement?.NotebookInstanceName && plan.connection?.region && plan.account),
    required: "source (name, ARN and creation time), replacement, account and region",
    stepIds: NOTEBOOK_STEP_IDS,
    outcomes: ['in-progress', 'done', 'failed', 'rolled-back', 'rollback-failed'],
  },
  domain: {
    complete: (plan) =>
      plan.kind === 'domain' &&
      Boolean(plan.domain?.id && plan.domain.arn && plan.domain.creationTime && plan.update?.DomainId === plan.domain.id && plan.connection?.region && plan.account && plan.apps?.mode),
    required: 'domain (id, ARN and creation time), update, apps, account and region',
    stepIds: DOMAIN_STEP_IDS,
    outcomes: ['in-progress', 'done', 'failed'],
  },
};

/** A journal is a few kilobytes; anything near this is not one. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;

/** Reads and checks a journal of either kind; errors name the file and what is wrong. */
export function readJournal(path: string): AnyRemediationJournal {
  let text: string;
  try {
    // Non-blocking open and a regular file only: a FIFO or a device would hang or never end.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error('not a regular file');
      if (stat.size > MAX_JOURNAL_BYTES) throw new Error(`${stat.size} bytes: a journal has far less than ${MAX_JOURNAL_BYTES}`);
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
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
  if ((j.version as number) === 1) {
    throw new JournalError(
      `${path}: refused, nothing was changed: this journal was written by an earlier cloudconform, unsigned and without the creation time resume checks the ${j.plan?.kind === 'domain' ? 'domain' : 'source notebook'} against; plan and apply again`,
    );
  }
  if (j.version !== JOURNAL_VERSION) throw new JournalError(`${path}: journal version ${String(j.version)} is not supported (this cloudconform writes version ${JOURNAL_VERSION})`);
  const { signature, ...body } = j;
  const unsigned = journalSignatureProblem(body, String(j.plan?.account ?? ''), signature);
  if (unsigned) {
    throw new JournalError(
      `${path}: refused, nothing was changed: ${unsigned}. resume acts only on a journal exactly as cloudconform wrote it: plan and apply again`,
    );
  }
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
