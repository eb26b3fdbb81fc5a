import type { Resource } from '../../model/resource';
import type { CheckResult, Rule, RuleMeta } from '../rule';
import { describeValue } from '../checks';
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

const VALID_VALUES = ['PublicInternetOnly', 'VpcOnly'];

export function check(resource: Resource): CheckResult {
  const access = resource.attribute('AppNetworkAccessType');
  const at = access.location;
  if (access.state === 'unknown') {
    return { result: 'unknown', message: `AppNetworkAccessType can't be determined offline: ${access.reason}.`, location: at };
  }
  if (access.state === 'default') {
    return {
      result: 'fail',
      message: 'AppNetworkAccessType is not set, and AWS defaults it to PublicInternetOnly: Studio apps reach the internet outside your VPC.',
      location: at,
    };
  }
  const value = access.value;
  if (typeof value !== 'string' || !VALID_VALUES.includes(value)) {
    return {
      result: 'fail',
      message: `AppNetworkAccessType is ${describeValue(value)}, which is not a valid value (PublicInternetOnly or VpcOnly, case-sensitive): AWS would reject this domain.`,
      location: at,
    };
  }
  if (value === 'PublicInternetOnly') {
    return {
      result: 'fail',
      message: 'AppNetworkAccessType is PublicInternetOnly: Studio apps reach the internet outside your VPC.',
      location: at,
    };
  }
  return { result: 'pass', message: 'AppNetworkAccessType is VpcOnly: Studio traffic goes through your VPC.', location: at };
}

export const rule: Rule = { meta, check, page: () => readRulePage('sagemaker-005') };
