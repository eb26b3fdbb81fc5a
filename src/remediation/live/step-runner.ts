// Runs a remediation plan's steps in order, for notebooks (apply.ts) and Studio domains
// (domain-apply.ts) alike, writing the journal after every change. Each flow supplies its steps,
// its settings and, if it has one, its rollback; every step first observes the world and does only
// what is left, so a step interrupted after its call, before the journal said so, is never
// repeated. `resume` runs the same loop on a journal read back: done steps are skipped.
import { awsErrorCode, describeAwsError, redactSecrets } from '../../sources/aws/errors';
import type { LiveClients } from './clients';
import { existsSync } from 'node:fs';
import { JournalError, newJournal, writeJournal, type RemediationJournal, type RemediationPlan, type ReplanAdvice, type StepIdOf } from './journal';
import { withJournalLock } from './journal-lock';

/** How waits poll (seconds): the SDK waiters for notebooks, DescribeDomain for domains. Both take minutes. */
export interface WaitSettings {
  minDelay: number;
  maxDelay: number;
  maxWaitTime: number;
}

export const DEFAULT_WAITS: WaitSettings = { minDelay: 15, maxDelay: 60, maxWaitTime: 60 * 60 };

/** Tests only: where to stop the process as if it had been killed. */
export interface CrashPoint<Id extends string = string> {
  step: Id;
  /** `after-call`: right after the step's (first) mutating call, before the journal records it; `after-step`: after the journal says done. */
  at: 'after-call' | 'after-step';
}

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * The world changed so that this run can't go on (e.g. its replacement was deleted by someone):
 * the journal keeps `advice`, the commands that plan it again, instead of "fix the cause".
 */
export class NeedsReplan extends Error {
  override name = 'NeedsReplan';
  constructor(readonly advice: ReplanAdvice) {
    super(advice.reason);
  }
}

export interface RunOptions<Id extends string> {
  journalPath: string;
  /** How waits poll (default `DEFAULT_WAITS`). */
  waits?: WaitSettings;
  /** One line per thing done, for a terminal. */
  onProgress?: (line: string) => void;
  crash?: CrashPoint<Id>;
  now?: () => Date;
}

/** What every step of a flow reads. */
export interface StepSettings<P extends RemediationPlan> {
  clients: LiveClients;
  plan: P;
  waits: WaitSettings;
  /** Seconds between the polls no SDK waiter makes: the backup's marker object (notebooks), ListApps (domains). */
  pollSeconds: number;
}

export function stepSettings<P extends RemediationPlan>(clients: LiveClients, plan: P, options: RunOptions<StepIdOf<P>>, pollSeconds = 15): StepSettings<P> {
  return { clients, plan, waits: options.waits ?? DEFAULT_WAITS, pollSeconds };
}

/** What a step (or the rollback) is given besides its flow's settings. */
export interface StepRecorder {
  /** Records what was seen or done, in the journal and on the terminal. */
  note(line: string): void;
  /** Called right after a mutating call. */
  afterCall(): void;
  /** Keeps a fact in the journal (saved with the step) for later steps and resumes. */
  remember(key: string, value: string): void;
  /** A fact an earlier step kept, if any. */
  recall(key: string): string | undefined;
}

/** What a step (or the rollback) runs with. */
export type StepContext<P extends RemediationPlan> = StepSettings<P> & StepRecorder;

export interface StepFlow<P extends RemediationPlan> {
  settings: StepSettings<P>;
  steps: Record<StepIdOf<P>, (ctx: StepContext<P>) => Promise<void>>;
  /**
   * Runs once before any step (and before a rollback is retried): checks, against AWS, that the
   * resource the plan names is still the one that was planned. Throws when it is not; nothing is
   * changed then.
   */
  preflight?: (ctx: StepContext<P>) => Promise<void>;
  /** A failed step's error, as the journal records it (default: `describeStepError`). */
  describeError?: (e: unknown) => string;
  /** Undoes what a failed step left behind, when `after` says its error calls for it. */
  rollback?: {
    after(e: unknown): boolean;
    run(ctx: StepContext<P>): Promise<void>;
  };
}

/** A plain Error says it all in its message; an AWS error gets its code and attempts. */
export function describeStepError(e: unknown): string {
  return awsErrorCode(e) === 'Error' ? String((e as Error)?.message ?? e) : describeAwsError(e);
}

/** Starts a run holding the journal's lock: writes the journal with every step pending, then runs them. */
export async function startRun<P extends RemediationPlan>(
  plan: P,
  flow: StepFlow<P>,
  options: RunOptions<StepIdOf<P>>,
): Promise<RemediationJournal<P>> {
  const now = options.now ?? (() => new Date());
  return withJournalLock(options.journalPath, (line) => options.onProgress?.(line), async () => {
    // Another run's record is never overwritten: it may be the only account of what that run did.
    if (existsSync(options.journalPath)) throw new JournalError(`${options.journalPath}: a journal is already there: resume it, or give apply another --journal; nothing was changed`);
    const journal = newJournal(plan, now());
    writeJournal(options.journalPath, journal, now());
    return runSteps(journal, flow, options);
  });
}

