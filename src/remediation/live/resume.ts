// `remediate resume`: continues a run of either kind from its journal, with that kind's steps:
// done steps are skipped, the others observe the world first; a finished or rolled-back run is
// left as it is.
import { notebookFlow, type ApplyOptions } from './apply';
import type { LiveClients } from './clients';
import { domainFlow, type DomainApplyOptions } from './domain-apply';
import { isDomainJournal, type AnyRemediationJournal } from './journal';
import { runSteps } from './step-runner';

/** The settings of both flows; a crash point names the steps of one kind, so it is not among them. */
export type ResumeOptions = Omit<ApplyOptions, 'crash'> & Omit<DomainApplyOptions, 'crash'>;

export async function resumeRun(clients: LiveClients, journal: AnyRemediationJournal, options: ResumeOptions): Promise<AnyRemediationJournal> {
  return isDomainJournal(journal)
    ? runSteps(journal, domainFlow(clients, journal.plan, options), options)
    : runSteps(journal, notebookFlow(clients, journal.plan, options), options);
}
