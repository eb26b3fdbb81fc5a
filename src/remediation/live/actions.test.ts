import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remediationActions } from './actions';

test("a domain's dry run names only domain actions; a notebook's stays as it was", () => {
  assert.deepEqual(remediationActions({ write: false, backup: false, target: 'domain' }), [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'sagemaker:DescribeDomain',
    'sagemaker:ListApps',
  ]);
  assert.deepEqual(remediationActions({ write: true, backup: false, target: 'domain' }).filter((a) => !remediationActions({ write: false, backup: false, target: 'domain' }).includes(a)), [
    'sagemaker:DeleteApp',
    'sagemaker:UpdateDomain',
  ]);
  assert.ok(!remediationActions({ write: true, backup: true }).some((a) => /Domain|App/.test(a)));
});
