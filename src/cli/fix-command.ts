import pc from 'picocolors';
import { ConfigError, findConfig } from '../engine/config';
import { GlobError } from '../engine/glob';
import { fix, type FixOutcome } from '../remediation/iac/fix';
import type { FixInputs } from '../remediation/iac/fixer';
import { FORMAT_FIXERS } from '../remediation/iac/format-fixers';
import { printable } from '../reporters/text';
import { safeJson } from '../reporters/printable';
import { parseRuleIds, UsageError } from './report-command';
import { readGivenParameters, terraformInputs, type OrderedOption } from './scan-command';
import { useColor, writeError } from './terminal';

export interface FixCommandOptions {
  dryRun?: boolean;
  subnetId?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
  vpcId?: string;
  config?: string;
  rules?: string;
  var: OrderedOption[];
  varFile: OrderedOption[];
  workspace?: string;
  parameter?: string[];
  parametersFile?: string[];
  followExternalSymlinks?: boolean;
  skipPath?: string[];
  format: 'text' | 'json';
  color: boolean;
}

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;

/**
 * Runs `cloudconform fix`; the exit code: 0 nothing left to fix (all fixed and the re-scan is
 * clean, or nothing failed), 1 something is left (a decision for a person, a failure still
 * there, or on a dry run changes to make), 2 incomplete (a file could not be read, parsed or
 * written) or bad usage.
 */
export async function runFixCommand(paths: string[], opts: FixCommandOptions): Promise<number> {
  let outcome: FixOutcome;
  try {
    const config = findConfig(opts.config, process.cwd(), paths.length ? paths : ['.']);
    const ruleIds = opts.rules === undefined ? undefined : parseRuleIds(opts.rules);
    outcome = await fix(
      paths.length ? paths : ['.'],
      {
        config,
        ruleIds,
        inputs: fixInputs(opts),
        dryRun: opts.dryRun === true,
        terraform: terraformInputs(opts),
        cloudFormationParameters: readGivenParameters(opts),
        followExternalSymlinks: opts.followExternalSymlinks === true,
        skipPaths: opts.skipPath ?? [],
      },
      FORMAT_FIXERS,
    );
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof GlobError) {
      writeError(e.message);
      return 2;
    }
    throw e;
  }
  const color = opts.color && useColor(process.stdout);
  process.stdout.write(opts.format === 'json' ? `${safeJson(outcome, 2)}\n` : renderText(outcome, opts.dryRun === true, color));
  if (outcome.errors.length > 0) return 2;
  const left = outcome.manual.length > 0 || (outcome.remaining?.length ?? 0) > 0 || (opts.dryRun === true && outcome.diffs.length > 0);
  return left ? 1 : 0;
}

/** The values given on the command line, checked for shape (AWS checks that they exist). */
export function fixInputs(opts: Pick<FixCommandOptions, 'subnetId' | 'subnetIds' | 'securityGroupIds' | 'vpcId'>): FixInputs {
  const check = (option: string, values: string[], pattern: RegExp, example: string) => {
    const bad = values.find((v) => !pattern.test(v));
    if (bad !== undefined) throw new UsageError(`${option}: '${bad}' is not a valid id (e.g. ${example})`);
  };
  const inputs: FixInputs = {};
  if (opts.subnetId !== undefined) {
    check('--subnet-id', [opts.subnetId], SUBNET_ID, 'subnet-0123456789abcdef0');
    inputs['subnet-id'] = opts.subnetId;
  }
  if (opts.subnetIds !== undefined) {
    if (opts.subnetIds.length === 0) throw new UsageError('--subnet-ids: give at least one subnet id');
    check('--subnet-ids', opts.subnetIds, SUBNET_ID, 'subnet-0123456789abcdef0');
    inputs['subnet-ids'] = opts.subnetIds;
  }
  if (opts.securityGroupIds !== undefined) {
    if (opts.securityGroupIds.length === 0) throw new UsageError('--security-group-ids: give at least one security group id');
    check('--security-group-ids', opts.securityGroupIds, SECURITY_GROUP_ID, 'sg-0123456789abcdef0');
    inputs['security-group-ids'] = opts.securityGroupIds;
  }
  if (opts.vpcId !== undefined) {
    check('--vpc-id', [opts.vpcId], VPC_ID, 'vpc-0123456789abcdef0');
    inputs['vpc-id'] = opts.vpcId;
  }
  return inputs;
}

function renderText(o: FixOutcome, dryRun: boolean, color: boolean): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  // Diffs, paths, ids and messages carry text from the templates: control characters and bidi
  // overrides are shown escaped (tabs, for indentation, stay).
  const safe = (text: string) => text.split('\t').map(printable).join('\t');
  // Only the patch's final line break goes: trimEnd() also took the CR of a CRLF file's last line.
  if (dryRun) for (const d of o.diffs) lines.push(...d.patch.replace(/\n$/, '').split('\n').map(safe));
  if (o.changes.length > 0) {
    lines.push(c.bold(dryRun ? 'Would change:' : 'Changed:'));
    for (const ch of o.changes) lines.push(safe(`  ${ch.file}:${ch.line}  ${ch.ruleId}  ${ch.resourceId}  ${ch.description}`));
  }
  if (o.manual.length > 0) {
    lines.push(c.bold(c.yellow('Needs your decision (left unchanged):')));
    for (const m of o.manual) lines.push(safe(`  ${m.file}:${m.line}  ${m.ruleId}  ${m.resourceId}  ${m.message}`));
  }
  if (o.errors.length > 0) {
    lines.push(c.bold(c.red('Errors:')));
    for (const e of o.errors) lines.push(safe(`  ${e.file}${e.line ? `:${e.line}` : ''}  ${e.message}`));
  }
  const files = dryRun ? o.diffs.length : o.written.length;
  const parts = [
    o.targets.length === 0 ? 'nothing to fix' : `${o.targets.length} failing resource finding${o.targets.length === 1 ? '' : 's'}`,
    `${o.changes.length} change${o.changes.length === 1 ? '' : 's'} ${dryRun ? 'to make' : 'made'} in ${files} file${files === 1 ? '' : 's'}`,
    `${o.manual.length} left to you`,
  ];
  if (o.remaining) parts.push(o.remaining.length === 0 ? c.green('re-scan: nothing fails') : c.red(`re-scan: ${o.remaining.length} still failing`));
  if (o.unknownAfter?.length) parts.push(c.yellow(`${o.unknownAfter.length} unknown until the parameters or variables fix added are given values`));
  if (dryRun && o.diffs.length > 0) parts.push(c.dim('dry run: nothing written'));
  lines.push(parts.join('; '));
  return `${lines.join('\n')}\n`;
}
