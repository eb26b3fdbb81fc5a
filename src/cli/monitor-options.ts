// `cloudconform monitor deploy|package`: options only (commander), so main.ts stays small; the
// implementation loads on demand.
import { Option, type Command } from 'commander';

function commaList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerMonitorCommands(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('Event-driven monitoring on AWS (EventBridge, SQS, Lambda, DynamoDB, SNS): the infrastructure as code, and the Lambda zip.');

  monitor
    .command('deploy')
    .description('Write the monitor as a CloudFormation template or Terraform configuration, ready to deploy.')
    .addOption(new Option('--emit <format>', 'what to write').choices(['cloudformation', 'terraform']).makeOptionMandatory())
    .option('-o, --output <file>', 'write the template to this file instead of standard output')
    .option('--member-template <file>', 'with --organization or --accounts: write the member accounts\' template (StackSet-ready) to this file')
    .option('--schedule <expression>', 'also run a full audit on this schedule: rate(1 day), rate(12 hours), cron(0 3 * * ? *)')
    .option('--organization', "watch every account of the organization: a central event bus restricted to the organization's id, and the member template")
    .option('--accounts <ids>', 'comma-separated account ids whose events the central bus takes (and the only ones the handler reads); repeatable', commaList)
    .option('--notify <target>', 'also notify sns=ARN, slack or webhook (their URLs are secrets: deployment parameters, never written); repeatable (the stack\'s own SNS topic is always notified)', collect)
    .addOption(new Option('--respond <mode>', 'automatic response: tag the notebook, or stop it (off by default)').choices(['tag', 'stop']))
    .option('--role-name <name>', 'with --organization or --accounts: the read-only role the member template creates and the handler assumes (default: cloudconform-monitor-read)')
    .addHelpText('after', `
Example:
  cloudconform monitor deploy --emit cloudformation -o monitor.yaml --schedule "rate(1 day)"
  cloudconform monitor deploy --emit cloudformation --organization -o central.yaml --member-template member.yaml

Exit codes: 0 written, 2 refused (a bad option or value, a file that can't be written).`)
    .action(async (opts) => {
      const { runMonitorDeploy } = await import('./monitor-command');
      process.exitCode = runMonitorDeploy(opts);
    });

  monitor
    .command('package')
    .description('Write the Lambda zip of the bundled event handler (upload it to S3 for the template\'s CodeBucket/CodeKey).')
    .option('-o, --output <file>', 'the zip to write', 'cloudconform-lambda.zip')
    .addHelpText('after', `
Example:
  cloudconform monitor package -o cloudconform-lambda.zip && aws s3 cp cloudconform-lambda.zip s3://my-bucket/cloudconform-lambda.zip

Exit codes: 0 written, 2 could not (no bundled handler, a file that can't be written).`)
    .action(async (opts) => {
      const { runMonitorPackage } = await import('./monitor-command');
      process.exitCode = runMonitorPackage(opts);
    });
}
