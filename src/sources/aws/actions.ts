/**
 * Every AWS API action the audit calls, in one list: the code names its calls from here (error
 * entries' `call`) and `cloudconform iam-policy` prints its policy from here, so the two can't
 * drift apart. Kept free of SDK imports so printing the policy loads nothing heavy.
 */
export interface AuditAction {
  /** IAM action name, e.g. `sagemaker:ListNotebookInstances`. */
  action: string;
  /**
   * `audited`: needed in every audited account (by the role assumed there, or by your own
   * identity for a single-account audit). `caller`: needed only by the identity that runs a
   * multi-account audit.
   */
  neededBy: 'audited' | 'caller';
}

export const AUDIT_ACTIONS = {
  getCallerIdentity: { action: 'sts:GetCallerIdentity', neededBy: 'audited' },
  describeRegions: { action: 'ec2:DescribeRegions', neededBy: 'audited' },
  listNotebookInstances: { action: 'sagemaker:ListNotebookInstances', neededBy: 'audited' },
  describeNotebookInstance: { action: 'sagemaker:DescribeNotebookInstance', neededBy: 'audited' },
  listDomains: { action: 'sagemaker:ListDomains', neededBy: 'audited' },
  describeDomain: { action: 'sagemaker:DescribeDomain', neededBy: 'audited' },
  listTags: { action: 'sagemaker:ListTags', neededBy: 'audited' },
  assumeRole: { action: 'sts:AssumeRole', neededBy: 'caller' },
  listAccounts: { action: 'organizations:ListAccounts', neededBy: 'caller' },
} as const satisfies Record<string, AuditAction>;

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: '*' }[];
}

/** The least-privilege policy for `cloudconform audit`: one statement per kind of principal. */
export function auditIamPolicy(): IamPolicyDocument {
  const actions = (neededBy: AuditAction['neededBy']) =>
    Object.values(AUDIT_ACTIONS as Record<string, AuditAction>)
      .filter((a) => a.neededBy === neededBy)
      .map((a) => a.action)
      .sort();
  return {
    Version: '2012-10-17',
    Statement: [
      // List and Describe calls take no resource-level restriction worth having for a read-only audit.
      { Sid: 'CloudConformAudit', Effect: 'Allow', Action: actions('audited'), Resource: '*' },
      { Sid: 'CloudConformMultiAccountCaller', Effect: 'Allow', Action: actions('caller'), Resource: '*' },
    ],
  };
}

export const IAM_POLICY_NOTE =
  "Statement 'CloudConformAudit' is what every audited account needs: attach it to the role named by " +
  "--role-name/--role-arn, or to your own identity for a single-account audit. Statement " +
  "'CloudConformMultiAccountCaller' is needed only by the identity that runs a multi-account audit " +
  '(--role-arn, --accounts, --organization); narrow sts:AssumeRole to your role ARNs if you like.';
