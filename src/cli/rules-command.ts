import { ALL_RULES, findRule } from '../rules/index';

export function listRules(opts: { json?: boolean }): string {
  if (opts.json) return JSON.stringify(ALL_RULES.map((r) => r.meta), null, 2) + '\n';
  const rows = ALL_RULES.map((r) => [r.meta.id, r.meta.risk, r.meta.resourceTypes.join(', '), r.meta.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n') + '\n';
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
    '',
  ].join('\n');
  return header + '\n' + rule.page().trimEnd() + '\n';
}
