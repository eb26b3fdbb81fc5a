// The journal of a Studio domain's `remediate apply`: the notebook journal's format (same file
// marker, version, step states and outcomes, same atomic write), with a domain plan. `resume`
// reads either kind through `readAnyJournal`.
import { readFileSync } from 'node:fs';
import { JOURNAL_FORMAT, JournalError, readJournal, writeFileAtomic, type RemediationJournal, type RunOutcome, type StepState } from './journal';
import type { DomainRemediationPlan, DomainStepId } from './domain-plan';

export interface DomainJournalStep {
  id: DomainStepId;
  title: string;
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  /** What the step saw and did, in order: states read, calls made, calls not repeated. */
  observed: string[];
  error?: string;
}

/** As the notebook journal; a domain run has no rollback (UpdateDomain changes nothing else). */
export interface DomainRemediationJournal {
  format: typeof JOURNAL_FORMAT;
  version: 1;
  startedAt: string;
  updatedAt: string;
  outcome: Exclude<RunOutcome, 'rolled-back' | 'rollback-failed'>;
  plan: DomainRemediationPlan;
  steps: DomainJournalStep[];
}

export type AnyRemediationJournal = RemediationJournal | DomainRemediationJournal;

export function newDomainJournal(plan: DomainRemediationPlan, now = new Date()): DomainRemediationJournal {
  return {
    format: JOURNAL_FORMAT,
    version: 1,
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    outcome: 'in-progress',
    plan,
    steps: plan.steps.map((s) => ({ id: s.id, title: s.title, state: 'pending', observed: [] })),
  };
}

export function writeDomainJournal(path: string, journal: DomainRemediationJournal, now = new Date()): void {
  journal.updatedAt = now.toISOString();
  writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`);
}

const DOMAIN_STEPS: readonly string[] = ['delete-apps', 'wait-apps-stopped', 'update-domain', 'wait-domain-vpc-only'];

/** Reads a journal of either kind; errors name the file and what is wrong. */
export function readAnyJournal(path: string): AnyRemediationJournal {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Unreadable or not JSON: the notebook reader says which, with the file's name.
    return readJournal(path);
  }
  if ((data as { plan?: { kind?: unknown } })?.plan?.kind !== 'domain') return readJournal(path);
  return checkDomainJournal(path, data);
}

function checkDomainJournal(path: string, data: unknown): DomainRemediationJournal {
  const j = data as Partial<DomainRemediationJournal>;
  if (j.format !== JOURNAL_FORMAT) throw new JournalError(`${path}: not a cloudconform remediate journal (no "format": "${JOURNAL_FORMAT}")`);
  if (j.version !== 1) throw new JournalError(`${path}: journal version ${String(j.version)} is not supported (this cloudconform writes version 1)`);
  const plan = j.plan;
  if (!plan?.domain?.id || plan.update?.DomainId !== plan.domain.id || !plan.connection?.region || !Array.isArray(plan.steps) || !plan.apps?.mode) {
    throw new JournalError(`${path}: the journal's plan is incomplete (domain, update, apps and region are required)`);
  }
  if (plan.steps.some((s) => !DOMAIN_STEPS.includes(s?.id))) throw new JournalError(`${path}: the journal's plan has an unknown step`);
  if (!Array.isArray(j.steps) || j.steps.length !== plan.steps.length || j.steps.some((s, i) => s?.id !== plan.steps[i]?.id)) {
    throw new JournalError(`${path}: the journal's steps don't match its plan`);
  }
  for (const [i, s] of j.steps.entries()) {
    if (!['pending', 'started', 'done', 'failed'].includes(s.state)) throw new JournalError(`${path}: step ${i + 1} (${s.id}) has an unknown state '${String(s.state)}'`);
    if (!Array.isArray(s.observed)) s.observed = [];
  }
  if (!['in-progress', 'done', 'failed'].includes(String(j.outcome))) throw new JournalError(`${path}: unknown outcome '${String(j.outcome)}'`);
  return j as DomainRemediationJournal;
}

export function isDomainJournal(journal: AnyRemediationJournal): journal is DomainRemediationJournal {
  return (journal.plan as { kind: string }).kind === 'domain';
}
