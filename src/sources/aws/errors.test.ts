import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { awsErrorCode, describeAwsError, isRegionUnavailable, isResourceGone, redactSecrets } from './errors';

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

  it('redacts key ids glued to other text, 40-character secret keys, session tokens and URL user info', () => {
    assert.equal(
      redactSecrets('key_AKIAIOSFODNN7EXAMPLE and role AROAJ2UCCR6DPCEXAMPLE:session'),
      'key_[access key id redacted] and role [access key id redacted]:session',
    );
    assert.equal(redactSecrets('secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY;'), 'secret=[secret redacted];');
    assert.equal(redactSecrets(`token IQoJb3JpZ2luX2VjE${'Ab1/'.repeat(40)}== end`), 'token [token redacted] end');
    assert.equal(redactSecrets('via https://admin:hunter2@proxy.example.com:8080/x and s3://u@b'), 'via https://***@proxy.example.com:8080/x and s3://***@b');
  });

  it('keeps what looks like a secret only in length: ARNs, hexadecimal hashes, lower-case names', () => {
    const kept = [
      'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/a-notebook-with-a-rather-long-name-0001',
      'commit 8f14e45fceea167a5a36dedd4bea2543e1e5f3c9 (40 hex characters)',
      'notebookinstancenamewithoutanyseparators0123',
      'RequestId: 8f7b5c1e-3b2a-4c1d-9e8f-0a1b2c3d4e5f',
    ];
    for (const text of kept) assert.equal(redactSecrets(text), text);
  });

  it('property: a secret embedded anywhere in random text never survives redaction', () => {
    const upperAlnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const keyId = fc
      .tuple(fc.constantFrom('AKIA', 'ASIA', 'AROA', 'AIDA', 'ANPA', 'ABIA', 'ACCA'), fc.string({ unit: upperAlnum, minLength: 16, maxLength: 16 }))
      .map(([prefix, rest]) => prefix + rest);
    // A secret access key is 30 random bytes in base64 (40 characters); random ones have both
    // letter cases (those that don't are below 1e-8), which is what tells them from a hash.
    const secretKey = fc
      .uint8Array({ minLength: 30, maxLength: 30 })
      .map((bytes) => Buffer.from(bytes).toString('base64'))
      .filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s));
    const sessionToken = fc.uint8Array({ minLength: 75, maxLength: 600 }).map((bytes) => Buffer.from(bytes).toString('base64'));
    const userInfoChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&+,;=%:');
    const urlWithUserInfo = fc
      .tuple(fc.constantFrom('https', 'http', 's3', 'postgres'), fc.string({ unit: userInfoChar, minLength: 1, maxLength: 40 }), fc.domain())
      .map(([scheme, info, host]) => ({ text: `${scheme}://${info}@${host}/path`, secret: `${scheme}://${info}@` }));
    const secret = fc.oneof(
      keyId.map((s) => ({ text: s, secret: s })),
      secretKey.map((s) => ({ text: s, secret: s })),
      sessionToken.map((s) => ({ text: s, secret: s })),
      urlWithUserInfo,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), secret, fc.string({ maxLength: 80 }), (before, { text, secret: hidden }, after) => {
        const out = redactSecrets(before + text + after);
        assert.ok(!out.includes(hidden), `survived: ${hidden} in ${out}`);
      }),
      { numRuns: 3000 },
    );
  });
});
