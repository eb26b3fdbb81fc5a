/**
 * Every AWS API action `cloudconform remediate` calls, in one list: the steps name their calls
 * from here and `remediationIamPolicy()` prints the policy from here, so the two can't drift
 * apart. Kept free of SDK imports.
 */
export type RemediationTarget = 'notebook' | 'domain';

export interface RemediationAction {
  /** IAM action name, e.g. `sagemaker:CreateNotebookInstance`. */
  action: string;
  /** `read`: `plan` and `--dry-run` need it. `write`: `apply` and `resume` only. */
  kind: 'read' | 'write';
  /** What it is called for: `remediate NOTEBOOK`, `remediate --domain ID`. */
  targets: readonly RemediationTarget[];
  /** Only with `--backup-to`. */
  backupOnly?: boolean;
}

const NOTEBOOK = ['notebook'] as const;
const DOMAIN = ['domain'] as const;
const BOTH = ['notebook', 'domain'] as const;

export const REMEDIATION_ACTIONS = {
  describeNotebookInstance: { action: 'sagemaker:DescribeNotebookInstance', kind: 'read', targets: NOTEBOOK },
  listTags: { action: 'sagemaker:ListTags', kind: 'read', targets: NOTEBOOK },
  // Notebooks: the new subnet. Domains: --subnet-ids.
  describeSubnets: { action: 'ec2:DescribeSubnets', kind: 'read', targets: BOTH },
  describeSecurityGroups: { action: 'ec2:DescribeSecurityGroups', kind: 'read', targets: BOTH },
  describeLifecycleConfig: { action: 'sagemaker:DescribeNotebookInstanceLifecycleConfig', kind: 'read', targets: NOTEBOOK },
  createNotebookInstance: { action: 'sagemaker:CreateNotebookInstance', kind: 'write', targets: NOTEBOOK },
  // CreateNotebookInstance with Tags needs AddTags on the new notebook.
  addTags: { action: 'sagemaker:AddTags', kind: 'write', targets: NOTEBOOK },
  // The new notebook assumes the copied execution role.
  passRole: { action: 'iam:PassRole', kind: 'write', targets: NOTEBOOK },
  stopNotebookInstance: { action: 'sagemaker:StopNotebookInstance', kind: 'write', targets: NOTEBOOK },
  deleteNotebookInstance: { action: 'sagemaker:DeleteNotebookInstance', kind: 'write', targets: NOTEBOOK },
  startNotebookInstance: { action: 'sagemaker:StartNotebookInstance', kind: 'write', targets: NOTEBOOK, backupOnly: true },
  updateNotebookInstance: { action: 'sagemaker:UpdateNotebookInstance', kind: 'write', targets: NOTEBOOK, backupOnly: true },
  createLifecycleConfig: { action: 'sagemaker:CreateNotebookInstanceLifecycleConfig', kind: 'write', targets: NOTEBOOK, backupOnly: true },
  headBucket: { action: 's3:ListBucket', kind: 'read', targets: NOTEBOOK, backupOnly: true },
  // HeadObject and GetObject of the backup's marker objects.
  getObject: { action: 's3:GetObject', kind: 'read', targets: NOTEBOOK, backupOnly: true },
  describeDomain: { action: 'sagemaker:DescribeDomain', kind: 'read', targets: DOMAIN },
  listApps: { action: 'sagemaker:ListApps', kind: 'read', targets: DOMAIN },
  // Only with --delete-apps: the Studio apps that block the switch.
  deleteApp: { action: 'sagemaker:DeleteApp', kind: 'write', targets: DOMAIN },
  updateDomain: { action: 'sagemaker:UpdateDomain', kind: 'write', targets: DOMAIN },
} as const satisfies Record<string, RemediationAction>;

export type RemediationActionName = keyof typeof REMEDIATION_ACTIONS;

const ALL_ACTIONS = Object.values(REMEDIATION_ACTIONS as Record<string, RemediationAction>);

/**
 * The actions a run needs: reads only for `plan`/`--dry-run`, everything for `apply`; a notebook's
 * run by default, a domain's with `target: 'domain'`.
 */
export function remediationActions(opts: { write: boolean; backup: boolean; target?: RemediationTarget }): string[] {
  const target = opts.target ?? 'notebook';
  return ALL_ACTIONS.filter((a) => a.targets.includes(target) && (opts.write || a.kind === 'read') && (opts.backup || !a.backupOnly))
    .map((a) => a.action)
    .sort();
}

export interface RemediationPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface RemediationIamPolicy {
  Version: '2012-10-17';
  Statement: RemediationPolicyStatement[];
}

/** The actions of one statement, sorted; every action of the list lands in exactly one statement. */
function pick(filter: (a: RemediationAction) => boolean): string[] {
  return [...new Set(ALL_ACTIONS.filter(filter).map((a) => a.action))].sort();
}

const isSageMaker = (a: RemediationAction) => a.action.startsWith('sagemaker:');

/**
 * The least-privilege policy for `cloudconform remediate` (notebooks and domains, with
 * `--backup-to`). Writes are limited to the resource types they change; reads take no
 * resource-level restriction worth having. ARNs are for the `aws` partition (see the note).
 */
export function remediationIamPolicy(): RemediationIamPolicy {
  const notebookWrites = pick((a) => a.kind === 'write' && isSageMaker(a) && a.targets.includes('notebook'));
  const domainWrites = pick((a) => a.kind === 'write' && isSageMaker(a) && a.targets.includes('domain') && !a.targets.includes('notebook'));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CloudConformRemediateRead', Effect: 'Allow', Action: pick((a) => a.kind === 'read' && !a.action.startsWith('s3:')), Resource: '*' },
      {
        Sid: 'CloudConformRemediateNotebooks',
        Effect: 'Allow',
        Action: notebookWrites,
        Resource: ['arn:aws:sagemaker:*:*:notebook-instance/*', 'arn:aws:sagemaker:*:*:notebook-instance-lifecycle-config/*'],
      },
      {
        Sid: 'CloudConformRemediateDomains',
        Effect: 'Allow',
        Action: domainWrites,
        Resource: ['arn:aws:sagemaker:*:*:domain/*', 'arn:aws:sagemaker:*:*:app/*'],
      },
      {
        Sid: 'CloudConformRemediateNotebookRole',
        Effect: 'Allow',
        Action: pick((a) => a.action.startsWith('iam:')),
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
      { Sid: 'CloudConformRemediateBackup', Effect: 'Allow', Action: pick((a) => a.action.startsWith('s3:')), Resource: '*' },
    ],
  };
}

export const REMEDIATION_IAM_POLICY_NOTE =
  "The policy for `cloudconform remediate` (plan, apply, resume) on notebook instances and Studio domains. " +
  "'CloudConformRemediateRead' is all `plan` and `apply --dry-run` need. " +
  "'CloudConformRemediateNotebookRole': the new notebook gets the old one's execution role, so iam:PassRole is " +
  'needed for that role; narrow Resource to the execution role ARNs of the notebooks you remediate ' +
  '(arn:aws:iam::ACCOUNT:role/NAME) rather than leaving it at *. ' +
  "'CloudConformRemediateDomains': sagemaker:DeleteApp is used only with `apply --delete-apps`; drop it to make " +
  'sure no Studio app can be deleted. ' +
  "'CloudConformRemediateBackup' is used only with --backup-to: narrow Resource to arn:aws:s3:::BUCKET and " +
  'arn:aws:s3:::BUCKET/PREFIX/*. In the aws-cn and aws-us-gov partitions, change arn:aws: accordingly.';
