import type { Resource } from '../../model/resource';
import type { CheckResult, DesiredState, Rule, RuleMeta } from '../rule';
import { readEnumProperty } from '../checks';
import { readRulePage } from '../pages';

export const meta: RuleMeta = {
  id: 'SageMaker-005',
  title: 'Studio domains must use VPC-only network access',
  risk: 'Medium',
  standards: ['PCI', 'HIPAA', 'GDPR', 'APRA', 'NIST'],
  resourceTypes: ['AWS::SageMaker::Domain'],
  rationale:
    'With the default PublicInternetOnly network access, the Studio apps of a SageMaker domain reach the ' +
    'internet through a VPC that SageMaker manages, outside your security groups, endpoints and logs. ' +
    'VpcOnly sends all Studio traffic through the subnets of your own VPC, where you decide what may leave.',
  remediation:
    'Set AppNetworkAccessType to VpcOnly, with VpcId and SubnetIds of your VPC and the security groups ' +
    'the apps should use; provide VPC endpoints (SageMaker API, runtime, STS, S3...) or a NAT gateway for ' +
    'what the apps need. An existing domain can be switched with UpdateDomain only while none of its apps ' +
    'are running.',
  references: [
    'https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html',
    'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-domain.html',
    'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_domain',
  ],
  aliases: [
    { tool: 'AWS Config', id: 'sagemaker-domain-in-vpc' },
  ],
};

export function check(resource: Resource): CheckResult {
  const access = readEnumProperty(resource, 'AppNetworkAccessType', ['PublicInternetOnly', 'VpcOnly'], 'this domain');
  if ('verdict' in access) return access.verdict;
  if (access.value === 'PublicInternetOnly') {
    return {
      result: 'fail',
      message: access.isDefault
        ? 'AppNetworkAccessType is not set, and AWS defaults it to PublicInternetOnly: Studio apps reach the internet outside your VPC.'
        : 'AppNetworkAccessType is PublicInternetOnly: Studio apps reach the internet outside your VPC.',
      location: access.location,
    };
  }
  return { result: 'pass', message: 'AppNetworkAccessType is VpcOnly: Studio traffic goes through your VPC.', location: access.location };
}

/**
 * VpcOnly: Studio traffic then goes through the domain's VPC, which needs subnets, its VPC id and
 * security groups for the apps (AWS requires DefaultUserSettings.SecurityGroups for VpcOnly).
 */
export const desired: DesiredState = {
  set: [{ property: 'AppNetworkAccessType', value: 'VpcOnly' }],
  require: [
    { property: 'VpcId', input: 'vpc-id', description: "the VPC of the domain's subnets" },
    { property: 'SubnetIds', input: 'subnet-ids', description: 'the VPC subnets Studio apps run in' },
    { property: 'DefaultUserSettings.SecurityGroups', input: 'security-group-ids', description: 'security groups of the Studio apps, in the VPC' },
  ],
};

export const rule: Rule = { meta, check, desired, page: () => readRulePage('sagemaker-005') };
