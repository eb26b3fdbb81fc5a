/**
 * Every AWS API action `cloudconform export securityhub` calls, in one list: the exporter names its
 * calls from here and `cloudconform iam-policy --for export` prints its policy from here, so the two
 * can't drift apart. Free of SDK imports, so printing the policy loads nothing heavy.
 */
import type { IamPolicyDocument } from '../sources/aws/actions';

export const EXPORT_ACTIONS = {
  getCallerIdentity: 'sts:GetCallerIdentity',
  describeHub: 'securityhub:DescribeHub',
  getFindings: 'securityhub:GetFindings',
  batchImportFindings: 'securityhub:BatchImportFindings',
} as const;

export type ExportAction = (typeof EXPORT_ACTIONS)[keyof typeof EXPORT_ACTIONS];

/** The least-privilege policy for `cloudconform export securityhub`, in the account it imports into. */
export function exportIamPolicy(): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'CloudConformExportSecurityHub', Effect: 'Allow', Action: Object.values(EXPORT_ACTIONS).sort(), Resource: '*' }],
  };
}

export const EXPORT_IAM_POLICY_NOTE =
  "Statement 'CloudConformExportSecurityHub' is what the identity that runs `cloudconform export securityhub` needs, " +
  'in the account whose findings it imports (Security Hub takes findings of the default product only from their own account). ' +
  'securityhub:GetFindings reads our earlier findings to archive the resolved ones; you can narrow ' +
  'securityhub:BatchImportFindings to arn:aws:securityhub:*:ACCOUNT:product/ACCOUNT/default.';
