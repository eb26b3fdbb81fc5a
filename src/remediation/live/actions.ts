/**
 * Every AWS API action `cloudconform remediate` calls, in one list: the steps name their calls
 * from here and `remediationIamPolicy()` prints the policy from here, so the two can't drift
 * apart. Kept free of SDK imports.
 */
export interface RemediationAction {
  /** IAM action name, e.g. `sagemaker:CreateNotebookInstance`. */
  action: string;
  /** `read`: `plan` and `--dry-run` need it. `write`: `apply` and `resume` only. */
  kind: 'read' | 'write';
  /** Only with `--backup-to`. */
  backupOnly?: boolean;
}

export const REMEDIATION_ACTIONS = {
  describeNotebookInstance: { action: 'sagemaker:DescribeNotebookInstance', kind: 'read' },
  listTags: { action: 'sagemaker:ListTags', kind: 'read' },
  describeSubnets: { action: 'ec2:DescribeSubnets', kind: 'read' },
  describeSecurityGroups: { action: 'ec2:DescribeSecurityGroups', kind: 'read' },
  describeLifecycleConfig: { action: 'sagemaker:DescribeNotebookInstanceLifecycleConfig', kind: 'read' },
  createNotebookInstance: { action: 'sagemaker:CreateNotebookInstance', kind: 'write' },
  // CreateNotebookInstance with Tags needs AddTags on the new notebook.
  addTags: { action: 'sagemaker:AddTags', kind: 'write' },
  // The new notebook assumes the copied execution role.
  passRole: { action: 'iam:PassRole', kind: 'write' },
  stopNotebookInstance: { action: 'sagemaker:StopNotebookInstance', kind: 'write' },
  deleteNotebookInstance: { action: 'sagemaker:DeleteNotebookInstance', kind: 'write' },
  startNotebookInstance: { action: 'sagemaker:StartNotebookInstance', kind: 'write', backupOnly: true },
  updateNotebookInstance: { action: 'sagemaker:UpdateNotebookInstance', kind: 'write', backupOnly: true },
  createLifecycleConfig: { action: 'sagemaker:CreateNotebookInstanceLifecycleConfig', kind: 'write', backupOnly: true },
  headBucket: { action: 's3:ListBucket', kind: 'read', backupOnly: true },
  // HeadObject and GetObject of the backup's marker objects.
  getObject: { action: 's3:GetObject', kind: 'read', backupOnly: true },
} as const satisfies Record<string, RemediationAction>;

export type RemediationActionName = keyof typeof REMEDIATION_ACTIONS;

/** The actions a run needs: reads only for `plan`/`--dry-run`, everything for `apply`. */
export function remediationActions(opts: { write: boolean; backup: boolean }): string[] {
  return Object.values(REMEDIATION_ACTIONS as Record<string, RemediationAction>)
    .filter((a) => (opts.write || a.kind === 'read') && (opts.backup || !a.backupOnly))
    .map((a) => a.action)
    .sort();
}
