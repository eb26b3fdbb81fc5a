// `cloudconform remediate plan|apply|resume`: options only (commander), so main.ts stays small;
// the implementation loads on demand.
import { InvalidArgumentError, Option, type Command } from 'commander';

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

const EXIT_CODES = `
Exit codes:
  0  done: the plan was printed or written, or the run completed (also: resume of a completed run)
  2  refused or could not complete: AWS would reject the plan, a bad option, no confirmation,
     a failed step (resume continues it), a rollback (the source was left as it was), or
     Studio apps that still block a domain's switch`;

/** Where and what: the options `plan` and `apply` share. */
function withNotebookOptions(command: Command): Command {
  return command
    .argument('[notebook]', 'name of the notebook instance to re-create (or --domain)')
    .option('--domain <id>', 'a Studio domain id (d-...) to switch to VpcOnly network access, instead of a notebook')
    .option('--region <region>', "the notebook's or domain's region (default: AWS_REGION or the profile's region)")
    .option('--subnet-id <id>', 'VPC subnet for the new notebook')
    .option('--subnet-ids <ids>', "--domain: comma-separated subnets for Studio, in the domain's VPC (default: the domain's)", commaList)
    .option('--security-group-ids <ids>', "comma-separated security groups for the new notebook, in the subnet's VPC; --domain: for the Studio apps, in the domain's VPC (default: the domain's)", commaList)
    .option('--new-name <name>', "name of the new notebook (default: the old name with '-vpc' added)")
    .option('--delete-source', 'stop and delete the old notebook once the new one is InService')
    .option('--backup-to <s3-uri>', 'copy /home/ec2-user/SageMaker to s3://bucket/prefix through a lifecycle configuration, and restore it on the new notebook')
    .option('--backup-timeout <minutes>', 'how long to wait for the backup to complete (default 120)', positiveNumber)
    .option('--profile <name>', 'AWS profile (default: the SDK credential chain)')
    .option('--endpoint-url <url>', 'AWS API endpoint for emulators and private endpoints (AWS_ENDPOINT_URL is honoured too)')
    .addOption(new Option('-f, --format <format>', 'output on standard output').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'nothing on standard output; questions, progress and errors go to standard error');
}

export function registerRemediateCommands(program: Command): void {
  const remediate = program
    .command('remediate')
    .description(
      'Re-create live notebook instances in a VPC subnet with direct internet access disabled, or switch Studio domains to VpcOnly (--domain): plan, apply, resume.',
    )
    .addHelpText('after', EXIT_CODES);

  withNotebookOptions(remediate.command('plan').description("Read the notebook and print what its replacement would be, or the domain's switch and the apps that block it; change nothing."))
    .addOption(new Option('--emit <format>', 'write the replacement as code instead of the plan').choices(['cloudformation', 'terraform', 'cli']))
    .option('-o, --output <file>', 'with --emit: write to this file instead of standard output')
    .addHelpText('after', `\nExample:\n  cloudconform remediate plan my-notebook --region eu-west-1 --subnet-id subnet-0123456789abcdef0\n${EXIT_CODES}`)
    .action(async (notebook: string | undefined, opts) => {
      const { runRemediatePlan } = await import('./remediate-command');
      process.exitCode = await runRemediatePlan(notebook, opts);
    });

  withNotebookOptions(
    remediate
      .command('apply')
      .description('Create the replacement, wait until InService, then (with --delete-source) stop and delete the old notebook; or switch the --domain to VpcOnly.'),
  )
    .option('-y, --yes', 'apply without asking (required when standard input is not a terminal)')
    .option('--wait-for-apps [minutes]', '--domain: wait until no Studio app blocks the switch (default 30 minutes)', positiveNumber)
    .option('--delete-apps', "--domain: DELETE the users' Studio apps that block the switch (listed and confirmed first), wait until they are gone (--wait-for-apps minutes), then switch")
    .option('--dry-run', 'print what would be done; make no change (read calls only)')
    .option('--journal <file>', 'journal file (default: ./cloudconform-remediate-<name>-<timestamp>.json)')
    .addHelpText('after', `\nExample:\n  cloudconform remediate apply my-notebook --region eu-west-1 --subnet-id subnet-0123456789abcdef0 --delete-source\n${EXIT_CODES}`)
    .action(async (notebook: string | undefined, opts) => {
      const { runRemediateApply } = await import('./remediate-command');
      process.exitCode = await runRemediateApply(notebook, opts);
    });

  remediate
    .command('resume')
    .description(
      'Continue an interrupted or failed apply from its journal: each step re-reads the world first, so none is repeated or skipped. The journal must verify (it is signed with a key of yours) and the notebook or domain must still be the one planned (ARN, creation time, still failing); only one apply or resume runs on a journal at a time.',
    )
    .argument('<journal>', 'the journal file written by apply')
    .option('--profile <name>', 'AWS profile (default: the SDK credential chain, AWS_PROFILE); never read from the journal')
    .option('--endpoint-url <url>', 'AWS API endpoint (default: AWS_ENDPOINT_URL, else AWS); never read from the journal')
    .addOption(new Option('-f, --format <format>', 'output on standard output').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'nothing on standard output; progress and errors go to standard error')
    .addHelpText('after', `\nExample:\n  cloudconform remediate resume cloudconform-remediate-nb-20261204T101500Z.json\n${EXIT_CODES}`)
    .action(async (journal: string, opts) => {
      const { runRemediateResume } = await import('./remediate-command');
      process.exitCode = await runRemediateResume(journal, opts);
    });
}
