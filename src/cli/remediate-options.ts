// `cloudconform remediate plan|apply|resume`: options only (commander), so main.ts stays small;
// the implementation loads on demand.
import type { Command } from 'commander';

export function registerRemediateCommands(program: Command): void {
  program
    .command('remediate')
    .description('Re-create live notebook instances in a VPC subnet with direct internet access disabled (plan, apply, resume).');
}
