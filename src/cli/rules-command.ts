import { requirementsOf } from '../compliance/index';
import { ALL_RULES, findRule } from '../rules/index';

/** The requirement ids a rule assesses, per standard id (standards in id order). */
function requirementIds(ruleId: string): Record<string, string[]> {
  const byStandard: Record<string, string[]> = {};
  for (const { standard, requirement } of requirementsOf(ruleId)) (byStandard[standard.id] ??= []).push(requirement.id);
  return byStandard;
}

/** `  pci-dss-4.0   1.3.2, 1.4.1, 1.4.4` lines, one per standard. */
function requirementLines(ruleId: string, indent: string): string[] {
  const entries = Object.entries(requirementIds(ruleId));
  const width = Math.max(0, ...entries.map(([id]) => id.length));
  return entries.map(([id, reqs]) => `${indent}${id.padEnd(width)}  ${reqs.join(', ')}`);
}

export function listRules(opts: { json?: boolean }): string {
  if (opts.json) return JSON.stringify(ALL_RULES.map((r) => ({ ...r.meta, requirements: requirementIds(r.meta.id) })), null, 2) + '\n';
  const rows = ALL_RULES.map((r) => [r.meta.id, r.meta.risk, r.meta.resourceTypes.join(', '), r.meta.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '));
  const requirements = ALL_RULES.flatMap((r) => [`  ${r.meta.id}`, ...requirementLines(r.meta.id, '    ')]);
  return [...table, '', 'Requirements each rule assesses (cloudconform report --standard ID):', ...requirements].join('\n') + '\n';
}

export function explainRule(id: string): string | undefined {
  const rule = findRule(id);
  if (!rule) return undefined;
  const { meta } = rule;
  const header = [
    `${meta.id} — ${meta.title}`,
    `Risk: ${meta.risk}    Standards: ${meta.standards.join(', ')}`,
    `Resources: ${meta.resourceTypes.join(', ')}`,
    `Also known as: ${meta.aliases.map((a) => `${a.tool} ${a.id}`).join('; ')}`,
    'Requirements it assesses (cloudconform report --standard ID):',
    ...requirementLines(meta.id, '  '),
    '',
  ].join('\n');
  return header + '\n' + rule.page().trimEnd() + '\n';
}
