// A notebook's plan, and the journal of either kind of run, as people read them on a terminal.
import { shellQuote } from './backup-scripts';
import { isDomainJournal, type AnyRemediationJournal } from './journal';
import type { NotebookRemediationPlan } from './plan';

// Control characters and line separators, in text shown on a terminal.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Lines for a terminal: names, tags and messages from AWS are data, so a control character in them
 * (an ESC sequence, a carriage return, a newline) is shown as `\uXXXX`, never acted on.
 */
export function terminalText(lines: string[]): string {
  return `${lines.map((line) => line.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('\n')}\n`;
}

/** A shell word: plain when it can't be misread, single-quoted otherwise. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9._/:=,@+-]+$/.test(value) ? value : shellQuote(value);
}

/**
 * The `remediate plan` and `remediate apply` command lines that plan this remediation again, with
 * the plan's own target, region, network and options (add --profile/--endpoint-url as you use
 * them: the journal keeps neither).
 */
export function replanCommands(plan: NotebookRemediationPlan): string[] {
  const args = [
    plan.source.name,
    '--region', plan.connection.region,
    '--subnet-id', plan.network.subnetId,
    '--security-group-ids', plan.network.securityGroupIds.join(','),
    '--new-name', plan.replacement.NotebookInstanceName,
    ...(plan.deleteSource ? ['--delete-source'] : []),
    ...(plan.backup ? ['--backup-to', plan.backup.uri, '--backup-timeout', String(plan.backup.timeoutMinutes)] : []),
  ].map(shellWord);
  return [`cloudconform remediate plan ${args.join(' ')}`, `cloudconform remediate apply ${args.join(' ')}`];
}

function value(v: unknown): string {
  if (Array.isArray(v)) return v.map((item) => (item && typeof item === 'object' && 'Key' in item ? `${String(item.Key)}=${String(item.Value)}` : value(item))).join(', ');
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${value(x)}`).join(', ');
  return String(v);
}

export function renderPlanText(plan: NotebookRemediationPlan): string {
  const { source, replacement, network } = plan;
  const lines: string[] = [];
  lines.push(`Plan: re-create notebook instance '${source.name}' in a VPC subnet, without direct internet access`);
  lines.push(`  account ${plan.account || 'unknown'}, region ${plan.connection.region}`);
  lines.push('');
  lines.push(`Source: ${source.arn}`);
  lines.push(`  status ${source.status}, DirectInternetAccess ${source.directInternetAccess ?? 'not set (AWS default: Enabled)'}, ${source.subnetId ? `subnet ${source.subnetId}` : 'no subnet'}`);
  lines.push('');
  lines.push(`New notebook instance '${replacement.NotebookInstanceName}' (CreateNotebookInstance):`);
  const width = Math.max(...Object.keys(replacement).map((k) => k.length));
  for (const [key, v] of Object.entries(replacement)) {
    if (v === undefined) continue;
    const extra = key === 'SubnetId' ? ` (${network.vpcId})` : '';
    lines.push(`  ${key.padEnd(width)}  ${value(v)}${extra}`);
  }
  lines.push('');
  lines.push('Steps:');
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.title}`));
  if (!plan.deleteSource) lines.push(`  ('${source.name}' is not stopped or deleted: add --delete-source for that)`);
  lines.push('');
  lines.push('Not carried over:');
  for (const item of plan.notCarriedOver) lines.push(`  - ${item}`);
  lines.push('');
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`);
  return terminalText(lines);
}

/** The steps' states, the rollback if there was one, and what the outcome means for a person. */
export function renderJournalText(journal: AnyRemediationJournal, journalPath: string): string {
  const lines: string[] = [];
  for (const [i, s] of journal.steps.entries()) {
    lines.push(`${String(i + 1).padStart(2)}. [${s.state}] ${s.title}`);
    if (s.error) lines.push(`      error: ${s.error}`);
  }
  if (journal.rollback) {
    lines.push(`Rollback (${journal.rollback.state}): ${journal.rollback.reason}`);
    for (const o of journal.rollback.observed) lines.push(`      ${o}`);
    if (journal.rollback.error) lines.push(`      error: ${journal.rollback.error}`);
  }
  if (journal.replan) {
    lines.push(`Plan again: ${journal.replan.reason}`);
    lines.push('Review the new plan, then apply it:');
    for (const command of journal.replan.commands) lines.push(`  ${command}`);
  } else lines.push(outcomeText(journal));
  lines.push(`Journal: ${journalPath}`);
  return terminalText(lines);
}

function outcomeText(journal: AnyRemediationJournal): string {
  switch (journal.outcome) {
    case 'in-progress':
      return 'Interrupted: run `cloudconform remediate resume` with the journal to continue.';
    case 'failed':
      return 'Failed: fix the cause, then run `cloudconform remediate resume` with the journal to continue.';
    case 'rollback-failed':
      return `The rollback failed: run \`cloudconform remediate resume\` with the journal to retry it.`;
  }
  // Done, or (notebooks only) rolled back.
  if (isDomainJournal(journal)) return `Done: Studio domain '${journal.plan.domain.id}' is InService with AppNetworkAccessType VpcOnly.`;
  const name = journal.plan.replacement.NotebookInstanceName;
  return journal.outcome === 'done'
    ? `Done: '${name}' is InService in ${journal.plan.network.subnetId} with direct internet access disabled.`
    : `Rolled back: '${name}' could not be made and was removed; '${journal.plan.source.name}' was left as it was.`;
}
