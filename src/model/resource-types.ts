/**
 * The resource types rules can ask about, with each type's name in every source and the
 * defaults AWS applies when a property is not given. Sources use the name mappings; the model
 * applies the defaults. Adding a rule for a new type adds an entry here, not code in a source.
 */
export interface ResourceTypeInfo {
  cloudFormation: string;
  terraform: string;
  /** Property (CloudFormation name) -> value AWS uses when it is not given. */
  defaults: Record<string, unknown>;
  /**
   * CloudFormation property -> Terraform attribute, where the Terraform name is not simply the
   * snake_case of the CloudFormation one. A dotted path names a nested block's attribute.
   */
  terraformNames: Record<string, string>;
  /**
   * CloudFormation property -> field of the SageMaker Describe* output, where they differ (most
   * names are the same). Used by the live AWS source.
   */
  liveNames?: Record<string, string>;
  /**
   * The type in the Cloud Control provider (`awscc`). That provider is generated from the
   * CloudFormation schema: its attributes are the snake_case of the CloudFormation names.
   */
  cloudControl?: string;
}

export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  {
    cloudFormation: 'AWS::SageMaker::NotebookInstance',
    terraform: 'aws_sagemaker_notebook_instance',
    defaults: { DirectInternetAccess: 'Enabled', RootAccess: 'Enabled', VolumeSizeInGB: 5 },
    terraformNames: {
      SecurityGroupIds: 'security_groups',
      NotebookInstanceName: 'name',
      LifecycleConfigName: 'lifecycle_config_name',
      DefaultCodeRepository: 'default_code_repository',
      VolumeSizeInGB: 'volume_size',
      InstanceMetadataServiceConfiguration: 'instance_metadata_service_configuration',
    },
    liveNames: { SecurityGroupIds: 'SecurityGroups', LifecycleConfigName: 'NotebookInstanceLifecycleConfigName' },
    cloudControl: 'awscc_sagemaker_notebook_instance',
  },
  {
    cloudFormation: 'AWS::SageMaker::Domain',
    terraform: 'aws_sagemaker_domain',
    defaults: { AppNetworkAccessType: 'PublicInternetOnly' },
    terraformNames: {},
    cloudControl: 'awscc_sagemaker_domain',
  },
];

const byCfn = new Map(RESOURCE_TYPES.map((t) => [t.cloudFormation, t]));
const byTf = new Map<string, ResourceTypeInfo>([
  ...RESOURCE_TYPES.map((t) => [t.terraform, t] as const),
  // An awscc type reads as its CloudFormation type, with AWS's same defaults, under snake_case names.
  ...RESOURCE_TYPES.flatMap((t) => (t.cloudControl ? [[t.cloudControl, { ...t, terraform: t.cloudControl, terraformNames: {} }] as const] : [])),
]);

export function resourceTypeByCloudFormationName(name: string): ResourceTypeInfo | undefined {
  return byCfn.get(name);
}

/** The `aws` provider's type, or the `awscc` one (whose `terraform` is then the awscc name). */
export function resourceTypeByTerraformName(name: string): ResourceTypeInfo | undefined {
  return byTf.get(name);
}

/** `DirectInternetAccess` -> `direct_internet_access`, `VolumeSizeInGB` -> `volume_size_in_gb`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The Terraform attribute for a CloudFormation property of the given type. */
export function terraformAttributeName(info: ResourceTypeInfo, property: string): string {
  return info.terraformNames[property] ?? snakeCase(property);
}
