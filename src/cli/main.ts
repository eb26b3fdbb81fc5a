// Entry point: kept small so `cloudconform --version` loads almost nothing; commands load their
// modules on demand.
import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../engine/audit-limits';
import { REPORT_FORMATS } from '../reporters/formats';
import { printable } from '../reporters/printable';
import { hintedUsageError, pointToHelp, singleDashLongOption, terraformSpellings, withoutUrlSecrets } from './usage';
import { registerGuardrailCommand } from './guardrail-options';
import { registerRemediateCommands } from './remediate-options';
import { registerMonitorCommands } from './monitor-options';
import { endQuietlyOnClosedStdout, writeError } from './terminal';

endQuietlyOnClosedStdout();

const program = new Command('cloudconform')
  .description('Cloud security conformity checks for AWS: scan CloudFormation and Terraform, and audit live accounts, for SageMaker network exposure.')
  .version(VERSION, '-v, --version')
  // Program options only before the command: `scan -v` is not `--version` (it printed the version
  // and exited 0 with nothing scanned), and `-var` is not `-v -a -r`.
  .enablePositionalOptions()
  // Usage errors quote the command line: escaped like every other message on standard error.
  .configureOutput({ outputError: (str, write) => write(withoutUrlSecrets(hintedUsageError(str)).split('\n').map(printable).join('\n')) })
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

const RISK_NAMES = 'low|medium|high|very-high|extreme';

/** `--fail-on`, any case (the summary prints `Medium`): a risk, or `none` (findings never exit 1). */
function failOnLevel(value: string): string {
  const v = value.trim().toLowerCase().replace(/[ _]/g, '-');
  if (v === 'none' || RISK_NAMES.split('|').includes(v)) return v;
  throw new InvalidArgumentError(`expected one of ${RISK_NAMES}|none`);
}

/** The options of every command that writes a report (`scan`, `audit`): see report-command.ts. */
function withReportOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'report format on standard output').choices(REPORT_FORMATS).default('text').env('CLOUDCONFORM_FORMAT'))
    .option('-o, --output <[format=]file>', 'also write a report to a file: sarif=results.sarif, or results.sarif (format from the extension: .json, .sarif, .xml junit, .txt, .csv, .ocsf.json, .asff.json); repeatable', collect, [])
    .addOption(
      new Option('--fail-on <risk>', `lowest risk whose failures make the exit code 1: ${RISK_NAMES}|none (none: findings never do; 2 still means incomplete)`)
        .argParser(failOnLevel)
        .env('CLOUDCONFORM_FAIL_ON')
        .default(undefined, "the config's failOn, else low"),
    )
    .option('--fail-on-unknown', 'also exit 1 when a verdict is unknown')
    .option('--fail-on-expired', 'also exit 1 when a failing or unknown finding has a suppression whose expires date has passed')
    .option('--baseline <file>', 'suppress the findings recorded in this baseline file (made with --create-baseline): only new ones fail')
    .option('--create-baseline <file>', "record this run's failing and unknown findings in a baseline file (the exit code is as usual)")
    .addOption(new Option('-c, --config <file>', 'configuration file').env('CLOUDCONFORM_CONFIG').default(undefined, '.cloudconform.yml in the scanned directory or a parent up to the repository root, else in the current directory'))
    .option('-r, --rules <ids>', 'comma-separated rule ids or aliases to run (default: all)')
    .option('--verbose', 'list passing resources too, and full messages')
    .option('-q, --quiet', 'print no report on standard output (use with --output); errors still go to standard error')
    .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
    .addOption(new Option('--db <file>', 'history database').env('CLOUDCONFORM_DB').default(undefined, '$XDG_DATA_HOME/cloudconform/history.db'))
    .option('--no-history', 'do not record this run in the history database')
    .option('--notify <target>', 'after the run, send its new and regressed failures to sns=TOPIC_ARN, slack=URL or webhook=URL (a URL may be env:VARIABLE; webhooks signed with CLOUDCONFORM_WEBHOOK_SECRET); repeatable', collect, [])
    .option('--notify-on <changes>', 'changes notified: new,regressed (default), still-failing, resolved, suppression-expired', collect, [])
    .option('--notify-risk <risk>', `notify only failures at or above this risk: ${RISK_NAMES}`)
    .option('--notify-rule <id>', 'notify only findings of this rule (repeatable)', collect, [])
    .option('--notify-tag <key[=value]>', "audit: notify only findings whose resource has this tag (repeatable: all of them; the tags are read for it); findings whose tags could not be read are left out, with a warning", collect, []);
}

