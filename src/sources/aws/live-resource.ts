import type { RawAttribute } from '../../model/attribute';
import { liveLocation } from '../../model/location';
import type { SourceResource } from '../../model/resource';
import { resourceTypeByCloudFormationName } from '../../model/resource-types';

/** What the list call tells about a resource, enough to name it in a report. */
export interface LiveResourceIdentity {
  /** CloudFormation type name. */
  type: string;
  arn: string;
  name: string;
  status?: string;
  account: string;
  region: string;
}

/** The resource's tags from ListTags, in the API's (and CloudFormation's) `[{ Key, Value }]` shape. */
export type LiveTags = { state: 'read'; tags: { Key?: string; Value?: string }[] } | { state: 'failed'; reason: string };

/**
 * A live resource as the engine sees it: every property is the Describe* output field of the
 * same name (CloudFormation's names; `liveNames` maps the few that differ), `absent` when the API
 * leaves it out, so the model applies AWS's default exactly as for a template. Nothing is
 * inferred from other fields. `Tags` comes from ListTags when it was read. Nested values are the
 * API's, whose shapes are CloudFormation's; the model reads dotted names inside them.
 */
export function liveResource(identity: LiveResourceIdentity, described: object, tags?: LiveTags): SourceResource {
  const location = liveLocation(identity.account, identity.region);
  const fields = described as Record<string, unknown>;
  const names = resourceTypeByCloudFormationName(identity.type)?.liveNames ?? {};
  return {
    ...common(identity),
    readProperty(name: string): RawAttribute {
      if (name === 'Tags') {
        if (!tags) return { state: 'unknown', reason: 'tags are read only when an exception uses them', location };
        if (tags.state === 'failed') return { state: 'unknown', reason: tags.reason, location };
        return { state: 'set', value: tags.tags, location };
      }
      const field = names[name] ?? name;
      const value = Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined;
      return value === undefined || value === null ? { state: 'absent' } : { state: 'set', value, location };
    },
  };
}

/** A resource whose describe call failed: every property is unknown, so no rule can pass it. */
export function unreadableResource(identity: LiveResourceIdentity, reason: string): SourceResource {
  const location = liveLocation(identity.account, identity.region);
  return { ...common(identity), readProperty: (): RawAttribute => ({ state: 'unknown', reason, location }) };
}

function common(identity: LiveResourceIdentity): Omit<SourceResource, 'readProperty'> {
  const { type, arn, name, status, account, region } = identity;
  return {
    type,
    id: arn,
    source: 'aws',
    location: liveLocation(account, region),
    details: { account, region, name, ...(status ? { status } : {}) },
    live: { account, region, arn },
  };
}
