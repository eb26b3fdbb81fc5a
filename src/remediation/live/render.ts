// The plan and the journal as people read them on a terminal.
import type { RemediationJournal } from './journal';
import type { NotebookRemediationPlan } from './plan';

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
  return `${lines.join('\n')}\n`;
}

export function renderJournalText(journal: RemediationJournal, journalPath: string): string {
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
  const name = journal.plan.replacement.NotebookInstanceName;
  const outcome: Record<RemediationJournal['outcome'], string> = {
    done: `Done: '${name}' is InService in ${journal.plan.network.subnetId} with direct internet access disabled.`,
    'in-progress': 'Interrupted: run `cloudconform remediate resume` with the journal to continue.',
    failed: 'Failed: fix the cause, then run `cloudconform remediate resume` with the journal to continue.',
    'rolled-back': `Rolled back: '${name}' could not be made and was removed; '${journal.plan.source.name}' was left as it was.`,
    'rollback-failed': `The rollback failed: run \`cloudconform remediate resume\` with the journal to retry it.`,
  };
  lines.push(outcome[journal.outcome]);
  lines.push(`Journal: ${journalPath}`);
  return `${lines.join('\n')}\n`;
}
