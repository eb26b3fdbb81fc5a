// Small plans of each kind for unit tests of the journal and of resume.
import type { DomainRemediationPlan } from './domain-plan';
import type { NotebookRemediationPlan } from './plan';

export const TEST_PLAN: NotebookRemediationPlan = {
  version: 1,
  kind: 'notebook',
  createdAt: '2026-01-01T00:00:00.000Z',
  connection: { region: 'eu-west-1' },
  account: '111122223333',
  source: { name: 'nb', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/nb', creationTime: '2025-12-01T10:00:00.000Z', status: 'InService', directInternetAccess: 'Enabled' },
  replacement: {
    NotebookInstanceName: 'nb-vpc',
    InstanceType: 'ml.t3.medium',
    RoleArn: 'arn:aws:iam::111122223333:role/r',
    DirectInternetAccess: 'Disabled',
    SubnetId: 'subnet-1',
    SecurityGroupIds: ['sg-1'],
    Tags: [{ Key: 'cloudconform:remediated-from', Value: 'nb' }],
  },
  network: { subnetId: 'subnet-1', vpcId: 'vpc-1', securityGroupIds: ['sg-1'] },
  deleteSource: true,
  notCarriedOver: [],
  warnings: [],
  steps: [
    { id: 'create-replacement', title: 'create' },
    { id: 'stop-source', title: 'stop' },
    { id: 'delete-source', title: 'delete' },
  ],
};

export const TEST_DOMAIN_PLAN: DomainRemediationPlan = {
  version: 1,
  kind: 'domain',
  createdAt: '2026-01-01T00:00:00.000Z',
  connection: { region: 'eu-west-1' },
  account: '111122223333',
  domain: { id: 'd-abc', name: 'research', arn: 'arn:aws:sagemaker:eu-west-1:111122223333:domain/d-abc', creationTime: '2025-12-01T10:00:00.000Z', status: 'InService', appNetworkAccessType: 'PublicInternetOnly', vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroups: ['sg-1'] },
  update: { DomainId: 'd-abc', AppNetworkAccessType: 'VpcOnly' },
  network: { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
  blockingApps: [{ userProfileName: 'alice', appType: 'JupyterServer', appName: 'default', status: 'InService' }],
  apps: { mode: 'delete', minutes: 30 },
  vpcOnlyNeeds: [],
  warnings: [],
  steps: [
    { id: 'delete-apps', title: 'delete' },
    { id: 'wait-apps-stopped', title: 'wait' },
    { id: 'update-domain', title: 'update' },
    { id: 'wait-domain-vpc-only', title: 'wait' },
  ],
};
