// Entry point: kept small so `cloudconform --version` loads almost nothing; commands load their
// modules on demand.
import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../engine/audit-limits';
import { registerGuardrailCommand } from './guardrail-options';
import { registerRemediateCommands } from './remediate-options';
import { writeError } from './terminal';

const program = new Command('cloudconform')
  .description('Cloud security conformity checks for AWS: scan CloudFormation and Terraform, and audit live accounts, for SageMaker network exposure.')
  .version(VERSION, '-v, --version')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) })
  .exitOverride((err) => {
    // Bad usage is exit code 2, like a scan that could not complete; --help and --version are 0.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

let optionOrder = 0;

/** `--var` and `--var-file` keep their place on the command line: Terraform applies them in that order. */
function ordered(value: string, previous: { value: string; order: number }[]): { value: string; order: number }[] {
  return [...previous, { value, order: optionOrder++ }];
}

const WORKSPACE_HELP = 'Terraform workspace for terraform.workspace (default: TF_WORKSPACE, else the root module\'s .terraform/environment, else default)';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function byteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be a size such as 8MB, 512KB or 1048576');
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * unit);
}

/** `90s`, `30m`, `2h` (a bare number is seconds) -> milliseconds. */
function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i.exec(value.trim());
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'] : NaN;
  if (!(ms >= 1000)) throw new InvalidArgumentError('must be a duration of at least 1s, such as 90s, 30m or 2h');
  return Math.round(ms);
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The options of every command that writes a report (`scan`, `audit`): see report-command.ts. */
function withReportOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'report format on standard output').choices(['text', 'json', 'sarif', 'junit']).default('text'))
    .option('-o, --output <format=file>', 'also write a report to a file, e.g. sarif=results.sarif (repeatable)', collect, [])
    .addOption(new Option('--fail-on <risk>', 'exit 1 when a failure at or above this risk is found').choices(['low', 'medium', 'high', 'very-high', 'extreme']))
    .option('--fail-on-unknown', 'also exit 1 when a verdict is unknown')
    .option('-c, --config <file>', 'configuration file (default: ./.cloudconform.yml when present)')
    .option('-r, --rules <ids>', 'comma-separated rule ids to run (default: all)')
    .option('--verbose', 'list passing resources too')
    .option('-q, --quiet', 'print nothing on standard output (use with --output)')
    .option('--no-color', 'no colours (also: NO_COLOR environment variable)');
}

withReportOptions(
  program
    .command('scan')
    .description('Scan CloudFormation templates, Terraform configurations and plans (default: the current directory).')
    .argument('[paths...]', 'files or directories to scan (- for standard input)', []),
)
  .option('--var <name=value>', 'Terraform variable, as terraform -var (repeatable; with --var-file, later wins)', ordered, [])
  .option('--var-file <file>', 'Terraform variable file, as terraform -var-file (repeatable; with --var, later wins)', ordered, [])
  .option('--workspace <name>', WORKSPACE_HELP)
  .option('--parameter <name=value>', 'CloudFormation parameter value, as --parameter-overrides (repeatable)', collect, [])
  .option('--parameters-file <file>', 'CloudFormation parameter values: AWS CLI, template configuration or {"Name": "value"} JSON (repeatable)', collect, [])
  .option('-j, --jobs <n>', 'parallel worker threads (default: number of CPUs)', positiveInt)
  .option('--max-file-size <size>', 'skip (and report) files larger than this', byteSize)
  .option('--follow-external-symlinks', 'follow symbolic links that lead outside the scanned paths (default: noted, not followed)')
  .action(async (paths: string[], opts) => {
    const { runScanCommand } = await import('./scan-command');
    process.exitCode = await runScanCommand(paths, opts);
  });

