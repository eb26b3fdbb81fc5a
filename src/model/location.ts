/** Where a value or resource stands in a source: file path as given to the scan, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}
