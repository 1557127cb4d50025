import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@smithy/types';

/**
 * HTTP handlers the local cloud may install for emulators that run in its own process (S3/SQS, the event bus): the
 * requests skip the loopback socket (infra/local/in-process-transport.ts). Never set in AWS.
 */
type RequestHandler = NonNullable<ConstructorParameters<typeof S3Client>[0]>['requestHandler'];
let inProcess: { s3?: RequestHandler; sqs?: RequestHandler; eventBridge?: RequestHandler } = {};
export const setInProcessTransports = (handlers: typeof inProcess) => {
  inProcess = handlers;
  cache = undefined;
};
const handler = (h: RequestHandler | undefined) => (h ? { requestHandler: h } : {});

/**
 * The SDK's logger middleware builds a redacted copy of every command's input and output for `logger.info` even
 * when the logger discards it (the default NoOpLogger has an `info`): a walk of each request and response through
 * its schema, a few per cent of a busy function's CPU. It calls `logger?.info?.(…)`, so a logger without `info`
 * skips that work; warnings and errors are still dropped, as by the default logger.
 */
export const QUIET_SDK_LOGGER = { trace() {}, debug() {}, warn() {}, error() {} } as unknown as Logger;

let cache:
  | { ddb: DynamoDBDocumentClient; s3: S3Client; sqs: SQSClient; eventBridge: EventBridgeClient; ses: SESv2Client }
  | undefined;

/**
 * The only place SDK clients are created. In AWS they use the Lambda role and region; locally the
 * local cloud sets the SDK's own per-service endpoint variables (AWS_ENDPOINT_URL_DYNAMODB, _S3, _SQS,
 * _EVENTBRIDGE, _SESV2) and S3_FORCE_PATH_STYLE, so the same code talks to the emulators.
 */
export const awsClients = () => {
  if (!cache) {
    const logger = QUIET_SDK_LOGGER;
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ logger }), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    cache = {
      ddb,
      s3: new S3Client({
        logger,
        forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
        ...handler(inProcess.s3),
      }),
      sqs: new SQSClient({ logger, ...handler(inProcess.sqs) }),
      eventBridge: new EventBridgeClient({ logger, ...handler(inProcess.eventBridge) }),
      ses: new SESv2Client({ logger }),
    };
  }
  return cache;
};