/**
 * Continues an interrupted or failed run from its journal: done steps are skipped, the others
 * observe the world first. A finished run is left as it is; a rolled-back run is not restarted;
 * a failed rollback is retried. The caller holds the journal's lock (`startRun` does; `remediate
 * resume` takes it before reading the journal). Everything recorded or shown goes through
 * `redactSecrets`: AWS messages, failure reasons and S3 markers can carry keys or tokens.
 */
export async function runSteps<P extends RemediationPlan>(
  journal: RemediationJournal<P>,
  flow: StepFlow<P>,
  options: RunOptions<StepIdOf<P>>,
): Promise<RemediationJournal<P>> {
  const now = options.now ?? (() => new Date());
  const save = () => writeJournal(options.journalPath, journal, now());
  const describe = (e: unknown) => redactSecrets((flow.describeError ?? describeStepError)(e));
  const ctxFor = (step: RemediationJournal<P>['steps'][number]): StepContext<P> => ({
    ...flow.settings,
    note(raw) {
      const line = redactSecrets(raw);
      step.observed.push(line);
      options.onProgress?.(`${step.id}: ${line}`);
    },
    afterCall() {
      if (options.crash?.step === step.id && options.crash.at === 'after-call') throw new SimulatedCrash(`simulated crash after the call of ${step.id}`);
    },
    ...factsOf(journal),
  });

  if (journal.outcome === 'done' || journal.outcome === 'rolled-back') return journal;
  // The step that runs next carries a failed preflight, so the journal says where it stopped.
  const next = journal.steps.find((s) => s.state !== 'done');
  if (flow.preflight && next) {
    try {
      await flow.preflight(ctxFor(next));
    } catch (e) {
      if (journal.outcome === 'rollback-failed' && journal.rollback) {
        journal.rollback.error = describe(e);
        options.onProgress?.(`rollback: REFUSED: ${journal.rollback.error}`);
      } else {
        next.state = 'failed';
        next.error = describe(e);
        next.finishedAt = now().toISOString();
        journal.outcome = 'failed';
        options.onProgress?.(`${next.id}: REFUSED: ${next.error}`);
      }
      save();
      return journal;
    }
  }
  if (journal.outcome === 'rollback-failed') {
    if (flow.rollback) await rollBack(journal, flow.rollback.run, flow, options, save);
    return journal;
  }
  journal.outcome = 'in-progress';
  delete journal.replan;
  save();

  for (const step of journal.steps) {
    if (step.state === 'done') continue;
    step.state = 'started';
    step.startedAt = now().toISOString();
    delete step.error;
    save();
    try {
      await flow.steps[step.id](ctxFor(step));
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      step.state = 'failed';
      step.error = describe(e);
      step.finishedAt = now().toISOString();
      if (e instanceof NeedsReplan) journal.replan = { reason: step.error, commands: e.advice.commands.map(redactSecrets) };
      options.onProgress?.(`${step.id}: FAILED: ${step.error}`);
      if (flow.rollback?.after(e)) {
        journal.rollback = { reason: step.error, state: 'started', observed: [] };
        save();
        await rollBack(journal, flow.rollback.run, flow, options, save);
      } else {
        journal.outcome = 'failed';
        save();
      }
      return journal;
    }
    step.state = 'done';
    step.finishedAt = now().toISOString();
    save();
    if (options.crash?.step === step.id && options.crash.at === 'after-step') throw new SimulatedCrash(`simulated crash after ${step.id}`);
  }
  journal.outcome = 'done';
  save();
  return journal;
}

function factsOf<P extends RemediationPlan>(journal: RemediationJournal<P>): Pick<StepRecorder, 'remember' | 'recall'> {
  return {
    remember: (key, value) => void ((journal.facts ??= {})[key] = value),
    recall: (key) => (typeof journal.facts?.[key] === 'string' ? journal.facts[key] : undefined),
  };
}

/** Runs the flow's rollback, recording it in the journal: `rolled-back`, or `rollback-failed` for resume to retry. */
async function rollBack<P extends RemediationPlan>(
  journal: RemediationJournal<P>,
  run: (ctx: StepContext<P>) => Promise<void>,
  flow: StepFlow<P>,
  options: RunOptions<StepIdOf<P>>,
  save: () => void,
): Promise<void> {
  const record = (journal.rollback ??= { reason: 'resumed', state: 'started', observed: [] });
  record.state = 'started';
  delete record.error;
  const ctx: StepContext<P> = {
    ...flow.settings,
    note(raw) {
      const line = redactSecrets(raw);
      record.observed.push(line);
      options.onProgress?.(`rollback: ${line}`);
    },
    afterCall() {},
    ...factsOf(journal),
  };
  try {
    await run(ctx);
    record.state = 'done';
    journal.outcome = 'rolled-back';
  } catch (e) {
    record.state = 'failed';
    record.error = redactSecrets((flow.describeError ?? describeStepError)(e));
    journal.outcome = 'rollback-failed';
  }
  save();
}
