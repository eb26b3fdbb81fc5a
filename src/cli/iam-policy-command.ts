import { auditIamPolicy, IAM_POLICY_NOTE } from '../sources/aws/actions';
import { remediationIamPolicy, REMEDIATION_IAM_POLICY_NOTE } from '../remediation/live/actions';

export type IamPolicyFor = 'audit' | 'remediate';

/**
 * `cloudconform iam-policy [--for audit|remediate]`: the policy JSON on standard output, what
 * each statement is for (and how to narrow it) on standard error.
 */
export function printIamPolicy(
  opts: { for?: IamPolicyFor } = {},
  out: { stdout: (text: string) => void; stderr: (text: string) => void } = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  },
): void {
  const remediate = opts.for === 'remediate';
  out.stdout(JSON.stringify(remediate ? remediationIamPolicy() : auditIamPolicy(), null, 2) + '\n');
  out.stderr(`${remediate ? REMEDIATION_IAM_POLICY_NOTE : IAM_POLICY_NOTE}\n`);
}