/** The history database option of the commands that read it (history, diff, report, export). */
function withDbOption(command: Command): Command {
  return command.addOption(new Option('--db <file>', 'history database').env('CLOUDCONFORM_DB').default(undefined, '$XDG_DATA_HOME/cloudconform/history.db'));
}

const HELP_ENVIRONMENT = `
Environment: CLOUDCONFORM_FORMAT, CLOUDCONFORM_FAIL_ON and CLOUDCONFORM_CONFIG set --format, --fail-on and
--config when they are not given; NO_COLOR turns colours off; CLOUDCONFORM_WEBHOOK_SECRET signs --notify webhooks.
Exit codes: 0 nothing failed at or above --fail-on, 1 failures, 2 could not complete (an input could not be
read, a bad option or configuration, a --notify message not sent).`;

withReportOptions(
  program
    .command('scan')
    .description('Scan CloudFormation templates, Terraform configurations and plans (default: the current directory).')
    .argument('[paths...]', 'files or directories to scan (- for standard input)', []),
)
  .option('--var <name=value>', 'Terraform variable, as terraform -var (also spelled -var; repeatable; with --var-file, later wins)', ordered, [])
  .option('--var-file <file>', 'Terraform variable file, as terraform -var-file (also spelled -var-file; repeatable; with --var, later wins)', ordered, [])
  .option('--workspace <name>', WORKSPACE_HELP)
  .option('--parameter <name=value>', 'CloudFormation parameter value, as --parameter-overrides (repeatable)', collect, [])
  .option('--parameters-file <file>', 'CloudFormation parameter values: AWS CLI, template configuration or {"Name": "value"} JSON (repeatable)', collect, [])
  .option('--skip-path <glob>', 'skip files and directories matching this glob, relative to the current directory (a glob without / matches a name at any depth); repeatable', collect, [])
  .option('-j, --jobs <n>', 'parallel worker threads (default: the number of CPUs)', positiveInt)
  .option('--max-file-size <size>', 'skip (and report) files larger than this (default: 8MB)', byteSize)
  .option('--follow-external-symlinks', 'follow symbolic links that lead outside the scanned paths (default: noted, not followed)')
  .addHelpText('after', `
Example:
  cloudconform scan infra/ -var-file prod.tfvars --format sarif -o results.sarif
${HELP_ENVIRONMENT}`)
  .action(async (paths: string[], opts) => {
    const { runScanCommand } = await import('./scan-command');
    process.exitCode = await runScanCommand(paths, opts);
  });

