// `cloudconform guardrail`: options only (commander), so main.ts stays small; the implementation
// loads on demand.
import { Option, type Command } from 'commander';

const HELP_AFTER = `
What the policies deny (Deny statements, Resource "*"; the SCP and the IAM policy hold the same):
  SageMaker-004  sagemaker:CreateNotebookInstance unless sagemaker:DirectInternetAccess is
                 Disabled; a request that omits it (AWS then applies Enabled) is denied too.
  SageMaker-005  sagemaker:CreateDomain unless sagemaker:AppNetworkAccessType is VpcOnly (omitted:
                 PublicInternetOnly, denied); sagemaker:UpdateDomain when it sets
                 AppNetworkAccessType to anything but VpcOnly (updates that leave it alone pass).

Output:
  text (default)  one --type: the policy JSON alone, ready for a file; both types: each after a
                  '#' header line saying where to attach it.
  json            {"scp": {...}, "iam": {...}} with the selected types.

Examples:
  cloudconform guardrail
  cloudconform guardrail --type scp -o sagemaker-scp.json
  aws organizations create-policy --type SERVICE_CONTROL_POLICY --name cloudconform-sagemaker \\
    --description "SageMaker network guardrails" --content file://sagemaker-scp.json
  cloudconform guardrail --type iam --rules SageMaker-004 --format json

Exit codes: 0 printed or written, 2 bad usage (unknown rule, unwritable --output file).
`;

export function registerGuardrailCommand(program: Command): void {
  program
    .command('guardrail')
    .description('Print preventive policies (SCP, IAM) that deny non-compliant notebooks and Studio domains.')
    .addOption(
      new Option('-t, --type <type>', 'only this policy: scp (AWS Organizations service control policy) or iam (IAM identity policy); default: both').choices([
        'scp',
        'iam',
      ]),
    )
    .option('-r, --rules <ids>', 'comma-separated rule ids (default: every rule with a preventive policy)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('-q, --quiet', 'nothing on standard output (with --output: no confirmation line)')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts) => {
      const { runGuardrailCommand } = await import('./guardrail-command');
      process.exitCode = runGuardrailCommand(opts);
    });
}
