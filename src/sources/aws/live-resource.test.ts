import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resource } from '../../model/resource';
import { liveResource, unreadableResource, type LiveResourceIdentity } from './live-resource';

const identity: LiveResourceIdentity = {
  type: 'AWS::SageMaker::NotebookInstance',
  arn: 'arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/nb',
  name: 'nb',
  status: 'Stopped',
  account: '111122223333',
  region: 'eu-west-1',
};
const at = { file: 'aws://111122223333/eu-west-1', line: 0 };

describe('live resources', () => {
  it('reads each property from the describe field of the same name, and lets the model apply defaults', () => {
    const described = { NotebookInstanceName: 'nb', RootAccess: 'Enabled', SubnetId: 'subnet-1', KmsKeyId: null, SecurityGroups: ['sg-1'] };
    const resource = new Resource(liveResource(identity, described));
    assert.deepEqual(resource.attribute('SubnetId'), { state: 'set', value: 'subnet-1', location: at });
    // Absent from the output: AWS's default, never a value taken from another field (RootAccess).
    assert.deepEqual(resource.attribute('DirectInternetAccess'), { state: 'default', value: 'Enabled', location: at });
    assert.equal(resource.attribute('KmsKeyId').state, 'default');
    assert.deepEqual(resource.attribute('SecurityGroupIds'), { state: 'set', value: ['sg-1'], location: at }, 'CloudFormation name, API field SecurityGroups');
    assert.equal(resource.attribute('toString').state, 'default', 'no prototype fields');
    assert.deepEqual(resource.raw.details, { account: '111122223333', region: 'eu-west-1', name: 'nb', status: 'Stopped' });
    assert.equal(resource.id, identity.arn);
    assert.equal(resource.raw.source, 'aws');
  });

  it('gives Tags from ListTags, unknown when not read or when reading failed', () => {
    const tags = [{ Key: 'team', Value: 'sandbox' }];
    assert.deepEqual(liveResource(identity, {}, { state: 'read', tags }).readProperty('Tags'), { state: 'set', value: tags, location: at });
    assert.equal(liveResource(identity, {}).readProperty('Tags').state, 'unknown');
    assert.deepEqual(liveResource(identity, {}, { state: 'failed', reason: 'ListTags failed' }).readProperty('Tags'), { state: 'unknown', reason: 'ListTags failed', location: at });
  });

  it('makes every property of an unreadable resource unknown, with the reason', () => {
    const resource = unreadableResource(identity, 'sagemaker:DescribeNotebookInstance failed: AccessDeniedException');
    for (const name of ['DirectInternetAccess', 'SubnetId', 'Tags']) {
      assert.deepEqual(resource.readProperty(name), { state: 'unknown', reason: 'sagemaker:DescribeNotebookInstance failed: AccessDeniedException', location: at });
    }
  });
});
