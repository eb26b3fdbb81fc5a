import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRegions, validateRegionNames, partitionOfRegion } from './regions';

const account = { id: '111122223333', partition: 'aws' };
const enabled = (...regions: string[]) => ({ regions: new Set(regions) });

const names = (plan: { regions: { region: string }[] }) => plan.regions.map((r) => r.region);

test('by default: every enabled region where notebooks are offered; offered ones not enabled are noted as skipped', () => {
  const plan = planRegions(account, undefined, enabled('us-east-1', 'eu-west-1'));
  assert.deepEqual(plan.regions, [
    { region: 'eu-west-1', expected: true },
    { region: 'us-east-1', expected: true },
  ]);
  assert.deepEqual(plan.errors, []);
  const skipped = plan.notes.filter((n) => /not enabled/.test(n.message)).map((n) => n.region);
  assert.ok(skipped.includes('af-south-1') && skipped.includes('us-west-2'), skipped.join());
  assert.ok(!skipped.includes('us-east-1'));
  for (const n of plan.notes) assert.equal(n.account, account.id);
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
  assert.throws(() => validateRegionNames(['us-east-1', 'Frankfurt']), /'Frankfurt' is not a region name/);
  validateRegionNames(['us-east-1', 'us-gov-west-1', 'eusc-de-east-1']);
});
