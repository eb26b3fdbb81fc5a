// The contract between `cloudconform fix` (src/remediation/iac/fix.ts, which finds what fails and
// writes files) and each format's fixer (src/sources/<format>/fixer.ts, which edits its format and
// knows nothing about rules). A fixer gets the desired state of each failing resource and returns
// the new text of every file it changed, what it changed, and what a person must decide.
import type { DesiredState, RequiredInputKind } from '../../rules/rule';

/** Values the user gave on the command line, by the kind of input a desired state requires. */
export type FixInputs = Partial<Record<RequiredInputKind, string | string[]>>;

export interface FixTarget {
  ruleId: string;
  /** CloudFormation type name, e.g. `AWS::SageMaker::NotebookInstance`. */
  resourceType: string;
  /** Logical id (CloudFormation) or Terraform address (`module.a.aws_x.y["k"]`), as in findings. */
  resourceId: string;
  /** The finding's location: the resource's file, and the line of the deciding property or resource. */
  file: string;
  line: number;
  desired: DesiredState;
}

/** One change made, for the summary `fix` prints. */
export interface FixChange {
  file: string;
  /**
   * 1-based line. A fixer gives the line in the new text; `fix` reports, for a file it does not
   * write (a dry run, a refusal), the line on disk it stands for (an insertion: the line it follows).
   */
  line: number;
  ruleId: string;
  resourceId: string;
  /** e.g. `DirectInternetAccess: Enabled -> Disabled`, `added parameter NotebookSubnetId (AWS::EC2::Subnet::Id)`. */
  description: string;
}

/**
 * A place where the fixer would have to guess, so it changes nothing there: a value from a
 * parameter used elsewhere too, a condition, a mapping several resources share, a module called
 * twice. `file:line` is the exact place a person must decide.
 */
export interface ManualDecision {
  file: string;
  line: number;
  ruleId: string;
  resourceId: string;
  message: string;
}

export interface FixResult {
  /** New full text of each changed file, by path (as given in the targets). Unchanged files are absent. */
  files: Map<string, string>;
  /**
   * How each new text was made, where the fixer knows: non-overlapping replacements of the text
   * it read. `fix` builds the diff from them in linear time (a general diff of a file with
   * thousands of changes is quadratic); without them, or when they don't give the new text, it diffs.
   */
  edits?: Map<string, TextEdit[]>;
  changes: FixChange[];
  manual: ManualDecision[];
}

/** Replaces `[start, end)` of the text as read with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export function emptyFixResult(): FixResult {
  return { files: new Map(), changes: [], manual: [] };
}

/** Reads a file the fixer needs besides the targets' (a module's other files, tfvars, a caller). */
export type ReadFile = (path: string) => string;