withReportOptions(
  program
    .command('audit')
    .description('Audit live AWS accounts: every SageMaker notebook instance and Studio domain, in every enabled region.'),
)
  .option('--profile <name>', 'AWS profile for your credentials and settings (default: AWS_PROFILE, else the SDK credential chain)')
  .option('--regions <list>', 'comma-separated regions (default: every enabled region where notebook instances are offered)', commaList)
  .option('--role-arn <arn>', "audit this role's account, assuming the role with your credentials")
  .option('--accounts <ids>', 'comma-separated account ids, each audited through --role-name', commaList)
  .option('--organization', 'audit every active account of your AWS Organization through --role-name')
  .option('--role-name <name>', 'role to assume in each account of --accounts or --organization')
  .option('--external-id <id>', 'external id for AssumeRole')
  .option('--endpoint-url <url>', 'AWS API endpoint for emulators and private endpoints (AWS_ENDPOINT_URL is honoured too)')
  .option('--concurrency <n>', `API calls in flight across the audit (default: ${DEFAULT_CONCURRENCY})`, positiveInt)
  .option('--region-concurrency <n>', `describe calls in flight per account and region (default: ${DEFAULT_REGION_CONCURRENCY})`, positiveInt)
  .option('--max-attempts <n>', 'attempts per API call, with backoff and jitter; retry mode: AWS_RETRY_MODE, else adaptive (default: AWS_MAX_ATTEMPTS, else 3)', positiveInt)
  .option('--timeout <duration>', `the whole audit's deadline, e.g. 90s, 30m, 2h: what is not read by then is an error entry (default: ${DEFAULT_TIMEOUT_MS / 60_000}m)`, duration)
  .option('--call-timeout <duration>', `one API call's deadline, retries included (default: ${DEFAULT_CALL_TIMEOUT_MS / 1000}s)`, duration)
  .addHelpText('after', `
Example:
  cloudconform audit --profile security --regions us-east-1,eu-west-1 -o audit.json
${HELP_ENVIRONMENT}`)
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
  .option('--subnet-id <id>', 'subnet for notebooks that have none (default: a parameter or variable is added)')
  .option('--subnet-ids <ids>', 'subnets for Studio domains that have none', commaList)
  .option('--security-group-ids <ids>', 'security groups for notebooks and domains that have none', commaList)
  .option('--vpc-id <id>', 'VPC for Studio domains that have none')
  .addOption(new Option('-c, --config <file>', 'configuration file').env('CLOUDCONFORM_CONFIG').default(undefined, '.cloudconform.yml in the directory or a parent up to the repository root, else in the current directory'))
  .option('-r, --rules <ids>', 'comma-separated rule ids to fix (default: all)')
  .option('--var <name=value>', 'Terraform variable, as terraform -var (also spelled -var; repeatable; with --var-file, later wins)', ordered, [])
  .option('--var-file <file>', 'Terraform variable file, as terraform -var-file (also spelled -var-file; repeatable; with --var, later wins)', ordered, [])
  .option('--workspace <name>', WORKSPACE_HELP)
  .option('--parameter <name=value>', 'CloudFormation parameter value, as --parameter-overrides (repeatable)', collect, [])
  .option('--parameters-file <file>', 'CloudFormation parameter values: AWS CLI, template configuration or {"Name": "value"} JSON (repeatable)', collect, [])
  .option('--skip-path <glob>', 'leave files and directories matching this glob alone, relative to the current directory; repeatable', collect, [])
  .option('--follow-external-symlinks', 'read through symbolic links that lead outside the paths (fix still writes nothing outside them)')
  .option('-q, --quiet', 'print no summary on standard output; errors still go to standard error')
  .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
  .addHelpText('after', `
Example:
  cloudconform fix infra/ --dry-run --subnet-id subnet-0123456789abcdef0

Exit codes: 0 nothing left to fix, 1 something is left (a decision for a person, a failure, or on
--dry-run changes to make), 2 a file could not be read, parsed or written, or bad usage.`)
  .action(async (paths: string[], opts) => {
    const { runFixCommand } = await import('./fix-command');
    process.exitCode = await runFixCommand(paths, opts);
  });

withDbOption(
  program
    .command('history')
    .description('List the recorded runs of scan and audit: when, what, and what changed.'),
)
  .option('--scope <key>', 'only runs of this scope (as the list shows it)')
  .option('-n, --limit <n>', 'at most this many runs, newest first (default: 20)', positiveInt)
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .addHelpText('after', `
Example:
  cloudconform history --limit 5`)
  .action(async (opts) => {
    const { runHistoryCommand } = await import('./history-command');
    process.exitCode = await runHistoryCommand(opts);
  });

