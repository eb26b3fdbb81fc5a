import { writeFileSync } from 'node:fs';
import { ALL_RULES, findRule } from '../rules/index';
import {
  GUARDRAIL_DESCRIPTIONS,
  GUARDRAIL_RULE_IDS,
  GUARDRAIL_TYPES,
  guardrailPolicy,
  hasGuardrail,
  renderPolicy,
  type GuardrailType,
  type PolicyDocument,
} from '../remediation/guardrail/policies';

export interface GuardrailCommandOptions {
  type?: GuardrailType;
  /** Comma-separated rule ids or aliases. */
  rules?: string;
  format?: 'text' | 'json';
  /** Write here instead of standard output. */
  output?: string;
}

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const PROCESS_IO: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class GuardrailUsageError extends Error {}

/** Canonical rule ids for `--rules`, in rule order; every rule with a guardrail when absent. */
function selectRules(spec: string | undefined): string[] {
  if (spec === undefined) return [...GUARDRAIL_RULE_IDS];
  const wanted = spec.split(',').map((id) => id.trim()).filter(Boolean);
  if (wanted.length === 0) throw new GuardrailUsageError('--rules: no rule ids given');
  const ids = new Set<string>();
  for (const id of wanted) {
    const rule = findRule(id);
    if (!rule) throw new GuardrailUsageError(`--rules: no rule '${id}' (see 'cloudconform rules')`);
    if (!hasGuardrail(rule.meta.id)) {
      throw new GuardrailUsageError(`--rules: ${rule.meta.id} has no preventive policy (rules with one: ${GUARDRAIL_RULE_IDS.join(', ')})`);
    }
    ids.add(rule.meta.id);
  }
  return ALL_RULES.map((r) => r.meta.id).filter((id) => ids.has(id));
}

/**
 * What `cloudconform guardrail` prints. Text: one type alone is the bare policy JSON (ready for
 * `aws organizations create-policy --content file://...`); both types come one after the other,
 * each after a `#` header line. JSON: `{ "scp": ..., "iam": ... }` with the selected types.
 */
export function renderGuardrails(types: readonly GuardrailType[], ruleIds: readonly string[], format: 'text' | 'json'): string {
  const policies = types.map((type) => [type, guardrailPolicy(type, ruleIds)] as [GuardrailType, PolicyDocument]);
  if (format === 'json') return JSON.stringify(Object.fromEntries(policies), null, 2) + '\n';
  if (policies.length === 1) return renderPolicy(policies[0]![1]) + '\n';
  return policies.map(([type, doc]) => `# ${GUARDRAIL_DESCRIPTIONS[type]}\n${renderPolicy(doc)}\n`).join('\n');
}

/** Runs `cloudconform guardrail`; returns the exit code: 0 printed (or written), 2 bad usage or unwritable file. */
export function runGuardrailCommand(opts: GuardrailCommandOptions, io: CommandIo = PROCESS_IO): number {
  try {
    const format = opts.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new GuardrailUsageError(`--format: '${format}' is not text or json`);
    if (opts.type !== undefined && !GUARDRAIL_TYPES.includes(opts.type)) throw new GuardrailUsageError(`--type: '${opts.type}' is not scp or iam`);
    const types = opts.type ? [opts.type] : [...GUARDRAIL_TYPES];
    const ruleIds = selectRules(opts.rules);
    const text = renderGuardrails(types, ruleIds, format);
    if (opts.output !== undefined) {
      try {
        writeFileSync(opts.output, text);
      } catch (e) {
        throw new GuardrailUsageError(`--output: cannot write ${opts.output}: ${(e as Error).message}`);
      }
      io.stderr(`cloudconform: wrote ${types.join(' and ')} polic${types.length === 1 ? 'y' : 'ies'} for ${ruleIds.join(', ')} to ${opts.output}\n`);
    } else {
      io.stdout(text);
    }
    // A lone policy has no header in its output: say what it is where it won't end up in the JSON.
    if (types.length === 1 && format === 'text') io.stderr(`${GUARDRAIL_DESCRIPTIONS[types[0]!]}\n`);
    return 0;
  } catch (e) {
    if (e instanceof GuardrailUsageError) {
      io.stderr(`cloudconform: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
