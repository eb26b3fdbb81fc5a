// A domain's plan and journal as people read them on a terminal.
import type { DomainRemediationJournal } from './domain-journal';
import { describeApp, type DomainRemediationPlan } from './domain-plan';

export function renderDomainPlanText(plan: DomainRemediationPlan): string {
  const { domain, update, network } = plan;
  const lines: string[] = [];
  lines.push(`Plan: switch Studio domain '${domain.id}' (${domain.name}) to VpcOnly network access`);
  lines.push(`  account ${plan.account || 'unknown'}, region ${plan.connection.region}`);
  lines.push('');
  lines.push(`Domain: ${domain.arn}`);
  lines.push(`  status ${domain.status}, AppNetworkAccessType ${domain.appNetworkAccessType ?? 'not set (AWS default: PublicInternetOnly)'}`);
  lines.push(`  VPC ${domain.vpcId}, subnets ${domain.subnetIds.join(', ') || 'none'}, app security groups ${domain.securityGroups.join(', ') || 'none'}`);
  lines.push('');
  lines.push('UpdateDomain:');
  lines.push(`  DomainId              ${update.DomainId}`);
  lines.push(`  AppNetworkAccessType  ${update.AppNetworkAccessType}`);
  if (update.DefaultUserSettings?.SecurityGroups) lines.push(`  DefaultUserSettings   SecurityGroups=${update.DefaultUserSettings.SecurityGroups.join(', ')} (${network.vpcId})`);
  if (update.SubnetIds) lines.push(`  SubnetIds             ${update.SubnetIds.join(', ')} (${network.vpcId})`);
  lines.push('');
  if (plan.blockingApps.length === 0) lines.push('Apps blocking the switch (InService, Pending or Deleting): none');
  else {
    lines.push(`Apps blocking the switch (UpdateDomain refuses while any is InService, Pending or Deleting): ${plan.blockingApps.length}`);
    for (const app of plan.blockingApps) lines.push(`  - ${describeApp(app)}`);
  }
  lines.push('');
  lines.push('Steps:');
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.title}`));
  lines.push('');
  lines.push('What VpcOnly needs from the VPC:');
  for (const need of plan.vpcOnlyNeeds) lines.push(`  - ${need}`);
  lines.push('');
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}

export function renderDomainJournalText(journal: DomainRemediationJournal, journalPath: string): string {
  const lines: string[] = [];
  for (const [i, s] of journal.steps.entries()) {
    lines.push(`${String(i + 1).padStart(2)}. [${s.state}] ${s.title}`);
    if (s.error) lines.push(`      error: ${s.error}`);
  }
  const outcome: Record<DomainRemediationJournal['outcome'], string> = {
    done: `Done: Studio domain '${journal.plan.domain.id}' is InService with AppNetworkAccessType VpcOnly.`,
    'in-progress': 'Interrupted: run `cloudconform remediate resume` with the journal to continue.',
    failed: 'Failed: fix the cause, then run `cloudconform remediate resume` with the journal to continue.',
  };
  lines.push(outcome[journal.outcome]);
  lines.push(`Journal: ${journalPath}`);
  return `${lines.join('\n')}\n`;
}
