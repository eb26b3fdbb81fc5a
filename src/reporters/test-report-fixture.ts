// Hand-built reports for the reporter tests: every verdict, both kinds of suppression, a scan error.
import type { Finding, ScanReport } from '../model/report';
import type { RuleMeta } from '../rules/rule';

export const SAGEMAKER_004: RuleMeta = {
  id: 'SageMaker-004',
  title: 'SageMaker notebook instances should not have direct internet access',
  risk: 'Medium',
  standards: ['PCI', 'HIPAA', 'NIST'],
  resourceTypes: ['AWS::SageMaker::NotebookInstance'],
  rationale: 'Direct internet access lets a compromised notebook exfiltrate data around your VPC controls.',
  remediation: 'Set DirectInternetAccess to Disabled and route traffic through a VPC with a NAT gateway.',
  references: [
    'https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html',
    'AWS Well-Architected SEC05',
  ],
  aliases: [{ tool: 'checkov', id: 'CKV_AWS_122' }],
};

export const SAGEMAKER_005: RuleMeta = {
  id: 'SageMaker-005',
  title: 'SageMaker notebook instances should encrypt storage with a KMS key',
  risk: 'High',
  standards: ['GDPR', 'APRA'],
  resourceTypes: ['AWS::SageMaker::NotebookInstance'],
  rationale: 'A customer-managed KMS key lets you control and audit access to notebook storage.',
  remediation: 'Set KmsKeyId to a customer-managed KMS key.',
  references: ['https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html'],
  aliases: [],
};

const NOTEBOOK = 'AWS::SageMaker::NotebookInstance';

function finding(partial: Omit<Finding, 'suppressed'> & { suppressed?: boolean }): Finding {
  return { suppressed: false, ...partial };
}

/** Findings deliberately out of file/line order: reporters must sort them. */
export function sampleReport(): ScanReport {
  const findings: Finding[] = [
    finding({
      ruleId: 'SageMaker-005',
      result: 'fail',
      resource: { type: NOTEBOOK, id: 'aws_sagemaker_notebook_instance.nb[1]', source: 'terraform-plan' },
      location: { file: 'tf/plan.json', line: 30, column: 5 },
      message: 'KmsKeyId is not set',
      risk: 'High',
    }),
    finding({
      ruleId: 'SageMaker-004',
      result: 'fail',
      resource: { type: NOTEBOOK, id: 'aws_sagemaker_notebook_instance.nb[0]', source: 'terraform-plan' },
      location: { file: 'tf/plan.json', line: 12, column: 5 },
      message: 'DirectInternetAccess is Enabled',
      risk: 'Medium',
    }),
    finding({
      ruleId: 'SageMaker-005',
      result: 'unknown',
      resource: { type: NOTEBOOK, id: 'aws_sagemaker_notebook_instance.nb[0]', source: 'terraform-plan' },
      location: { file: 'tf/plan.json', line: 14, column: 7 },
      message: 'KmsKeyId is only known after apply',
      risk: 'High',
    }),
    finding({
      ruleId: 'SageMaker-004',
      result: 'pass',
      resource: { type: NOTEBOOK, id: 'Notebook', source: 'cloudformation' },
      location: { file: 'cfn/notebook.yaml', line: 3 },
      message: 'DirectInternetAccess is Disabled',
      risk: 'Medium',
    }),
    finding({
      ruleId: 'SageMaker-005',
      result: 'fail',
      resource: { type: NOTEBOOK, id: 'Notebook', source: 'cloudformation' },
      location: { file: 'cfn/notebook.yaml', line: 8, column: 7 },
      message: 'KmsKeyId is not set',
      risk: 'High',
      suppressed: true,
      suppression: { reason: 'Encrypted by the platform default key', source: 'inline', file: 'cfn/notebook.yaml', line: 6 },
    }),
    finding({
      ruleId: 'SageMaker-004',
      result: 'fail',
      resource: { type: NOTEBOOK, id: 'Legacy', source: 'cloudformation' },
      location: { file: 'cfn/legacy.yaml', line: 4, column: 3 },
      message: 'DirectInternetAccess is Enabled',
      risk: 'Medium',
      suppressed: true,
      suppression: { reason: 'Legacy stack, removed next quarter', source: 'config', file: '.cloudconform.yaml', line: 2 },
    }),
  ];
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.1.0' },
    rules: [SAGEMAKER_004, SAGEMAKER_005],
    findings,
    errors: [{ file: 'broken.yaml', message: 'YAML parse error: bad indentation', line: 7 }],
    summary: {
      resources: 4,
      findings: 6,
      pass: 1,
      fail: 2,
      unknown: 1,
      suppressed: 2,
      errors: 1,
      filesScanned: 4,
      failing: 2,
    },
  };
}

