import { envName } from '../../infra/topology-types.ts';

export class MissingEnvError extends Error {
  override readonly name = 'MissingEnvError';
}

/** Reads a required environment variable; a missing one is a deployment bug, so fail loudly. */
export const getEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new MissingEnvError(`environment variable ${name} is not set`);
  return value;
};

export const tableName = (logical: string): string => getEnv(envName('table', logical));
export const bucketName = (logical: string): string => getEnv(envName('bucket', logical));
export const queueUrl = (logical: string): string => getEnv(envName('queue', logical));

/** Bus name and event source, set by the CDK app and by the local cloud alike. */
export const EVENT_BUS_NAME = 'EVENT_BUS_NAME';
