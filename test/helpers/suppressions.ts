// Shared by the suppression and baseline tests: the built command run in a temporary tree.
import { spawnSync } from 'node:child_process';

const CLI = new URL('../../bin/cloudconform.js', import.meta.url).pathname;

/** Runs the built CLI in `cwd` (so report paths are relative to the tree), colour off. */
export function runCli(args: string[], cwd: string) {
  const { NO_COLOR, FORCE_COLOR, CLOUDCONFORM_CONFIG, CLOUDCONFORM_FORMAT, CLOUDCONFORM_FAIL_ON, ...base } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, NO_COLOR: '1' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `scan --format json`, parsed (throws with the output when it is not JSON). */
export function scanJson(args: string[], cwd: string) {
  const r = runCli(['scan', ...args, '--format', 'json'], cwd);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, report };
}

/** A Terraform notebook open to the internet; `inside` lines go in its block, `above` before it. */
export function notebookTf(name: string, inside: string[] = [], above: string[] = []): string {
  return [
    ...above,
    `resource "aws_sagemaker_notebook_instance" "${name}" {`,
    `  name                   = "${name}"`,
    '  role_arn               = "arn:aws:iam::111122223333:role/nb"',
    '  instance_type          = "ml.t3.medium"',
    ...inside.map((l) => `  ${l}`),
    '  direct_internet_access = "Enabled"',
    '}',
    '',
  ].join('\n');
}

/** A CloudFormation notebook open to the internet, with `metadata` lines (YAML, indented 6) under Metadata. */
export function notebookCfn(name: string, metadata: string[] = []): string {
  return [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Resources:',
    `  ${name}:`,
    '    Type: AWS::SageMaker::NotebookInstance',
    ...(metadata.length ? ['    Metadata:', ...metadata.map((l) => `      ${l}`)] : []),
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::111122223333:role/nb',
    '      DirectInternetAccess: Enabled',
    '',
  ].join('\n');
}

// Reports are read as JSON: any keeps the assertions short.
export type Json = any;

export function findingOf(report: Json, resourceId: string, ruleId = 'SageMaker-004'): Json {
  const f = report.findings.find((x: Json) => x.resource.id === resourceId && x.ruleId === ruleId);
  if (!f) throw new Error(`no ${ruleId} finding for ${resourceId} in ${JSON.stringify(report.findings.map((x: Json) => x.resource.id))}`);
  return f;
}
