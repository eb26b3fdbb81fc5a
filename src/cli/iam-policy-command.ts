import { auditIamPolicy, IAM_POLICY_NOTE } from '../sources/aws/actions';
import { remediationIamPolicy, REMEDIATION_IAM_POLICY_NOTE } from '../remediation/live/actions';
import { exportIamPolicy, EXPORT_IAM_POLICY_NOTE } from '../exporters/actions';
import { monitorIamPolicy, MONITOR_IAM_POLICY_NOTE } from '../events/actions';

export type IamPolicyFor = 'audit' | 'remediate' | 'export' | 'monitor';

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
  const [policy, note] =
    opts.for === 'remediate'
      ? [remediationIamPolicy(), REMEDIATION_IAM_POLICY_NOTE]
      : opts.for === 'export'
        ? [exportIamPolicy(), EXPORT_IAM_POLICY_NOTE]
        : opts.for === 'monitor'
          ? [monitorIamPolicy({ organization: true, schedule: true, store: 'dynamodb' }), MONITOR_IAM_POLICY_NOTE]
          : [auditIamPolicy(), IAM_POLICY_NOTE];
  out.stdout(JSON.stringify(policy, null, 2) + '\n');
  out.stderr(`${note}\n`);
}