withDbOption(
  program
    .command('diff')
    .description('What changed between two runs: new, resolved, regressed and still-failing findings.')
    .argument('[runs...]', 'two run ids from the history, or two JSON reports (default: the last two runs of the latest scope)', []),
)
  // diff-command.ts checks the format, saying why the others (gitlab-sast, ocsf, asff) are not for diffs.
  .addOption(new Option('-f, --format <format>', 'output format: text|json|sarif|junit|csv').default('text').env('CLOUDCONFORM_FORMAT'))
  .option('-o, --output <[format=]file>', 'also write the diff to a file; repeatable', collect, [])
  .option('--scope <key>', 'with no runs given: the last two runs of this scope')
  .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
  .addHelpText('after', `
Example:
  cloudconform diff                       # the last two runs
  cloudconform diff before.json after.json --format sarif

Formats: text, json, sarif (each result's baselineState: new, unchanged, updated, absent), junit, csv.
A finding is resolved only where the later run looked; what it did not evaluate is "not evaluated".
Exit codes: 0 nothing new or regressed, 1 new or regressed failures, 2 the diff could not be made
(a run or file that can't be read, runs of different scopes, a format diff does not write).`)
  .action(async (runs: string[], opts) => {
    const { runDiffCommand } = await import('./diff-command');
    process.exitCode = await runDiffCommand(runs, opts);
  });

withDbOption(
  program
    .command('report')
    .description('Posture from the history (or JSON reports given as files): per compliance standard, or as one HTML file.')
    .argument('[reports...]', 'JSON reports to read instead of the latest run in the history', []),
)
  .option('--standard <id>', 'per requirement of this standard: pass, fail or not assessed (cloudconform report --standard list)')
  .option('--html <file>', 'write a self-contained HTML report')
  .option('--run <id>', 'this recorded run instead of the latest')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
  .addHelpText('after', `
Example:
  cloudconform report --standard pci-dss-4.0
  cloudconform report --html posture.html

Exit codes: 0 written (with --standard: no requirement fails), 1 with --standard a requirement fails,
2 could not complete (no history, a report file that can't be used, an unknown standard).`)
  .action(async (reports: string[], opts) => {
    const { runPostureReportCommand } = await import('./posture-report-command');
    process.exitCode = await runPostureReportCommand(reports, opts);
  });

const exportCommand = program.command('export').description('Send findings where teams triage them.');
withDbOption(
  exportCommand
    .command('securityhub')
    .description('Import findings into AWS Security Hub (BatchImportFindings), and archive the ones resolved within the scanned scope.')
    .argument('[report]', 'a JSON report (default with --from-history: the latest recorded run)'),
)
  .option('--from-history', 'export the latest run in the history')
  .option('--run <id>', 'with --from-history: this recorded run')
  .option('--profile <name>', 'AWS profile for your credentials and settings')
  .option('--endpoint-url <url>', 'AWS API endpoint (AWS_ENDPOINT_URL is honoured too)')
  .option('--region <region>', 'Security Hub region for findings with no region (scans; default: the profile\'s region)')
  .option('-q, --quiet', 'print no summary; errors still go to standard error')
  .addHelpText('after', `
Example:
  cloudconform audit -f json -o audit.json && cloudconform export securityhub audit.json

Exit codes: 0 every finding imported (and archived where due), 2 anything not.`)
  .action(async (report: string | undefined, opts) => {
    const { runExportSecurityHubCommand } = await import('./export-command');
    process.exitCode = await runExportSecurityHubCommand(report, opts);
  });

