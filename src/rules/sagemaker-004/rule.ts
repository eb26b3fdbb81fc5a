import type { Resource } from '../../model/resource';
import type { CheckResult, DesiredState, Rule, RuleMeta } from '../rule';
import { presence, readEnumProperty } from '../checks';
import { readRulePage } from '../pages';

export const meta: RuleMeta = {
  id: 'SageMaker-004',
  title: 'Notebook instances must not have direct internet access',
  risk: 'Medium',
  standards: ['PCI', 'HIPAA', 'GDPR', 'APRA', 'NIST'],
  resourceTypes: ['AWS::SageMaker::NotebookInstance'],
  rationale:
    'A notebook instance with direct internet access gets a network interface in a VPC that SageMaker ' +
    'manages, with a route to the internet that bypasses your VPC: its traffic escapes your security ' +
    'groups, network ACLs, VPC endpoints, proxies and flow logs, so data can leave without a trace. ' +
    'Direct internet access is on unless DirectInternetAccess is Disabled, and Disabled is accepted only ' +
    'for a notebook placed in one of your subnets.',
  remediation:
    'Set DirectInternetAccess to Disabled and give the notebook a SubnetId (and security groups) in a ' +
    'VPC whose routes, NAT gateway or VPC endpoints provide the access it needs. The setting cannot be ' +
    'changed on an existing notebook: AWS replaces it, and the data on its ML storage volume is lost ' +
    'unless copied first.',
  references: [
    'https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html',
    'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-notebookinstance.html',
    'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_notebook_instance',
  ],
  aliases: [
    { tool: 'AWS Security Hub', id: 'SageMaker.1' },
    { tool: 'AWS Config', id: 'sagemaker-notebook-no-direct-internet-access' },
    { tool: 'Checkov', id: 'CKV_AWS_122' },
    { tool: 'cdk-nag', id: 'AwsSolutions-SM3' },
    { tool: 'Prowler', id: 'sagemaker_notebook_instance_without_direct_internet_access_configured' },
    { tool: 'Trend Micro Conformity', id: 'SageMaker-004' },
  ],
};

export function check(resource: Resource): CheckResult {
  const access = readEnumProperty(resource, 'DirectInternetAccess', ['Enabled', 'Disabled'], 'this notebook');
  if ('verdict' in access) return access.verdict;
  const at = access.location;
  if (access.value === 'Enabled') {
    return {
      result: 'fail',
      message: access.isDefault
        ? 'DirectInternetAccess is not set, and AWS defaults it to Enabled: the notebook can reach the internet outside your VPC.'
        : 'DirectInternetAccess is Enabled: the notebook can reach the internet outside your VPC.',
      location: at,
    };
  }
  const subnet = resource.attribute('SubnetId');
  // A SubnetId given at deploy time (a parameter) that turns out empty or no subnet is refused by
  // AWS: CreateNotebookInstance's SubnetId has pattern [-0-9a-zA-Z]+ (botocore's sagemaker
  // service-2.json), and Disabled needs a SubnetId. Either the notebook is in a subnet or none exists.
  switch (presence(subnet, { emptyIsRejected: true })) {
    case 'missing':
      return {
        result: 'fail',
        message: 'DirectInternetAccess is Disabled but no SubnetId is given: AWS rejects a notebook without direct internet access outside a VPC subnet.',
        location: at,
      };
    case 'unknown':
      return {
        result: 'unknown',
        message: `DirectInternetAccess is Disabled, but whether a SubnetId is given can't be determined: ${subnet.state === 'unknown' ? subnet.reason : 'part of its value is unknown'}.`,
        location: subnet.location,
      };
    case 'present':
      return { result: 'pass', message: 'DirectInternetAccess is Disabled and the notebook is in a VPC subnet.', location: at };
  }
}

/**
 * Disabled, in a subnet of the customer's VPC (AWS rejects Disabled without one), with explicit
 * security groups (without them the VPC's default group would apply).
 */
export const desired: DesiredState = {
  set: [{ property: 'DirectInternetAccess', value: 'Disabled' }],
  require: [
    { property: 'SubnetId', input: 'subnet-id', description: 'the VPC subnet the notebook is placed in' },
    { property: 'SecurityGroupIds', input: 'security-group-ids', description: "security groups of the notebook's network interface, in the subnet's VPC" },
  ],
};

export const rule: Rule = { meta, check, desired, page: () => readRulePage('sagemaker-004') };
