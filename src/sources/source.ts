import type { ScanError, ScanNote } from '../model/report';
import type { SourceResource } from '../model/resource';

export type { ScanError, ScanNote } from '../model/report';
import type { NestedStackInputs } from './cloudformation/nested';
import type { GivenParameters } from './cloudformation/parameters';

export interface SourceResult {
  resources: SourceResource[];
  errors: ScanError[];
  /** Files read, whether or not they parsed (set by sources that read several files, e.g. a Terraform module's). */
  files?: string[];
  /** What the source did not evaluate and the user should know (not errors: the scan completed). */
  notes?: ScanNote[];
  /** Values that must appear in no output (NoEcho parameters' values): masked in findings and errors. */
  secrets?: string[];
  /**
   * The deploy-time inputs declared (Terraform root modules' variables, a template's parameters)
   * and the variables each `--var-file` sets: a name the user gave that nothing declares is a warning.
   */
  inputs?: { declared: string[]; varFiles?: Record<string, string[]> };
}

/** What the user gave for a scan besides the files: deploy-time values. */
export interface FileScanInputs {
  /** CloudFormation parameter values (`--parameter`, `--parameters-file`), for every template. */
  cloudFormationParameters?: GivenParameters;
  /** Lets the CloudFormation source read nested stacks' local templates, inside the scanned paths only. */
  nestedStacks?: NestedStackInputs;
  /** Every parameter's value is unknown, for this reason (a template deployed with values that can't be known offline). */
  parametersUnknown?: string;
}

/** A source that reads one file on its own (CloudFormation template, Terraform plan JSON). */
export interface FileSource {
  readonly kind: 'cloudformation' | 'terraform-plan';
  /** Cheap check on content (not the file name): is this file of my format? */
  detect(text: string, path: string): boolean;
  scanFile(path: string, text: string, inputs?: FileScanInputs): SourceResult;
}
