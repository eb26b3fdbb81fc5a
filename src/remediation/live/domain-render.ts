// A domain's plan as people read it on a terminal (its journal: `renderJournalText` in render.ts).
import { describeApp, type DomainRemediationPlan } from './domain-plan';
import { terminalText } from './render';

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
  return terminalText(lines);
}
