import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { liveLocator } from '../model/location';
import { ConfigError, ExceptionMatcher, loadConfigFile, parseConfig } from './config';

describe('config: exceptions by tag', () => {
  it('reads tags from .cloudconform.yml, as text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudconform-config-'));
    try {
      const file = join(dir, '.cloudconform.yml');
      writeFileSync(
        file,
        ['exceptions:', '  - rules: [SageMaker-004]', '    tags: { team: sandbox, cost-center: 42, shared: true }', '    reason: Training sandbox (SEC-9)', ''].join('\n'),
      );
      const [exception] = loadConfigFile(file).exceptions;
      assert.deepEqual({ ...exception!.tags }, { team: 'sandbox', 'cost-center': '42', shared: 'true' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects tags that are not a mapping of single values', () => {
    const withTags = (tags: unknown) => parseConfig({ exceptions: [{ rules: '*', tags, reason: 'r' }] });
    assert.throws(() => withTags(['team=sandbox']), /tags must be a mapping/);
    assert.throws(() => withTags('team'), /tags must be a mapping/);
    assert.throws(() => withTags({}), /at least one tag/);
    assert.throws(() => withTags({ team: ['a', 'b'] }), (e: Error) => e instanceof ConfigError && /tags\.team must be a single value/.test(e.message));
    assert.equal(parseConfig({ exceptions: [{ rules: '*', reason: 'r' }] }).exceptions[0]!.tags, undefined);
  });

  it('matches only when every tag is there with exactly its value, and never without tags', () => {
    const matcher = new ExceptionMatcher(parseConfig({ exceptions: [{ rules: '*', tags: { team: 'sandbox', env: 'dev' }, reason: 'r' }] }).exceptions);
    const file = liveLocator('111122223333', 'us-east-1');
    const match = (tags?: Record<string, string>) => matcher.match('SageMaker-004', file, ['arn:x'], tags) !== undefined;
    assert.equal(matcher.usesTags, true);
    assert.equal(match({ team: 'sandbox', env: 'dev', owner: 'me' }), true);
    assert.equal(match({ team: 'sandbox' }), false);
    assert.equal(match({ team: 'Sandbox', env: 'dev' }), false, 'values are case-sensitive, as in AWS');
    assert.equal(match({}), false);
    assert.equal(match(undefined), false, 'a template resource (no live tags) is never matched by tag');
  });

  it('combines tags with rules, resources and paths; an expired tag exception no longer matches but still reads tags', () => {
    const exceptions = parseConfig({
      exceptions: [
        { rules: ['SageMaker-004'], resources: ['nb-*'], paths: ['aws://111122223333/**'], tags: { team: 'sandbox' }, reason: 'r' },
        { rules: '*', tags: { old: 'yes' }, reason: 'expired', expires: '2020-01-01' },
      ],
    }).exceptions;
    const matcher = new ExceptionMatcher(exceptions, new Date('2026-08-01'));
    const tags = { team: 'sandbox', old: 'yes' };
    assert.ok(matcher.match('SageMaker-004', liveLocator('111122223333', 'eu-west-1'), ['arn:y', 'nb-1'], tags));
    assert.equal(matcher.match('SageMaker-005', liveLocator('111122223333', 'eu-west-1'), ['arn:y', 'nb-1'], tags), undefined);
    assert.equal(matcher.match('SageMaker-004', liveLocator('999988887777', 'eu-west-1'), ['arn:y', 'nb-1'], tags), undefined);
    assert.equal(matcher.match('SageMaker-004', liveLocator('111122223333', 'eu-west-1'), ['arn:y', 'other'], tags), undefined);
    // Tags are still read for an expired tag exception, so a finding it matches can say that it expired.
    assert.equal(new ExceptionMatcher(exceptions.slice(1), new Date('2026-08-01')).usesTags, true);
    assert.equal(matcher.match('SageMaker-005', liveLocator('111122223333', 'eu-west-1'), ['arn:y'], { old: 'yes' }), undefined);
    assert.deepEqual(
      matcher.matchAll('SageMaker-005', liveLocator('111122223333', 'eu-west-1'), ['arn:y'], { old: 'yes' }).map((m) => [m.index, m.expired]),
      [[1, true]],
    );
    assert.equal(matcher.usesTagsFor('SageMaker-004'), true);
    assert.equal(matcher.usesTagsFor('sagemaker-004'), true, 'rule ids match without regard to case');
    assert.equal(matcher.usesTagsFor('SageMaker-005'), true, 'the expired tag exception covers every rule');
    assert.equal(new ExceptionMatcher(exceptions.slice(0, 1), new Date('2026-08-01')).usesTagsFor('SageMaker-005'), false, 'the first covers SageMaker-004 only');
  });
});
