import { auditIamPolicy, IAM_POLICY_NOTE } from '../sources/aws/actions';
import { remediationIamPolicy, REMEDIATION_IAM_POLICY_NOTE } from '../remediation/live/actions';
import { exportIamPolicy, EXPORT_IAM_POLICY_NOTE } from '../exporters/actions';
import { monitorIamPolicy, MONITOR_IAM_POLICY_NOTE } from '../events/actions';

export type IamPolicyFor = 'audit' | 'remediate' | 'export' | 'monitor';

/** Each command's policy and the note that says what each statement is for. */
const POLICIES: Record<IamPolicyFor, () => [object, string]> = {
  audit: () => [auditIamPolicy(), IAM_POLICY_NOTE],
  remediate: () => [remediationIamPolicy(), REMEDIATION_IAM_POLICY_NOTE],
  export: () => [exportIamPolicy(), EXPORT_IAM_POLICY_NOTE],
  // Every variant's actions: an organization, the scheduled audit, the DynamoDB history.
  monitor: () => [monitorIamPolicy({ organization: true, schedule: true, store: 'dynamodb' }), MONITOR_IAM_POLICY_NOTE],
};

/**
 * `cloudconform iam-policy [--for audit|remediate|export|monitor]`: the policy JSON on standard output, what
 * each statement is for (and how to narrow it) on standard error.
 */
export function printIamPolicy(
  opts: { for?: IamPolicyFor } = {},
  out: { stdout: (text: string) => void; stderr: (text: string) => void } = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  },
): void {
  const [policy, note] = POLICIES[opts.for ?? 'audit']();
  out.stdout(JSON.stringify(policy, null, 2) + '\n');
  out.stderr(`${note}\n`);
}
