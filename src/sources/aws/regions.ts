import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { liveLocator } from '../../model/location';
import type { ScanError, ScanNote } from '../source';
import { AUDIT_ACTIONS } from './actions';
import type { CallLimiter } from './clients';
import { AuditOptionsError, describeAwsError } from './errors';

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

/** The partition a region belongs to, for when no ARN says it (the home region of a caller). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** `--regions`: names only (whether each is enabled is the account's business, checked later). */
export function validateRegionNames(regions: readonly string[] | undefined): void {
  if (regions === undefined) return;
  if (regions.length === 0) throw new AuditOptionsError('--regions: give at least one region');
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) throw new AuditOptionsError(`--regions: '${bad}' is not a region name (e.g. us-east-1)`);
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
export function planRegions(account: { id: string; partition: string }, requested: readonly string[] | undefined, listed: EnabledRegions): RegionPlan {
  const notes: ScanNote[] = [];
  const errors: ScanError[] = [];
  const offered = new Set(notebookRegionsOffered(account.partition));
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
  // for the account is reported as skipped instead of silently left out.
  for (const region of [...new Set([...(enabled ?? []), ...offered])].sort()) {
    if (enabled && !enabled.has(region)) {
      notes.push({ account: account.id, region, message: `skipped: not enabled for account ${account.id}` });
    } else if (partitionOfRegion(region) !== account.partition) {
      notes.push({ account: account.id, region, message: `skipped: ${region} is not in partition ${account.partition} of account ${account.id}` });
    } else if (!offered.has(region)) {
      notes.push({ account: account.id, region, message: `skipped: SageMaker notebook instances are not offered in ${region}` });
    } else {
      regions.push({ region, expected: enabled !== undefined });
    }
  }
  return { regions, notes, errors };
}
