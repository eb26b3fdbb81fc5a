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
   * CloudFormation property -> Terraform attribute (top level), where the Terraform name is not
   * simply the snake_case of the CloudFormation one.
   */
  terraformNames: Record<string, string>;
  /**
   * The `aws` provider's nested blocks of this type, by name at any depth: `single` ones
   * (MaxItems 1: a list of one in plans, an object in CloudFormation) and `repeated` ones (a list
   * in both). Terraform sources give nested values in CloudFormation's shape from these; a list
   * of objects under any other name stays a list.
   */
  terraformBlocks?: { single: readonly string[]; repeated: readonly string[] };
  /**
   * Nested Terraform name -> CloudFormation name, where it is not the PascalCase of the Terraform
   * one (`sagemaker_image_arn` is `SageMakerImageArn`, a repeated `custom_image` is `CustomImages`).
   */
  terraformNestedNames?: Record<string, string>;
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
    terraformBlocks: { single: ['instance_metadata_service_configuration'], repeated: [] },
    liveNames: { SecurityGroupIds: 'SecurityGroups', LifecycleConfigName: 'NotebookInstanceLifecycleConfigName' },
    cloudControl: 'awscc_sagemaker_notebook_instance',
  },
  {
    cloudFormation: 'AWS::SageMaker::Domain',
    terraform: 'aws_sagemaker_domain',
    defaults: { AppNetworkAccessType: 'PublicInternetOnly' },
    terraformNames: {},
    // From the aws provider's schema of aws_sagemaker_domain (v5/v6).
    terraformBlocks: {
      single: [
        'default_user_settings', 'default_space_settings', 'domain_settings', 'retention_policy', 'sharing_settings',
        'jupyter_server_app_settings', 'kernel_gateway_app_settings', 'jupyter_lab_app_settings', 'tensor_board_app_settings',
        'r_studio_server_pro_app_settings', 'r_session_app_settings', 'canvas_app_settings', 'space_storage_settings',
        'default_ebs_storage_settings', 'custom_posix_user_config', 'studio_web_portal_settings', 'default_resource_spec',
        'r_studio_server_pro_domain_settings', 'docker_settings', 'direct_deploy_settings', 'kendra_settings',
        'model_register_settings', 'time_series_forecasting_settings', 'workspace_settings', 'generative_ai_settings',
        'emr_serverless_settings', 'emr_settings', 'app_lifecycle_management', 'idle_settings', 'efs_file_system_config',
        'fsx_lustre_file_system_config', 's3_file_system_config', 'unified_studio_settings',
      ],
      repeated: ['custom_image', 'code_repository', 'custom_file_system_config', 'identity_provider_oauth_settings', 'hidden_sagemaker_image_version_aliases'],
    },
    terraformNestedNames: {
      sagemaker_image_arn: 'SageMakerImageArn',
      sagemaker_image_version_arn: 'SageMakerImageVersionArn',
      sagemaker_image_version_alias: 'SageMakerImageVersionAlias',
      sagemaker_image_name: 'SageMakerImageName',
      custom_image: 'CustomImages',
      code_repository: 'CodeRepositories',
      custom_file_system_config: 'CustomFileSystemConfigs',
      identity_provider_oauth_settings: 'IdentityProviderOAuthSettings',
      hidden_sagemaker_image_version_aliases: 'HiddenSageMakerImageVersionAliases',
    },
    cloudControl: 'awscc_sagemaker_domain',
  },
];

const byCfn = new Map(RESOURCE_TYPES.map((t) => [t.cloudFormation, t]));
const byTf = new Map<string, ResourceTypeInfo>([
  ...RESOURCE_TYPES.map((t) => [t.terraform, t] as const),
  // An awscc type reads as its CloudFormation type, with AWS's same defaults, under snake_case names.
  // Its nested attributes are objects and lists already, named as the snake_case of CloudFormation's.
  ...RESOURCE_TYPES.flatMap((t) => (t.cloudControl ? [[t.cloudControl, { ...t, terraform: t.cloudControl, terraformNames: {}, terraformBlocks: { single: [], repeated: [] }, terraformNestedNames: {} }] as const] : [])),
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

/**
 * The Terraform attribute for a CloudFormation property of the given type; a dotted name
 * (`DefaultUserSettings.SecurityGroups`) gives the dotted path of nested names.
 */
export function terraformAttributeName(info: ResourceTypeInfo, property: string): string {
  if (property.includes('.')) {
    const [first, ...rest] = property.split('.');
    return [terraformAttributeName(info, first!), ...rest.map((n) => terraformNestedName(info, n))].join('.');
  }
  return Object.prototype.hasOwnProperty.call(info.terraformNames, property) ? info.terraformNames[property]! : snakeCase(property);
}

/** `default_user_settings` -> `DefaultUserSettings`: a nested Terraform name as CloudFormation's. */
export function cloudFormationNestedName(info: ResourceTypeInfo, terraformName: string): string {
  const named = info.terraformNestedNames;
  if (named && Object.prototype.hasOwnProperty.call(named, terraformName)) return named[terraformName]!;
  return terraformName.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The reverse of cloudFormationNestedName, for locating a nested property in Terraform source. */
export function terraformNestedName(info: ResourceTypeInfo, cloudFormationName: string): string {
  for (const [tf, cfn] of Object.entries(info.terraformNestedNames ?? {})) if (cfn === cloudFormationName) return tf;
  return snakeCase(cloudFormationName);
}
