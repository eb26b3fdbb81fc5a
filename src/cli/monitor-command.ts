// `cloudconform monitor deploy|package`: the event-driven monitor's infrastructure as code, and
// the Lambda zip it runs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitCloudFormation } from '../monitor/cloudformation';
import { packageLambda } from '../monitor/package';
import { monitorSpec } from '../monitor/spec';
import { emitTerraform } from '../monitor/terraform';
import { MonitorUsageError, parseMonitorNotify } from '../monitor/validate';
import { printable } from '../reporters/printable';
import { writeOutputFile } from '../write-file';

export interface MonitorDeployCommandOptions {
  emit: 'cloudformation' | 'terraform';
  output?: string;
  memberTemplate?: string;
  schedule?: string;
  organization?: boolean;
  accounts?: string[];
  notify?: string[];
  respond?: 'tag' | 'stop';
  roleName?: string;
}

export interface MonitorIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_IO: MonitorIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** Exit code: 0 written, 2 refused (a bad option, a file that can't be written). */
export function runMonitorDeploy(opts: MonitorDeployCommandOptions, io: MonitorIo = PROCESS_IO): number {
  try {
    const spec = monitorSpec({
      schedule: opts.schedule,
      organization: opts.organization === true,
      accounts: opts.accounts,
      notify: (opts.notify ?? []).map(parseMonitorNotify),
      respond: opts.respond,
      roleName: opts.roleName,
    });
    if (spec.central && !opts.memberTemplate) {
      throw new MonitorUsageError(
        `${opts.organization ? '--organization' : '--accounts'} needs --member-template FILE: the ${opts.emit === 'terraform' ? 'configuration' : 'StackSet template'} for the member accounts (it forwards their events and creates the role the handler assumes)`,
      );
    }
    if (!spec.central && opts.memberTemplate) throw new MonitorUsageError('--member-template is for --organization or --accounts');
    if (opts.memberTemplate && opts.output && resolve(opts.memberTemplate) === resolve(opts.output)) {
      throw new MonitorUsageError('--member-template and --output name the same file');
    }
    const { central, member } = opts.emit === 'terraform' ? emitTerraform(spec) : emitCloudFormation(spec);
    if (opts.output) writeOutputFile(opts.output, central);
    else io.stdout(central);
    if (member !== undefined && opts.memberTemplate) writeOutputFile(opts.memberTemplate, member, '--member-template');
    io.stderr(nextSteps(opts, spec.slack, spec.webhook));
    return 0;
  } catch (e) {
    io.stderr(`cloudconform monitor deploy: ${printable((e as Error).message)}\n`);
    return 2;
  }
}

function nextSteps(opts: MonitorDeployCommandOptions, slack: boolean, webhook: boolean): string {
  const tf = opts.emit === 'terraform';
  const lines = [
    opts.output ? `Wrote the ${tf ? 'Terraform configuration' : 'CloudFormation template'} to ${printable(opts.output)}.` : '',
    opts.memberTemplate ? `Wrote the member ${tf ? 'configuration' : 'template'} to ${printable(opts.memberTemplate)}.` : '',
    'Next: cloudconform monitor package -o cloudconform-lambda.zip && aws s3 cp cloudconform-lambda.zip s3://BUCKET/cloudconform-lambda.zip',
    tf
      ? `then terraform apply -var code_bucket=BUCKET${opts.organization ? ' -var organization_id=o-...' : ''}${slack ? ' (and slack_webhook_url, a secret: TF_VAR_slack_webhook_url)' : ''}${webhook ? ' (and webhook_url and webhook_secret, secrets: TF_VAR_webhook_url, TF_VAR_webhook_secret)' : ''}.`
      : `then aws cloudformation deploy --capabilities CAPABILITY_IAM --parameter-overrides CodeBucket=BUCKET${opts.organization ? ' OrganizationId=o-...' : ''}${slack ? ' SlackWebhookUrl=URL (a secret)' : ''}${webhook ? ' WebhookUrl=URL (a secret) WebhookSecret=KEY (a secret)' : ''}.`,
  ];
  return `${lines.filter(Boolean).join('\n')}\n`;
}

/** dist/ beside this chunk when bundled; the repository's dist/ when run from source (tests). */
function defaultDistDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, 'lambda.js')) ? here : resolve(here, '..', '..', 'dist');
}

export function runMonitorPackage(opts: { output?: string; dist?: string }, io: MonitorIo = PROCESS_IO): number {
  const output = opts.output ?? 'cloudconform-lambda.zip';
  try {
    const { zip, files } = packageLambda(opts.dist ?? defaultDistDir());
    writeOutputFile(output, zip);
    io.stderr(`Wrote ${printable(output)}: ${zip.length} bytes (${(zip.length / 1024 / 1024).toFixed(2)} MiB; ${files.map(printable).join(', ')}).\n`);
    return 0;
  } catch (e) {
    io.stderr(`cloudconform monitor package: ${printable((e as Error).message)}\n`);
    return 2;
  }
}
