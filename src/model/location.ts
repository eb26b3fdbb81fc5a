/** Where a value or resource stands in a source: file path as given to the scan, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

/** `aws://ACCOUNT/REGION`, or `aws://ACCOUNT` for account-wide calls: where a live resource or call is. */
export function liveLocator(account: string, region?: string): string {
  return region ? `aws://${account}/${region}` : `aws://${account}`;
}

/**
 * A live resource's location: its locator in place of a file, and line 0, which means "no line".
 * Reporters show and group live findings by the locator.
 */
export function liveLocation(account: string, region?: string): SourceLocation {
  return { file: liveLocator(account, region), line: 0 };
}

export function isLiveLocation(location: SourceLocation): boolean {
  return location.line === 0 && location.file.startsWith('aws://');
}
