import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_ACTIONS, auditIamPolicy } from './actions';
import { SAGEMAKER_NOTEBOOK_REGIONS, partitionOfRegion } from './regions';

describe('IAM policy and region data', () => {
  it('puts every audit action in exactly one statement, read-only, sorted', () => {
    const policy = auditIamPolicy();
    const statements = policy.Statement.map((s) => s.Action);
    assert.deepEqual(statements.flat().sort(), Object.values(AUDIT_ACTIONS).map((a) => a.action).sort());
    assert.deepEqual(statements[1], ['organizations:ListAccounts', 'sts:AssumeRole']);
    for (const actions of statements) assert.deepEqual(actions, [...actions].sort());
    for (const action of statements[0]!) assert.match(action, /:(List|Describe|Get)/);
  });

  it('lists notebook regions once each, in their own partition', () => {
    for (const [partition, regions] of Object.entries(SAGEMAKER_NOTEBOOK_REGIONS)) {
      assert.deepEqual([...regions], [...new Set(regions)].sort(), partition);
      for (const region of regions) assert.equal(partitionOfRegion(region), partition, region);
    }
    assert.ok(!SAGEMAKER_NOTEBOOK_REGIONS.aws!.includes('ap-southeast-5'));
  });
});
