import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { partition as sdkPartition } from '@aws-sdk/core/client';
import { liveLocator } from '../../model/location';
import { printable } from '../../reporters/printable';
import type { ScanError, ScanNote } from '../source';
import { AUDIT_ACTIONS } from './actions';
import type { CallLimiter } from './clients';
import { AuditOptionsError, awsErrorCode, describeAwsError } from './errors';

/**
 * Regions where SageMaker notebook instances are offered, by partition (data, checked by hand
 * against AWS's regional service lists; Aug 2026). ap-southeast-5 is left out: ListNotebookInstances
 * there has been reported to answer 400. A region missing here is skipped with a note, never
 * counted compliant; add it when AWS launches notebooks there.
 */
export const SAGEMAKER_NOTEBOOK_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-eusc': ['eusc-de-east-1'],
};

export function notebookRegionsOffered(partition: string): readonly string[] {
  return SAGEMAKER_NOTEBOOK_REGIONS[partition] ?? [];
}

/** `arn:aws-cn:iam::...` -> `aws-cn`. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([^:]+):/.exec(arn)?.[1];
}

/**
 * The partition a region belongs to, for when no ARN says it (the home region of a caller): the
 * SDK's partition data (its known regions, then each partition's region pattern, else `aws`).
 */
export function partitionOfRegion(region: string): string {
  return sdkPartition(region).name;
}

const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
/** The longest region names are 14 characters (ap-southeast-7, us-isob-east-1); a longer name is compared with none. */
const MAX_REGION_NAME = 32;
const COMPASS = new Set(['north', 'south', 'east', 'west', 'central', 'northeast', 'northwest', 'southeast', 'southwest']);
/** What precedes the direction in the regions we know: `us`, `ap`, `us-gov`, `eusc-de`... */
const KNOWN_PREFIXES = new Set(Object.values(SAGEMAKER_NOTEBOOK_REGIONS).flatMap((names) => names.map((name) => name.split('-').slice(0, -2).join('-'))));
const SUGGESTIONS = Object.values(SAGEMAKER_NOTEBOOK_REGIONS).flat().sort();

/**
 * `--regions`, checked offline before any call, so a typo never reaches AWS nor ends as "not
 * enabled". A name is accepted when
 * - the AWS SDK's partition data lists it (every partition, with or without notebook instances), or
 * - it is shaped exactly like AWS's regions: a prefix of a known region, a compass direction, a
 *   number (`us-east-3`, `ap-southeast-9`). AWS adds regions faster than an installed SDK learns
 *   them, and such a name can't be told from a new one offline; accepting it can't pass by
 *   accident, since a named region the account's DescribeRegions does not list is an error entry
 *   (exit 2, see planRegions), and one it lists is audited. The SDK's own pattern per partition
 *   (`^(us|eu|ap|…)-\w+-\d+$`) would accept `eu-wset-1` too, so it can't tell a typo: hence the
 *   compass direction.
 * Anything else is a usage error naming the closest region (`eu-wset-1`: did you mean eu-west-1?)
 * and the valid ones. Whether a region is enabled is the account's business, checked later.
 */
export function validateRegionNames(regions: readonly string[] | undefined): void {
  if (regions === undefined) return;
  if (regions.length === 0) throw new AuditOptionsError('--regions: give at least one region');
  for (const name of regions) checkRegionName(name, '--regions');
}

/**
 * One region name, as validateRegionNames checks it; `source` says where it came from in the
 * message (`--regions`, or AWS_REGION and the profile's `region` for the home region).
 */
export function checkRegionName(name: string, source: string): void {
  if (isRegionName(name)) return;
  const closest = closestRegion(name);
  throw new AuditOptionsError(
    `${source}: '${shown(name)}' is not an AWS region${closest ? `; did you mean ${closest}?` : ''}\n` +
      `Regions where notebook instances are offered: ${Object.entries(SAGEMAKER_NOTEBOOK_REGIONS).map(([partition, names]) => `${names.join(', ')} (${partition})`).join('; ')}`,
  );
}

function isRegionName(name: string): boolean {
  if (name.length > MAX_REGION_NAME || !REGION_NAME.test(name)) return false;
  // partition() answers a region's description only for the regions its data lists.
  if ((sdkPartition(name) as { description?: unknown }).description !== undefined) return true;
  const parts = name.split('-');
  return KNOWN_PREFIXES.has(parts.slice(0, -2).join('-')) && COMPASS.has(parts.at(-2)!) && /^[1-9]\d?$/.test(parts.at(-1)!);
}

