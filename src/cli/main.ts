// Entry point: kept small so `cloudconform --version` loads almost nothing; commands load their
// modules on demand.
import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version';

const program = new Command('cloudconform')
  .description('Cloud security conformity checks for AWS: scan CloudFormation and Terraform for SageMaker network exposure.')
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

program
  .command('scan')
  .description('Scan CloudFormation templates, Terraform configurations and plans (default: the current directory).')
  .argument('[paths...]', 'files or directories to scan', [])
  .addOption(new Option('-f, --format <format>', 'report format on standard output').choices(['text', 'json', 'sarif', 'junit']).default('text'))
  .option('-o, --output <format=file>', 'also write a report to a file, e.g. sarif=results.sarif (repeatable)', collect, [])
  .addOption(new Option('--fail-on <risk>', 'exit 1 when a failure at or above this risk is found').choices(['low', 'medium', 'high', 'very-high', 'extreme']))
  .option('--fail-on-unknown', 'also exit 1 when a verdict is unknown')
  .option('-c, --config <file>', 'configuration file (default: ./.cloudconform.yml when present)')
  .option('-r, --rules <ids>', 'comma-separated rule ids to run (default: all)')
  .option('--var <name=value>', 'Terraform variable, as terraform -var (repeatable)', collect, [])
  .option('--var-file <file>', 'Terraform variable file, as terraform -var-file (repeatable)', collect, [])
  .option('-j, --jobs <n>', 'parallel worker threads (default: number of CPUs)', positiveInt)
  .option('--max-file-size <size>', 'skip (and report) files larger than this', byteSize)
  .option('--verbose', 'list passing resources too')
  .option('-q, --quiet', 'print nothing on standard output (use with --output)')
  .option('--no-color', 'no colours (also: NO_COLOR environment variable)')
  .action(async (paths: string[], opts) => {
    const { runScanCommand } = await import('./scan-command');
    process.exitCode = await runScanCommand(paths, opts);
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
  process.stderr.write(`cloudconform: ${(e as Error)?.message ?? String(e)}\n`);
  process.exitCode = 2;
});
