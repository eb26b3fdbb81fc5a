// The fixers `cloudconform fix` uses, one per format; apart from fix.ts so tests can give others.
import { fixCloudFormationTemplate } from '../../sources/cloudformation/fixer';
import { fixTerraform } from '../../sources/terraform/fixer';
import type { FormatFixers } from './fix';

export const FORMAT_FIXERS: FormatFixers = { cloudFormation: fixCloudFormationTemplate, terraform: fixTerraform };
