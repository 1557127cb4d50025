import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.ts';
import { acknowledge } from './nag.ts';
import {
  type AnyTopology,
  bucketsWithObjectCreatedTriggers,
  entries,
  pascal,
  toCdkEventPattern,
} from './topology-walk.ts';

export interface StatefulStackProps extends StackProps {
  readonly topology: AnyTopology;
  readonly config: StageConfig;
}

export interface QueuePair {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly fifo: boolean;
}

/** Cognito groups; the API's authorization reads them from the `cognito:groups` claim. */
export const USER_GROUPS = {
  admin: 'Company administrators: users, settings, connectors',
  finance: 'Finance team: all receipts, exports, accounting',
  approver: 'Approves expenses of their reports',
  employee: 'Submits receipts and expenses',
  auditor: 'Read-only access to books and audit trail',
} as const;

/**
 * Everything that holds data or identity, built from the topology: tables, buckets, queues (+ DLQs), the
 * application event bus, the user pool, webhook secrets and the SES inbound rule. Deployed first and
 * rarely; the stateless stack reads it.
 */
export class StatefulStack extends Stack {
  readonly tables: Record<string, dynamodb.Table> = {};
  readonly buckets: Record<string, s3.Bucket> = {};
  readonly queues: Record<string, QueuePair> = {};
  /** Where Textract announces finished asynchronous jobs, and the role it publishes with (absent: sync only). */
  textract?: { topic: sns.Topic; publishRole: iam.Role };
  readonly accessLogs: s3.Bucket;
  readonly bus: events.EventBus;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly webhookSecrets: Record<string, secretsmanager.Secret> = {};
  readonly inboundRuleSet: ses.ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { topology, config } = props;

