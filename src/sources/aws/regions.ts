import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { ScanNote } from '../source';
import { AUDIT_ACTIONS } from './actions';
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

export interface RegionPlan {
  regions: string[];
  notes: ScanNote[];
}

/** What DescribeRegions said: the regions enabled for the account, or why it could not tell. */
export type EnabledRegions = { regions: ReadonlySet<string> } | { error: unknown };

/** EC2 DescribeRegions (enabled regions only). Never throws: a failure is returned for the plan to note. */
export async function listEnabledRegions(ec2: EC2Client, call: <T>(fn: () => Promise<T>) => Promise<T>): Promise<EnabledRegions> {
  try {
    const answer = await call(() => ec2.send(new DescribeRegionsCommand({ AllRegions: false })));
    return { regions: new Set((answer.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : []))) };
  } catch (error) {
    return { error };
  }
}

/**
 * The regions to audit in one account: the requested ones, or every region enabled for it
 * (`listEnabledRegions`), keeping those where notebook instances are offered. Every region left
 * out gets a note with the reason. When the enabled regions can't be listed, the candidates are
 * tried anyway: a region that is not enabled then answers UnrecognizedClientException, which the
 * region audit turns into a note too.
 */
export function planRegions(account: { id: string; partition: string }, requested: readonly string[] | undefined, listed: EnabledRegions): RegionPlan {
  const notes: ScanNote[] = [];
  const offered = new Set(notebookRegionsOffered(account.partition));
  const enabled = 'regions' in listed ? listed.regions : undefined;
  if ('error' in listed) {
    notes.push({
      account: account.id,
      message: `could not list the regions enabled for account ${account.id} (${AUDIT_ACTIONS.describeRegions.action}: ${describeAwsError(listed.error)}); trying ${requested ? 'the requested regions' : 'every region where notebook instances are offered'}`,
    });
  }
  // By default every region where notebooks are offered is a candidate, so one that is not enabled
  // for the account is reported as skipped instead of silently left out.
  const candidates = requested ?? [...new Set([...(enabled ?? []), ...offered])].sort();
  const regions: string[] = [];
  for (const region of new Set(candidates)) {
    if (enabled && !enabled.has(region)) {
      notes.push({ account: account.id, region, message: `skipped: not enabled for account ${account.id}` });
    } else if (partitionOfRegion(region) !== account.partition) {
      // AWS lists only the account's partition; emulators may list every region they know.
      notes.push({ account: account.id, region, message: `skipped: ${region} is not in partition ${account.partition} of account ${account.id}` });
    } else if (!offered.has(region)) {
      notes.push({ account: account.id, region, message: `skipped: SageMaker notebook instances are not offered in ${region}` });
    } else {
      regions.push(region);
    }
  }
  return { regions, notes };
}
