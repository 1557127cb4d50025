import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The only place SDK clients are created. In AWS they use the Lambda role and region; locally the
 * local cloud sets the SDK's own per-service endpoint variables (AWS_ENDPOINT_URL_DYNAMODB, _S3, _SQS,
 * _EVENTBRIDGE, _SESV2) and S3_FORCE_PATH_STYLE, so the same code talks to the emulators.
 */
let cache:
  | { ddb: DynamoDBDocumentClient; s3: S3Client; sqs: SQSClient; eventBridge: EventBridgeClient; ses: SESv2Client }
  | undefined;

export const awsClients = () => {
  if (!cache) {
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    cache = {
      ddb,
      s3: new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }),
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      ses: new SESv2Client({}),
    };
  }
  return cache;
};
