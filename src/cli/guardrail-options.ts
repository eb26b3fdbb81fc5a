// `cloudconform guardrail`: options only (commander), so main.ts stays small; the implementation
// loads on demand.
import type { Command } from 'commander';

export function registerGuardrailCommand(program: Command): void {
  program.command('guardrail').description('Print preventive policies (SCP, IAM) that deny non-compliant notebooks and Studio domains.');
}