withReportOptions(
  program
    .command('handle-event')
    .description('Handle CloudTrail events (an EventBridge event, an SQS batch, an array or JSON lines): describe each SageMaker resource they name, check it, record and notify.')
    .argument('[files...]', 'files of events (default, or -: standard input)', []),
)
  .option('--profile <name>', 'AWS profile for your credentials and settings (default: AWS_PROFILE, else the SDK credential chain)')
  .option('--accounts <ids>', "comma-separated accounts whose events are handled, each through --role-name (default: only the caller's account)", commaList)
  .option('--organization', "handle events of every active account of your AWS Organization, each through --role-name")
  .option('--role-name <name>', 'role to assume in the account of an event (with --accounts or --organization)')
  .option('--external-id <id>', 'external id for AssumeRole')
  .option('--endpoint-url <url>', 'AWS API endpoint for emulators and private endpoints (AWS_ENDPOINT_URL is honoured too)')
  .option('--max-attempts <n>', 'attempts per API call, with backoff and jitter (default: AWS_MAX_ATTEMPTS, else 3)', positiveInt)
  .option('--timeout <duration>', `the whole run's deadline, e.g. 90s, 5m (default: ${DEFAULT_TIMEOUT_MS / 60_000}m)`, duration)
  .option('--call-timeout <duration>', `one API call's deadline, retries included (default: ${DEFAULT_CALL_TIMEOUT_MS / 1000}s)`, duration)
  .option('--respond <mode>', 'off by default: tag (tag a failing notebook cloudconform:noncompliant) or stop (stop an InService notebook failing SageMaker-004); never deletes, never touches domains')
  .option('--respond-journal <file>', 'with --respond: append the journal of every decision and call to this file (default: standard error)')
  .addHelpText('after', `
Example:
  cloudconform handle-event events.json --notify sns=arn:aws:sns:us-east-1:123456789012:alerts

Never trusts an event for the verdict: each resource is described now. A created resource not found
yet is described again after 1, 2, 4 and 8 s, then reported unknown. A resource deleted (or gone since
its update) has its findings resolved.
${HELP_ENVIRONMENT}
Exit code 2 also when any record could not be handled (malformed, refused, or a call that failed).`)
  .action(async (files: string[], opts) => {
    const { runHandleEventCommand } = await import('./handle-event-command');
    process.exitCode = await runHandleEventCommand(files, opts);
  });

registerRemediateCommands(program);
registerGuardrailCommand(program);
registerMonitorCommands(program);

program
  .command('iam-policy')
  .description('Print the least-privilege IAM policy that `cloudconform audit` (or, with --for remediate or export, `cloudconform remediate` or `export securityhub`) needs.')
  .addOption(new Option('--for <command>', 'the command the policy is for (monitor: handle-event and the monitor\'s Lambda function)').choices(['audit', 'remediate', 'export', 'monitor']).default('audit'))
  .addHelpText('after', `
Example:
  cloudconform iam-policy --for audit > cloudconform-audit-policy.json`)
  .action(async (opts: { for: 'audit' | 'remediate' | 'export' | 'monitor' }) => {
    const { printIamPolicy } = await import('./iam-policy-command');
    printIamPolicy(opts);
  });

program
  .command('rules')
  .description('List the rules.')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .addOption(new Option('--json', 'the same as --format json').hideHelp())
  .addHelpText('after', `
Example:
  cloudconform rules --format json`)
  .action(async (opts: { format: 'text' | 'json'; json?: boolean }) => {
    const { listRules } = await import('./rules-command');
    process.stdout.write(listRules({ json: opts.json === true || opts.format === 'json' }));
  });

program
  .command('explain')
  .description("Print a rule's knowledge-base page: rationale, audit and remediation.")
  .argument('<rule-id>', 'e.g. SageMaker-004 (or an alias such as CKV_AWS_122)')
  .addHelpText('after', `
Example:
  cloudconform explain CKV_AWS_122`)
  .action(async (id: string) => {
    const { explainRule } = await import('./rules-command');
    const page = explainRule(id);
    if (page === undefined) {
      writeError(`no rule '${id}'. Run 'cloudconform rules' for the list.`);
      process.exitCode = 2;
    } else {
      process.stdout.write(page);
    }
  });

// -q on commands that don't write a report themselves (fix, remediate, guardrail): nothing on
// standard output; errors and questions go to standard error and stay.
program.hook('preAction', (_program, action) => {
  if (action.opts().quiet === true && !['scan', 'audit'].includes(action.name())) {
    process.stdout.write = (() => true) as typeof process.stdout.write;
  }
});

pointToHelp(program);
const argv = terraformSpellings(process.argv.slice(2));
const misspelt = singleDashLongOption(program, argv);
if (misspelt !== undefined) {
  process.stderr.write(misspelt.split('\n').map(printable).join('\n'));
  process.exit(2);
}
program.parseAsync(argv, { from: 'user' }).catch((e: unknown) => {
  writeError((e as Error)?.message ?? String(e));
  process.exitCode = 2;
});
