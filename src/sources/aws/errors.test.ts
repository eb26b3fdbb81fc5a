import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsErrorCode, describeAwsError, isRegionUnavailable, isResourceGone } from './errors';

/** An SDK service exception as the SDK builds it: the code is its name. */
function sdkError(name: string, message: string, attempts = 1): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400, attempts } });
}

describe('AWS errors', () => {
  it('reads the code from service exceptions and Node errors', () => {
    assert.equal(awsErrorCode(sdkError('ThrottlingException', 'Rate exceeded')), 'ThrottlingException');
    assert.equal(awsErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(awsErrorCode('weird'), 'Error');
  });

  it('describes an error on one line, with the attempts when retried, without credentials', () => {
    assert.equal(describeAwsError(sdkError('ThrottlingException', 'Rate exceeded', 3)), 'ThrottlingException: Rate exceeded (after 3 attempts)');
    assert.equal(describeAwsError(sdkError('AccessDeniedException', 'not\n  authorized')), 'AccessDeniedException: not authorized');
    assert.equal(describeAwsError(sdkError('InternalFailure', '')), 'InternalFailure');
    const leaky = describeAwsError(sdkError('InvalidClientTokenId', `key ASIAABCDEFGHIJKLMNOP token ${'x'.repeat(120)}`));
    assert.equal(leaky, 'InvalidClientTokenId: key [access key id redacted] token [token redacted]');
    assert.ok(describeAwsError(sdkError('E', 'y'.repeat(2000))).length < 600);
  });

  it('knows a region that does not accept the credentials', () => {
    assert.ok(isRegionUnavailable(sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.')));
    assert.ok(isRegionUnavailable(sdkError('InvalidClientTokenId', 'invalid')));
    assert.ok(!isRegionUnavailable(sdkError('AccessDeniedException', 'denied')));
  });

  it('knows a resource deleted meanwhile, and only that', () => {
    assert.ok(isResourceGone(sdkError('ValidationException', 'RecordNotFound')));
    assert.ok(isResourceGone(sdkError('ValidationException', 'Notebook instance nb does not exist')));
    assert.ok(isResourceGone(sdkError('ResourceNotFound', 'Cannot find Domain')));
    assert.ok(!isResourceGone(sdkError('ValidationException', '1 validation error detected: Value at notebookInstanceName failed')));
    assert.ok(!isResourceGone(sdkError('AccessDeniedException', 'does not exist or you are not authorized')));
  });
});
