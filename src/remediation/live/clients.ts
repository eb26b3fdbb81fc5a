// The SDK clients of one remediation run: one account (the caller's), one region.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { callerCredentialChain } from '../../sources/aws/accounts';
import { AwsClientFactory, type AwsCredentials } from '../../sources/aws/clients';

/** Where to connect. Never credentials: those come from the SDK's chain (or `profile`) each run. */
export interface Connection {
  region: string;
  profile?: string;
  /** `--endpoint-url` (emulators, private endpoints); AWS_ENDPOINT_URL is honoured by the SDK too. */
  endpointUrl?: string;
  maxAttempts?: number;
}

/**
 * What a plan (and so a journal) keeps of the connection: the region only. The endpoint, the
 * profile and credentials come from the command line and the SDK's environment of each run,
 * never from a file that someone else could have written.
 */
export interface PlanConnection {
  region: string;
}

export interface LiveClients {
  sageMaker: SageMakerClient;
  ec2: EC2Client;
  s3: S3Client;
  destroy(): void;
}

export function makeLiveClients(connection: Connection, credentials: AwsCredentials = callerCredentialChain(connection.profile)): LiveClients {
  const { region, profile, endpointUrl, maxAttempts } = connection;
  const factory = new AwsClientFactory({
    maxSockets: 8,
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(profile ? { profile } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
  });
  return {
    sageMaker: factory.sageMaker(region, credentials),
    ec2: factory.ec2(region, credentials),
    // Path-style with an explicit endpoint: emulators and private endpoints don't serve bucket subdomains.
    s3: new S3Client({ ...factory.config(region, credentials), ...(endpointUrl ? { forcePathStyle: true } : {}) }),
    // The clients share the factory's connections; closing them is all there is to release.
    destroy: () => factory.destroy(),
  };
}
