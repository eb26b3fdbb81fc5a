import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditOptionsError } from './errors';
import { SAGEMAKER_NOTEBOOK_REGIONS, planRegions, validateRegionNames, partitionOfRegion } from './regions';

const account = { id: '111122223333', partition: 'aws' };
const enabled = (...regions: string[]) => ({ regions: new Set(regions) });

const names = (plan: { regions: { region: string }[] }) => plan.regions.map((r) => r.region);

test('by default: every enabled region where notebooks are offered; the offered ones not enabled are one note for the account', () => {
  const plan = planRegions(account, undefined, enabled('us-east-1', 'eu-west-1'));
  assert.deepEqual(plan.regions, [
    { region: 'eu-west-1', expected: true },
    { region: 'us-east-1', expected: true },
  ]);
  assert.deepEqual(plan.errors, []);
  const others = SAGEMAKER_NOTEBOOK_REGIONS.aws!.filter((r) => r !== 'us-east-1' && r !== 'eu-west-1');
  assert.deepEqual(plan.notes, [{ account: account.id, message: `${others.length} regions not enabled: ${[...others].sort().join(', ')}` }]);
});

test('by default: regions of another partition and regions without notebook instances are one note each, singular or plural', () => {
  const plan = planRegions(account, undefined, enabled(...SAGEMAKER_NOTEBOOK_REGIONS.aws!.filter((r) => r !== 'us-west-1'), 'cn-north-1', 'us-gov-west-1', 'ap-southeast-5'));
  assert.deepEqual(plan.notes, [
    { account: account.id, message: '1 region not enabled: us-west-1' },
    { account: account.id, message: '2 regions not in partition aws: cn-north-1, us-gov-west-1' },
    { account: account.id, message: '1 region where SageMaker notebook instances are not offered: ap-southeast-5' },
  ]);
});

test('a note lists at most 50 regions, however many an endpoint lists', () => {
  const many = Array.from({ length: 5000 }, (_, i) => `us-west-${100 + i}`);
  const plan = planRegions(account, undefined, enabled('us-east-1', ...many));
  const note = plan.notes.find((n) => /not offered/.test(n.message))!;
  assert.match(note.message, /^5000 regions where SageMaker notebook instances are not offered: us-west-100, .*, and 4950 more$/);
  assert.ok(note.message.length < 1000, `${note.message.length}`);
});

test('requested regions are audited or are errors, never notes: not enabled and another partition are errors; one missing from our notebook list is audited', () => {
  const plan = planRegions(account, ['us-east-1', 'ap-east-1', 'cn-north-1', 'us-west-99'], enabled('us-east-1', 'cn-north-1', 'us-west-99'));
  assert.deepEqual(plan.regions, [
    { region: 'us-east-1', expected: true },
    { region: 'us-west-99', expected: true },
  ]);
  assert.deepEqual(plan.notes, []);
  assert.deepEqual(
    plan.errors.map((e) => [e.region, e.message]),
    [
      ['ap-east-1', 'ap-east-1 was requested but is not enabled for account 111122223333 (DescribeRegions does not list it): not audited'],
      ['cn-north-1', 'cn-north-1 was requested but is not in partition aws of account 111122223333: not audited'],
    ],
  );
});

test('DescribeRegions failing, listing nothing, or listing no region of the partition is an error; the candidates are tried anyway, as regions not known to be enabled', () => {
  const error = Object.assign(new Error('User is not authorized'), { name: 'UnauthorizedOperation' });
  for (const listed of [{ error }, enabled(), enabled('cn-north-1')]) {
    const requested = planRegions(account, ['eu-west-1', 'us-east-2'], listed);
    assert.deepEqual(requested.regions, [
      { region: 'eu-west-1', expected: true },
      { region: 'us-east-2', expected: true },
    ]);
    assert.equal(requested.errors.length, 1);
    assert.equal(requested.errors[0]!.call, 'ec2:DescribeRegions');
    assert.match(requested.errors[0]!.message, /could not list the regions enabled for account 111122223333: .*; trying the requested regions/);
    const all = planRegions(account, undefined, listed);
    assert.ok(all.regions.length > 30, `${all.regions.length} offered regions tried`);
    assert.ok(all.regions.every((r) => !r.expected && partitionOfRegion(r.region) === 'aws'));
    assert.match(all.errors[0]!.message, /trying every region where notebook instances are offered/);
  }
});

