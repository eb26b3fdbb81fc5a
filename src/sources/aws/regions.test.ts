import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRegions, validateRegionNames, partitionOfRegion } from './regions';

const account = { id: '111122223333', partition: 'aws' };
const enabled = (...regions: string[]) => ({ regions: new Set(regions) });

test('by default: every enabled region where notebooks are offered; offered ones not enabled are noted as skipped', () => {
  const plan = planRegions(account, undefined, enabled('us-east-1', 'eu-west-1'));
  assert.deepEqual(plan.regions, ['eu-west-1', 'us-east-1']);
  const skipped = plan.notes.filter((n) => /not enabled/.test(n.message)).map((n) => n.region);
  assert.ok(skipped.includes('af-south-1') && skipped.includes('us-west-2'), skipped.join());
  assert.ok(!skipped.includes('us-east-1'));
  for (const n of plan.notes) assert.equal(n.account, account.id);
});

test('requested regions: kept when enabled; not enabled, another partition or no notebooks offered are each noted with the reason', () => {
  const plan = planRegions(account, ['us-east-1', 'ap-east-1', 'cn-north-1', 'us-west-99'], enabled('us-east-1', 'cn-north-1', 'us-west-99'));
  assert.deepEqual(plan.regions, ['us-east-1']);
  assert.deepEqual(
    plan.notes.map((n) => [n.region, n.message]),
    [
      ['ap-east-1', 'skipped: not enabled for account 111122223333'],
      ['cn-north-1', 'skipped: cn-north-1 is not in partition aws of account 111122223333'],
      ['us-west-99', 'skipped: SageMaker notebook instances are not offered in us-west-99'],
    ],
  );
});

test('when DescribeRegions failed: the candidates are tried anyway, and a note says why', () => {
  const error = Object.assign(new Error('User is not authorized'), { name: 'UnauthorizedOperation' });
  const requested = planRegions(account, ['eu-west-1', 'us-east-2'], { error });
  assert.deepEqual(requested.regions, ['eu-west-1', 'us-east-2']);
  assert.equal(requested.notes.length, 1);
  assert.match(requested.notes[0]!.message, /could not list the regions enabled for account 111122223333 \(ec2:DescribeRegions: UnauthorizedOperation.*\); trying the requested regions/);
  const all = planRegions(account, undefined, { error });
  assert.ok(all.regions.length > 30, `${all.regions.length} offered regions tried`);
  assert.match(all.notes[0]!.message, /trying every region where notebook instances are offered/);
});

test('other partitions: their own offered regions', () => {
  const plan = planRegions({ id: '111122223333', partition: 'aws-cn' }, undefined, enabled('cn-north-1', 'cn-northwest-1'));
  assert.deepEqual(plan.regions, ['cn-north-1', 'cn-northwest-1']);
  assert.equal(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
});

test('--regions names are checked before any call', () => {
  assert.throws(() => validateRegionNames([]), /at least one region/);
  assert.throws(() => validateRegionNames(['us-east-1', 'Frankfurt']), /'Frankfurt' is not a region name/);
  validateRegionNames(['us-east-1', 'us-gov-west-1', 'eusc-de-east-1']);
});
