import type { FileSource } from './source';
import { cloudFormationSource } from './cloudformation/index';
import { terraformPlanSource } from './terraform/plan';

/** Sources that read one file each, asked in order; the first whose `detect` accepts a file reads it. */
export const FILE_SOURCES: readonly FileSource[] = [terraformPlanSource, cloudFormationSource];

export { scanTerraformDirectories, type TerraformScanOptions } from './terraform/index';