    // ── DynamoDB ───────────────────────────────────────────────────────────────────────────────────────
    for (const [name, spec] of Object.entries(topology.tables)) {
      const table = new dynamodb.Table(this, `Table${pascal(name)}`, {
        partitionKey: { name: spec.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: spec.sortKey, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: config.isProd,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: spec.ttlAttribute,
        removalPolicy: config.removalPolicy,
      });
      for (const [indexName, [pk, sk]] of Object.entries(spec.indexes)) {
        table.addGlobalSecondaryIndex({
          indexName,
          partitionKey: { name: pk, type: dynamodb.AttributeType.STRING },
          sortKey: { name: sk, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tables[name] = table;
      new CfnOutput(this, `Table${pascal(name)}Name`, { value: table.tableName });
    }

    // ── S3 ─────────────────────────────────────────────────────────────────────────────────────────────
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // server access logging cannot deliver to SSE-KMS buckets
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: config.accessLogExpiration }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No S1 acknowledgement needed: cdk-nag counts a bucket that receives other buckets' access logs as logged.

    const notified = bucketsWithObjectCreatedTriggers(topology);
    for (const [name, spec] of Object.entries(topology.buckets)) {
      const expiring = entries(spec.expireAfterDays);
      const bucket = new s3.Bucket(this, `Bucket${pascal(name)}`, {
        versioned: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        lifecycleRules: [
          ...expiring.map(([prefix, days]) => ({
            id: `expire-${prefix.replace(/[^A-Za-z0-9-]/g, '') || 'root'}`,
            prefix,
            expiration: Duration.days(days),
          })),
          {
            id: 'noncurrent-versions',
            noncurrentVersionExpiration: config.noncurrentVersionExpiration,
            abortIncompleteMultipartUploadAfter: Duration.days(7),
          },
        ],
        // Raw inputs and documents are evidence (and French law keeps accounting records 10 years):
        // never deleted with the stack, whatever the stage.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (notified.has(name)) {
        // S3 → EventBridge (default bus) through the bucket's native CloudFormation property rather than
        // the L2 `eventBridgeEnabled: true`, which provisions a Python custom-resource Lambda with a managed
        // policy only to set this same flag. The functions subscribe with rules in the stateless stack,
        // which avoids the stateful → stateless cycle of direct S3 → Lambda notifications.
        const cfn = bucket.node.defaultChild as s3.CfnBucket;
        cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      }
      this.buckets[name] = bucket;
      new CfnOutput(this, `Bucket${pascal(name)}Name`, { value: bucket.bucketName });
    }

    // ── Event bus ──────────────────────────────────────────────────────────────────────────────────────
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${config.app}-${config.stage}` });
    new events.Archive(this, 'BusArchive', {
      sourceEventBus: this.bus,
      description: `Replayable copy of every ${config.app} application event`,
      eventPattern: { account: [this.account] },
      retention: config.busArchiveRetention,
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });

    // ── SQS ────────────────────────────────────────────────────────────────────────────────────────────
    for (const [name, spec] of Object.entries(topology.queues)) {
      const fifo = spec.fifo === true;
      const common = {
        fifo: fifo || undefined,
        encryption: sqs.QueueEncryption.SQS_MANAGED, // SSE-SQS: EventBridge and Lambda work without key grants
        enforceSSL: true,
        removalPolicy: config.removalPolicy,
      };
      const dlq = new sqs.Queue(this, `Queue${pascal(name)}Dlq`, { ...common, retentionPeriod: Duration.days(14) });
      const queue = new sqs.Queue(this, `Queue${pascal(name)}`, {
        ...common,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      if (spec.subscribe) {
        // Rule and queue in the same stack: the queue policy that lets EventBridge send references the rule.
        new events.Rule(this, `Queue${pascal(name)}Subscription`, {
          eventBus: this.bus,
          description: `Delivers matching ${config.app} events into queue ${name}`,
          eventPattern: toCdkEventPattern(spec.subscribe, `queue ${name}`),
          targets: [
            new targets.SqsQueue(queue, {
              // EventBridge's SQS target only takes a static group id: FIFO subscriptions are one ordered stream.
              ...(fifo ? { messageGroupId: name } : {}),
              // EventBridge dead-letter queues must be standard queues.
              ...(fifo ? {} : { deadLetterQueue: dlq }),
            }),
          ],
        });
      }
      if (spec.textractCompletions) this.wireTextractCompletions(name, queue);
      this.queues[name] = { queue, dlq, fifo };
      new CfnOutput(this, `Queue${pascal(name)}Url`, { value: queue.queueUrl });
    }

    // ── Cognito ────────────────────────────────────────────────────────────────────────────────────────
    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${config.app}-${config.stage}`,
      selfSignUpEnabled: false, // admins invite users into their company
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // Set at invitation by an admin; tenant isolation keys start with it, so users can never change it.
        companyId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: config.isProd
        ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
        : cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: config.isProd,
      removalPolicy: config.removalPolicy,
    });
    acknowledge(
      this.userPool,
      'COG2',
      'MFA is optional by product decision: employees who only forward receipts sign in rarely; TOTP is offered to ' +
        'all users, and Plus-tier threat protection (adaptive authentication, compromised-credential checks) is on.',
    );
    let precedence = 0;
    for (const [groupName, description] of Object.entries(USER_GROUPS)) {
      new cognito.UserPoolGroup(this, `Group${pascal(groupName)}`, {
        userPool: this.userPool,
        groupName,
        description,
        precedence: precedence++,
      });
    }
    this.userPoolClient = this.userPool.addClient('AppClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('companyId'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });

    // ── Secrets ────────────────────────────────────────────────────────────────────────────────────────
    for (const processor of config.cardProcessors) {
      const secret = new secretsmanager.Secret(this, `WebhookSecret${pascal(processor)}`, {
        secretName: `${config.app}/${config.stage}/webhooks/${processor}`,
        description: `Webhook signing secret issued by ${processor}; put the real value after creating the endpoint`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true }, // placeholder until set
        removalPolicy: config.removalPolicy,
      });
      acknowledge(
        secret,
        'SMG4',
        `The ${processor} webhook signing secret is issued by ${processor} when the endpoint is registered; it is ` +
          'rotated from their dashboard/API and then put here, so a Secrets Manager rotation Lambda cannot generate it.',
      );
      this.webhookSecrets[processor] = secret;
      new CfnOutput(this, `WebhookSecret${pascal(processor)}Arn`, { value: secret.secretArn });
    }

    // ── SES inbound ────────────────────────────────────────────────────────────────────────────────────
    const inbound = this.buckets[config.inboundMail.bucket];
    if (!inbound) {
      throw new Error(
        `SES inbound mail goes to bucket "${config.inboundMail.bucket}", which the topology does not declare ` +
          `(buckets: ${Object.keys(topology.buckets).join(', ')}); set -c inboundBucket=<name>`,
      );
    }
    this.inboundRuleSet = new ses.ReceiptRuleSet(this, 'InboundRuleSet', {
      receiptRuleSetName: `${config.app}-${config.stage}-inbound`,
    });
    this.inboundRuleSet.addRule('StoreRawMail', {
      recipients: [config.inboundDomain],
      scanEnabled: true, // spam & virus verdicts land in X-SES-* headers, read by the intake function
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [new sesActions.S3({ bucket: inbound, objectKeyPrefix: config.inboundMail.prefix })],
    });
    new CfnOutput(this, 'InboundRuleSetName', { value: this.inboundRuleSet.receiptRuleSetName });
  }

  /** SNS topic (encrypted, TLS only) → this queue; a role Textract assumes to publish job completions there. */
  private wireTextractCompletions(name: string, queue: sqs.Queue): void {
    const key = new kms.Key(this, 'TextractTopicKey', {
      description: 'Textract job completion topic encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const topic = new sns.Topic(this, 'TextractCompletions', { masterKey: key, enforceSSL: true });
    topic.addSubscription(new snsSubscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
    const publishRole = new iam.Role(this, 'TextractPublishRole', {
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com'),
      description: `Textract publishes expense-analysis completions to the ${name} topic`,
    });
    topic.grantPublish(publishRole);
    acknowledge(
      publishRole,
      'IAM5[Action::kms:GenerateDataKey*]',
      'Publishing to an encrypted topic: the CDK publish grant spells the data-key actions with a wildcard, on this ' +
        'one topic key only.',
    );
    this.textract = { topic, publishRole };
  }
}