test('other partitions: their own offered regions', () => {
  const plan = planRegions({ id: '111122223333', partition: 'aws-cn' }, undefined, enabled('cn-north-1', 'cn-northwest-1'));
  assert.deepEqual(names(plan), ['cn-north-1', 'cn-northwest-1']);
  assert.equal(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
});

test('--regions names are checked before any call', () => {
  assert.throws(() => validateRegionNames([]), /at least one region/);
  assert.throws(() => validateRegionNames(['us-east-1', 'Frankfurt']), /'Frankfurt' is not an AWS region/);
  validateRegionNames(['us-east-1', 'us-gov-west-1', 'eusc-de-east-1']);
});

test('--regions: every region the SDK knows, in any partition, is accepted, with or without notebook instances', () => {
  validateRegionNames(['cn-north-1', 'cn-northwest-1', 'us-gov-east-1', 'us-iso-east-1', 'ap-southeast-5', 'me-west-1']);
});

test('--regions: a name shaped like a region newer than the SDK (known prefix, compass direction, number) is accepted: the account decides', () => {
  validateRegionNames(['us-east-3', 'ap-southeast-9', 'eu-central-3', 'ca-west-2', 'us-gov-central-1', 'cn-south-1']);
});

test('--regions: a typo is a usage error with the closest region, and names the valid regions', () => {
  for (const [typo, meant] of [
    ['eu-wset-1', 'eu-west-1'],
    ['us-eats-1', 'us-east-1'],
    ['ap-southeast1', 'ap-southeast-1'],
    ['EU-WEST-1', 'eu-west-1'],
    ['euwest-1', 'eu-west-1'],
    ['cn-nort-1', 'cn-north-1'],
    ['us-gov-wets-1', 'us-gov-west-1'],
    ['us-east-1a', 'us-east-1'],
    ['us_east_1', 'us-east-1'],
    ['eu-west-01', 'eu-west-1'],
  ] as const) {
    const error = captureError(() => validateRegionNames(['us-east-1', typo]));
    assert.ok(error.message.includes(`'${typo}' is not an AWS region; did you mean ${meant}?`), error.message);
    assert.match(error.message, /\nRegions where notebook instances are offered: af-south-1, ap-east-1, .*, us-west-2 \(aws\); cn-north-1/);
  }
});

test('--regions: a name of no region and near none is a usage error naming the valid regions, without a guess', () => {
  for (const name of ['xx-fake-1', 'eu-fake-1', 'mars-north-1', 'frankfurt', '']) {
    const error = captureError(() => validateRegionNames([name]));
    assert.ok(error.message.includes(`'${name}' is not an AWS region`), error.message);
    assert.doesNotMatch(error.message, /did you mean/);
    assert.match(error.message, /us-east-1/);
  }
});

test('--regions: hostile names are escaped and cut in the message, and cost no time', () => {
  const started = Date.now();
  for (const name of ['eu-west-1\u001b[2J', `us-east-${'1'.repeat(10_000)}`, 'a-'.repeat(50_000) + '1', '\u202eeu-west-1']) {
    const error = captureError(() => validateRegionNames([name]));
    assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(error.message.replace(/\n/g, '')), JSON.stringify(error.message.slice(0, 100)));
    assert.ok(error.message.length < 1200, `${error.message.length}`);
  }
  assert.ok(Date.now() - started < 500, `${Date.now() - started} ms`);
});

function captureError(fn: () => void): Error {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AuditOptionsError, String(e));
    return e;
  }
  assert.fail('no error thrown');
}
