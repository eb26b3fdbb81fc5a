import { auditIamPolicy, IAM_POLICY_NOTE } from '../sources/aws/actions';

/** `cloudconform iam-policy`: the policy JSON on standard output, what each statement is for on standard error. */
export function printIamPolicy(): void {
  process.stdout.write(JSON.stringify(auditIamPolicy(), null, 2) + '\n');
  process.stderr.write(`${IAM_POLICY_NOTE}\n`);
}