/** Text a template author controls: markup characters, quotes, terminal escapes, XML-illegal controls. */
export const HOSTILE_TEXT = `a<b & c>"d" 'e' \u0000\u0007\u001b[31mred\u001b[0m\u000b\ufffe end`;

export function hostileReport(): ScanReport {
  const report = sampleReport();
  report.findings.push(
    finding({
      ruleId: 'SageMaker-005',
      result: 'fail',
      resource: { type: NOTEBOOK, id: `Nb<&"'>\u0001`, source: 'cloudformation' },
      location: { file: 'dir with space\\sub#1\\evil?.yaml', line: 2, column: 1 },
      message: HOSTILE_TEXT,
      risk: 'High',
    }),
    finding({
      ruleId: 'SageMaker-004',
      result: 'unknown',
      resource: { type: NOTEBOOK, id: 'Abs', source: 'cloudformation' },
      location: { file: '/abs/path/template.yaml', line: 1 },
      message: HOSTILE_TEXT,
      risk: 'Medium',
    }),
  );
  report.errors.push({ file: 'C:\\Users\\me\\t.yaml', message: HOSTILE_TEXT });
  return report;
}

const ACCOUNT = '111122223333';
const notebookArn = (region: string, name: string) => `arn:aws:sagemaker:${region}:${ACCOUNT}:notebook-instance/${name}`;

function liveFinding(region: string, name: string, partial: Pick<Finding, 'result' | 'message'> & Partial<Finding>): Finding {
  return finding({
    ruleId: 'SageMaker-004',
    resource: {
      type: NOTEBOOK,
      id: notebookArn(region, name),
      source: 'aws',
      details: { account: ACCOUNT, region, name, status: 'InService' },
    },
    location: { file: `aws://${ACCOUNT}/${region}`, line: 0 },
    risk: 'Medium',
    ...partial,
  });
}

/** A live audit's report: findings located by `aws://ACCOUNT/REGION` with line 0, an API error, notes. */
export function liveReport(): ScanReport {
  const findings: Finding[] = [
    liveFinding('us-east-1', 'nb-open', { result: 'fail', message: 'DirectInternetAccess is Enabled' }),
    liveFinding('eu-west-1', 'nb-private', { result: 'pass', message: 'DirectInternetAccess is Disabled and the notebook is in a VPC subnet.' }),
    liveFinding('us-east-1', 'nb-denied', {
      result: 'unknown',
      message: "DirectInternetAccess can't be determined: sagemaker:DescribeNotebookInstance failed: AccessDeniedException: not authorized",
    }),
    liveFinding('us-east-1', 'nb-sandbox', {
      result: 'fail',
      message: 'DirectInternetAccess is Enabled',
      suppressed: true,
      suppression: { reason: 'Training sandbox, no data (SEC-9)', source: 'config' },
    }),
  ];
  return {
    version: 1,
    tool: { name: 'cloudconform', version: '0.1.0' },
    rules: [SAGEMAKER_004],
    findings,
    errors: [
      {
        file: `aws://${ACCOUNT}/us-east-1`,
        account: ACCOUNT,
        region: 'us-east-1',
        call: 'sagemaker:DescribeNotebookInstance',
        message: 'nb-denied: AccessDeniedException: not authorized',
      },
    ],
    notes: [{ account: ACCOUNT, region: 'ap-southeast-5', message: 'skipped: SageMaker notebook instances are not offered in ap-southeast-5' }],
    summary: { resources: 4, findings: 4, pass: 1, fail: 1, unknown: 1, suppressed: 1, errors: 1, filesScanned: 0, failing: 1 },
  };
}