/** A region at most two edits away (letters, or two swapped), case aside; the first in name order on a tie. */
function closestRegion(name: string): string | undefined {
  if (name.length > MAX_REGION_NAME) return undefined;
  const typed = name.toLowerCase();
  let best: { region: string; distance: number } | undefined;
  for (const region of SUGGESTIONS) {
    const distance = editDistance(typed, region);
    if (distance <= 2 && (!best || distance < best.distance)) best = { region, distance };
  }
  return best?.region;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A name as the message quotes it: control characters escaped, cut when long. */
function shown(name: string): string {
  return name.length > 40 ? `${printable(name.slice(0, 40))}… (${name.length} characters)` : printable(name);
}

export interface PlannedRegion {
  region: string;
  /**
   * DescribeRegions listed it as enabled, or the user named it: if it rejects the credentials,
   * that is an error. False for regions tried only because the enabled ones could not be listed.
   */
  expected: boolean;
}

export interface RegionPlan {
  regions: PlannedRegion[];
  notes: ScanNote[];
  /** An unreadable or empty region list, named regions that can't be audited: the audit is incomplete. */
  errors: ScanError[];
}

/** What DescribeRegions said: the regions enabled for the account, or why it could not tell. */
export type EnabledRegions = { regions: ReadonlySet<string> } | { error: unknown };

/**
 * EC2 DescribeRegions (enabled regions only), keeping only names shaped like a region. Never
 * throws: a failure is returned for the plan to report.
 */
export async function listEnabledRegions(ec2: EC2Client, call: CallLimiter): Promise<EnabledRegions> {
  try {
    const answer = await call((abortSignal) => ec2.send(new DescribeRegionsCommand({ AllRegions: false }), { abortSignal }));
    return { regions: new Set((answer.Regions ?? []).flatMap((r) => (r.RegionName && REGION_NAME.test(r.RegionName) ? [r.RegionName] : []))) };
  } catch (error) {
    return { error };
  }
}

/**
 * The regions to audit in one account: the requested ones, or every region enabled for it
 * (`listEnabledRegions`), keeping those where notebook instances are offered; every region left
 * out by default gets a note with the reason.
 *
 * A region list that can't be read, or that lists no region of the account's partition (every
 * account has some enabled), is an error, and the candidates are tried anyway: the requested
 * regions, or every region where notebook instances are offered (one that is not enabled then
 * answers UnrecognizedClientException, which the region audit notes as skipped).
 *
 * A region the user named is audited whatever our list of regions offering notebooks says (it may
 * be older than AWS's), or is an error when it can't be (another partition, or not enabled per
 * DescribeRegions): never a note, which would let the audit end with exit 0 having read nothing.
 */
export function planRegions(
  account: { id: string; partition: string },
  requested: readonly string[] | undefined,
  listed: EnabledRegions,
  /** Where the audited kinds are offered (the registry's `liveRegions`). */
  regionsOffered: (partition: string) => readonly string[] = notebookRegionsOffered,
): RegionPlan {
  const notes: ScanNote[] = [];
  const errors: ScanError[] = [];
  const offered = new Set(regionsOffered(account.partition));
  const listedRegions = 'regions' in listed ? [...listed.regions] : [];
  // AWS lists only the account's partition; emulators may list every region they know.
  const unreadable =
    'error' in listed
      ? describeAwsError(listed.error)
      : listedRegions.some((r) => partitionOfRegion(r) === account.partition)
        ? undefined
        : `the answer lists no region of partition ${account.partition}${listedRegions.length ? ` (only ${listedRegions.slice(0, 5).join(', ')})` : ''}, and every account has some enabled`;
  const enabled = unreadable === undefined ? new Set(listedRegions) : undefined;
  const error = (message: string, where: { region?: string; call?: string }) =>
    errors.push({ file: liveLocator(account.id, where.region), account: account.id, ...where, message });
  if (unreadable !== undefined) {
    error(`could not list the regions enabled for account ${account.id}: ${unreadable}; trying ${requested ? 'the requested regions' : 'every region where notebook instances are offered'}`, {
      call: AUDIT_ACTIONS.describeRegions.action,
    });
  }
  const regions: PlannedRegion[] = [];
  if (requested) {
    for (const region of new Set(requested)) {
      if (partitionOfRegion(region) !== account.partition) {
        error(`${region} was requested but is not in partition ${account.partition} of account ${account.id}: not audited`, { region });
      } else if (enabled && !enabled.has(region)) {
        error(`${region} was requested but is not enabled for account ${account.id} (DescribeRegions does not list it): not audited`, { region });
      } else {
        regions.push({ region, expected: true });
      }
    }
    return { regions, notes, errors };
  }
  // By default every region where notebooks are offered is a candidate, so one that is not enabled
  // for the account is reported as skipped instead of silently left out: one note per account and
  // reason, since an account has some thirty regions not enabled.
  const skipped = { notEnabled: [] as string[], otherPartition: [] as string[], notOffered: [] as string[] };
  for (const region of [...new Set([...(enabled ?? []), ...offered])].sort()) {
    if (enabled && !enabled.has(region)) skipped.notEnabled.push(region);
    else if (partitionOfRegion(region) !== account.partition) skipped.otherPartition.push(region);
    else if (!offered.has(region)) skipped.notOffered.push(region);
    else regions.push({ region, expected: enabled !== undefined });
  }
  const note = (names: string[], what: string) => {
    if (names.length > 0) notes.push({ account: account.id, message: `${names.length} ${names.length === 1 ? 'region' : 'regions'} ${what}: ${regionList(names)}` });
  };
  note(skipped.notEnabled, 'not enabled');
  note(skipped.otherPartition, `not in partition ${account.partition}`);
  note(skipped.notOffered, 'where SageMaker notebook instances are not offered');
  return { regions, notes, errors };
}

/**
 * Regions tried without knowing they were enabled (DescribeRegions could not tell) that rejected the
 * credentials: one note per account and error code, as planRegions' notes are.
 */
export function skippedRegionNotes(account: string, skipped: { region: string; error: unknown }[]): ScanNote[] {
  const byCode = new Map<string, { regions: string[]; error: unknown }>();
  for (const { region, error } of skipped) {
    const code = awsErrorCode(error);
    const group = byCode.get(code) ?? { regions: [], error };
    group.regions.push(region);
    byCode.set(code, group);
  }
  return [...byCode.values()].map(({ regions, error }) => ({
    account,
    message: `${regions.length} ${regions.length === 1 ? 'region' : 'regions'} skipped, probably not enabled (${describeAwsError(error)}): ${regionList(regions.sort())}`,
  }));
}

/** Region names for a note: all of an account's ordinary list, a bounded part of an endpoint's hostile one. */
const MAX_LISTED = 50;
function regionList(names: string[]): string {
  const more = names.length - MAX_LISTED;
  return more > 0 ? `${names.slice(0, MAX_LISTED).join(', ')}, and ${more} more` : names.join(', ');
}
