import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throw-away directory tree built from `{ 'relative/path': 'content' }`; removed by `cleanup()`. */
export function makeTree(files: Record<string, string | Buffer>): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cloudconform-test-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const NOTEBOOK_CFN_YAML = (name: string, access?: string, subnet?: string) =>
  [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Resources:',
    `  ${name}:`,
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    '      InstanceType: ml.t3.medium',
    '      RoleArn: arn:aws:iam::111122223333:role/nb',
    ...(subnet ? [`      SubnetId: ${subnet}`] : []),
    ...(access ? [`      DirectInternetAccess: ${access}`] : []),
    '',
  ].join('\n');