withReportOptions(
  program
    .command('audit')
    .description('Audit live AWS accounts: every SageMaker notebook instance and Studio domain, in every enabled region.'),
)
  .option('--profile <name>', 'AWS profile for your credentials and settings (default: the SDK credential chain)')
  .option('--regions <list>', 'comma-separated regions (default: every enabled region where notebook instances are offered)', commaList)
  .option('--role-arn <arn>', "audit this role's account, assuming the role with your credentials")
  .option('--accounts <ids>', 'comma-separated account ids, each audited through --role-name', commaList)
  .option('--organization', 'audit every active account of your AWS Organization through --role-name')
  .option('--role-name <name>', 'role to assume in each account of --accounts or --organization')
  .option('--external-id <id>', 'external id for AssumeRole')
  .option('--endpoint-url <url>', 'AWS API endpoint for emulators and private endpoints (AWS_ENDPOINT_URL is honoured too)')
  .option('--concurrency <n>', `API calls in flight across the audit (default ${DEFAULT_CONCURRENCY})`, positiveInt)
  .option('--region-concurrency <n>', `describe calls in flight per account and region (default ${DEFAULT_REGION_CONCURRENCY})`, positiveInt)
  .option('--max-attempts <n>', 'attempts per API call, with backoff and jitter; retry mode: AWS_RETRY_MODE, else adaptive (default: AWS_MAX_ATTEMPTS, else 3)', positiveInt)
  .option('--timeout <duration>', `the whole audit's deadline, e.g. 90s, 30m, 2h: what is not read by then is an error entry (default ${DEFAULT_TIMEOUT_MS / 60_000}m)`, duration)
  .option('--call-timeout <duration>', `one API call's deadline, retries included (default ${DEFAULT_CALL_TIMEOUT_MS / 1000}s)`, duration)
  .action(async (opts) => {
    const { runAuditCommand } = await import('./audit-command');
    process.exitCode = await runAuditCommand(opts);
  });

program
  .command('fix')
  .description('Edit CloudFormation and Terraform so failing SageMaker resources pass (comments and formatting kept).')
  .argument('[paths...]', 'files or directories to fix (default: the current directory)', [])
  .option('--dry-run', 'print a unified diff and change nothing')
  .addOption(new Option('-f, --format <format>', 'summary format on standard output').choices(['text', 'json']).default('text'))
  .option('--subnet-id <id>', 'subnet for notebooks that have none (otherwise a parameter or variable is added)')
  .option('--subnet-ids <ids>', 'subnets for Studio domains that have none', commaList)
  .option('--security-group-ids <ids>', 'security groups for notebooks and domains that have none', commaList)
  .option('--vpc-id <id>', 'VPC for Studio domains that have none')
  .option('-c, --config <file>', 'configuration file (default: ./.cloudconform.yml when present)')
  .option('-r, --rules <ids>', 'comma-separated rule ids to fix (default: all)')
  .option('--var <name=value>', 'Terraform variable, as terraform -var (repeatable; with --var-file, later wins)', ordered, [])
  .option('--var-file <file>', 'Terraform variable file, as terraform -var-file (repeatable; with --var, later wins)', ordered, [])
  .option('--workspace <name>', WORKSPACE_HELP)
  .option('--parameter <name=value>', 'CloudFormation parameter value, as --parameter-overrides (repeatable)', collect, [])
  .option('--parameters-file <file>', 'CloudFormation parameter values: AWS CLI, template configuration or {"Name": "value"} JSON (repeatable)', collect, [])
  .option('--follow-external-symlinks', 'read through symbolic links that lead outside the paths (fix still writes nothing outside them)')
  .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
  .action(async (paths: string[], opts) => {
    const { runFixCommand } = await import('./fix-command');
    process.exitCode = await runFixCommand(paths, opts);
  });

registerRemediateCommands(program);
registerGuardrailCommand(program);

program
  .command('iam-policy')
  .description('Print the least-privilege IAM policy that `cloudconform audit` (or, with --for remediate, `cloudconform remediate`) needs.')
  .addOption(new Option('--for <command>', 'the command the policy is for').choices(['audit', 'remediate']).default('audit'))
  .action(async (opts: { for: 'audit' | 'remediate' }) => {
    const { printIamPolicy } = await import('./iam-policy-command');
    printIamPolicy(opts);
  });

program
  .command('rules')
  .description('List the rules.')
  .option('--json', 'as JSON')
  .action(async (opts: { json?: boolean }) => {
    const { listRules } = await import('./rules-command');
    process.stdout.write(listRules(opts));
  });

program
  .command('explain')
  .description("Print a rule's knowledge-base page: rationale, audit and remediation.")
  .argument('<rule-id>', 'e.g. SageMaker-004 (or an alias such as CKV_AWS_122)')
  .action(async (id: string) => {
    const { explainRule } = await import('./rules-command');
    const page = explainRule(id);
    if (page === undefined) {
      process.stderr.write(`cloudconform: no rule '${id}'. Run 'cloudconform rules' for the list.\n`);
      process.exitCode = 2;
    } else {
      process.stdout.write(page);
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  writeError((e as Error)?.message ?? String(e));
  process.exitCode = 2;
});
