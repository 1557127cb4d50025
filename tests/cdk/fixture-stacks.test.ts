import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqEnvName, envName } from '../../infra/topology-types.ts';
import { fixtureTopology } from './fixtures/topology.ts';
import {
  actionsOf,
  auditAcknowledgements,
  bucketOf,
  expectedActions,
  fnOf,
  logicalId,
  removeSynthOutputs,
  roleStatements,
  type Synthesized,
  synth,
} from './helpers.ts';

const functions = Object.entries(fixtureTopology.functions);

afterAll(removeSynthOutputs);
describe('fixture topology, stage dev (synthesized with cdk-nag AwsSolutions)', () => {
  let dev: Synthesized;
  beforeAll(() => {
    // Throws if any AwsSolutions finding is left unacknowledged.
    dev = synth(fixtureTopology, { stage: 'dev' }, { nag: true });
  }, 60_000);

  it('every cdk-nag acknowledgement matches a real finding, and every finding is acknowledged', () => {
    const { stale, unacknowledged } = auditAcknowledgements(dev.stateful.node.root);
    expect(unacknowledged).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('makes every topology function an arm64 nodejs22.x Lambda with tracing, retention and the base env', () => {
    const t = dev.statelessTemplate;
    t.resourceCountIs('AWS::Lambda::Function', functions.length);
    for (const [name, spec] of functions) {
      const fn = dev.stateless.functions[name]?.fn;
      expect(fn, name).toBeDefined();
      const props = t.toJSON().Resources[logicalId(fn as NonNullable<typeof fn>)].Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(props.MemorySize).toBe(spec.memoryMB);
      expect(props.Timeout).toBe(spec.timeoutSeconds);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: name,
        STAGE: 'dev',
        EVENT_SOURCE: 'quittance',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(props.Environment.Variables.EVENT_BUS_NAME).toHaveProperty('Fn::ImportValue');
      // One env var per resource in `uses`, named by envName().
      const expectedEnv = [
        ...Object.keys(spec.uses.buckets ?? {}).map((b) => envName('bucket', b)),
        ...Object.keys(spec.uses.tables ?? {}).map((x) => envName('table', x)),
        ...Object.keys(spec.uses.queues ?? {}).map((q) => envName('queue', q)),
        ...Object.entries(spec.uses.queues ?? {})
          .filter(([, access]) => access === 'consume')
          .map(([q]) => dlqEnvName(q)),
      ];
      const resourceEnv = Object.keys(props.Environment.Variables).filter((k) => /^(BUCKET|TABLE|QUEUE)_/.test(k));
      expect(resourceEnv.sort(), name).toEqual(expectedEnv.sort());
    }
    t.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('lets only sendEmail functions send mail, from MAIL_FROM, through its verified domain identity', () => {
    const t = dev.statelessTemplate;
    for (const [name, spec] of functions) {
      const r = fnOf(dev, name);
      const env = t.toJSON().Resources[logicalId(r.fn)].Properties.Environment.Variables;
      const sends = 'sendEmail' in spec.uses && spec.uses.sendEmail === true;
      expect(env.MAIL_FROM, name).toBe(sends ? 'receipts@receipts.test.example' : undefined);
      const ses = roleStatements(t, logicalId(r.role)).filter((st) => JSON.stringify(st.Action).includes('ses:'));
      expect(ses.length, name).toBe(sends ? 1 : 0);
      if (sends) expect(JSON.stringify(ses[0]?.Resource)).toContain(':identity/receipts.test.example');
    }
  });

  it('grants each function exactly the actions its `uses` declares', () => {
    for (const [name, spec] of functions) {
      const role = dev.stateless.functions[name]?.role;
      if (!role) throw new Error(`no role for ${name}`);
      const actions = actionsOf(roleStatements(dev.statelessTemplate, logicalId(role)));
      expect([...actions].sort(), name).toEqual([...expectedActions(spec, fixtureTopology)].sort());
    }
    const statements = (name: string) => roleStatements(dev.statelessTemplate, logicalId(fnOf(dev, name).role));
    const api = actionsOf(statements('receiptsApi')); // documents: read, main: read
    expect(api.has('s3:GetObject*')).toBe(true);
    expect(api.has('s3:PutObject')).toBe(false);
    expect(api.has('dynamodb:PutItem')).toBe(false);
    expect(api.has('events:PutEvents')).toBe(false);
    expect(actionsOf(statements('emailIntake')).has('events:PutEvents')).toBe(true);
    expect(actionsOf(statements('reminders')).has('s3:DeleteObject*')).toBe(true); // exports: readWrite
    expect([...actionsOf(statements('cardWebhook'))].some((a) => a.startsWith('s3:'))).toBe(false);
  });

  it('uses Resource "*" only for X-Ray and Textract (the one IAM5[Resource::*] acknowledgement on each role)', () => {
    for (const [name, spec] of functions) {
      const starred = roleStatements(dev.statelessTemplate, logicalId(fnOf(dev, name).role)).filter(
        (st) => st.Resource === '*' || (Array.isArray(st.Resource) && st.Resource.includes('*')),
      );
      const textract =
        'textract' in spec.uses && spec.uses.textract
          ? ['textract:AnalyzeExpense', 'textract:GetExpenseAnalysis', 'textract:StartExpenseAnalysis']
          : [];
      expect([...actionsOf(starred)].sort(), name).toEqual(
        [...textract, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
      );
    }
  });

  it('scopes each grant to the declared resource only', () => {
    const stateful = dev.stateful;
    const ids = (kind: 'buckets' | 'tables', name: string) => logicalId(stateful[kind][name] as never);
    for (const [name, spec] of functions) {
      const role = dev.stateless.functions[name]?.role;
      if (!role) throw new Error(`no role for ${name}`);
      const imported = JSON.stringify(roleStatements(dev.statelessTemplate, logicalId(role)));
      for (const b of Object.keys(fixtureTopology.buckets)) {
        expect(imported.includes(ids('buckets', b)), `${name} → bucket ${b}`).toBe(b in (spec.uses.buckets ?? {}));
      }
      for (const x of Object.keys(fixtureTopology.tables)) {
        expect(imported.includes(ids('tables', x)), `${name} → table ${x}`).toBe(x in (spec.uses.tables ?? {}));
      }
      expect(imported.includes(logicalId(stateful.bus)), `${name} → bus`).toBe(spec.uses.putEvents === true);
    }
  });

  it('routes HTTP triggers through one HTTP API with a Cognito JWT authorizer, throttling and access logs', () => {
    const t = dev.statelessTemplate;
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
    for (const key of ['GET /receipts', 'GET /receipts/{id}', 'POST /exports']) {
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'JWT' });
    }
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/{processor}',
      AuthorizationType: 'NONE',
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('subscribes objectCreated triggers with a default-bus rule on S3 EventBridge notifications', () => {
    const intake = logicalId(fnOf(dev, 'emailIntake').fn);
    dev.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [Match.anyValue()] }, object: { key: [{ prefix: 'inbound/' }] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [intake, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    const rawMail = dev.statefulTemplate.toJSON().Resources[logicalId(bucketOf(dev, 'rawMail'))].Properties;
    expect(rawMail.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    const documents = dev.statefulTemplate.toJSON().Resources[logicalId(bucketOf(dev, 'documents'))].Properties;
    expect(documents.NotificationConfiguration).toBeUndefined();
    dev.statefulTemplate.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('wires event, queue and schedule triggers', () => {
    const t = dev.statelessTemplate;
    const fnArn = (name: string) => ({ 'Fn::GetAtt': [logicalId(fnOf(dev, name).fn), 'Arn'] });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { 'Fn::ImportValue': Match.anyValue() },
      EventPattern: { source: ['quittance.receipts'], 'detail-type': ['ReceiptExtracted'] },
      Targets: [Match.objectLike({ Arn: fnArn('match') })],
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fnOf(dev, 'extract').fn) },
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fnOf(dev, 'accountingPush').fn) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: Match.absent(),
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({
        Arn: fnArn('reminders'),
        DeadLetterConfig: Match.anyValue(),
        // The handler acts as of the time the run was due (a late or retried run does not drift).
        Input: Match.stringLikeRegexp('"time":"<aws.scheduler.scheduled-time>"'),
      }),
    });
  });

  it('gives warm functions a live alias without provisioned concurrency in dev', () => {
    dev.statelessTemplate.resourceCountIs('AWS::Lambda::Alias', 1);
    dev.statelessTemplate.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: Match.absent(),
    });
  });

  it('creates encrypted, private, versioned, logged buckets with the declared lifecycle', () => {
    const t = dev.statefulTemplate;
    // topology buckets + the access-log bucket
    t.resourceCountIs('AWS::S3::Bucket', Object.keys(fixtureTopology.buckets).length + 1);
    t.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    for (const name of Object.keys(fixtureTopology.buckets)) {
      const props = t.toJSON().Resources[logicalId(bucketOf(dev, name))].Properties;
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(dev.stateful.accessLogs) });
      expect(props.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 7 }, Status: 'Enabled' }),
      );
    }
    const documents = t.toJSON().Resources[logicalId(bucketOf(dev, 'documents'))].Properties;
    expect(documents.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 30 }),
    );
    // enforceSSL on every bucket
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(Object.keys(fixtureTopology.buckets).length + 1);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets SES write raw mail under inbound/ with spam and virus scanning', () => {
    const t = dev.statefulTemplate;
    t.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['receipts.test.example'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: { BucketName: { Ref: logicalId(bucketOf(dev, 'rawMail')) }, ObjectKeyPrefix: 'inbound/' } },
        ],
      }),
    });
    const rawMailPolicy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logicalId(bucketOf(dev, 'rawMail')) }),
    );
    expect(JSON.stringify(rawMailPolicy)).toContain('ses.amazonaws.com');
  });

  it('creates on-demand tables with PITR, TTL and ALL-projected GSIs', () => {
    const t = dev.statefulTemplate;
    t.resourceCountIs('AWS::DynamoDB::Table', 2);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: false,
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1', Projection: { ProjectionType: 'ALL' } }),
        Match.objectLike({ IndexName: 'gsi2', Projection: { ProjectionType: 'ALL' } }),
      ],
    });
  });

  it('creates each queue with a DLQ, redrive, SSE, TLS-only policy, FIFO when declared, and subscriptions', () => {
    const t = dev.statefulTemplate;
    t.resourceCountIs('AWS::SQS::Queue', Object.keys(fixtureTopology.queues).length * 2);
    t.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    t.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    const fifo = Object.values(t.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true } }));
    expect(fifo).toHaveLength(2); // accounting + its DLQ
    t.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, RedrivePolicy: { maxReceiveCount: 8 } });
    for (const p of Object.values(t.findResources('AWS::SQS::QueuePolicy'))) {
      expect(JSON.stringify(p)).toContain('"aws:SecureTransport":"false"');
    }
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['quittance.expenses'], 'detail-type': ['ExpenseApproved'] },
      Targets: [Match.objectLike({ SqsParameters: { MessageGroupId: 'accounting' } })],
    });
  });

  it('creates the application bus, the user pool with groups and companyId, and webhook secrets', () => {
    const t = dev.statefulTemplate;
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'quittance-dev' });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      UserPoolTier: 'PLUS',
      Schema: Match.arrayWith([Match.objectLike({ Name: 'companyId', Mutable: false })]),
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }),
      },
    });
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'approver', 'auditor', 'employee', 'finance']);
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    t.resourceCountIs('AWS::SecretsManager::Secret', 3);
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'quittance/dev/webhooks/stripe' });
  });

  it('alarms on errors and throttles per function and on every DLQ, into an encrypted SSL-only topic', () => {
    const t = dev.statelessTemplate;
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const metric = (m: string) => alarms.filter((a) => a.MetricName === m);
    expect(metric('Errors')).toHaveLength(functions.length);
    expect(metric('Throttles')).toHaveLength(functions.length);
    // one per topology DLQ + the async-failure queue
    expect(metric('ApproximateNumberOfMessagesVisible')).toHaveLength(Object.keys(fixtureTopology.queues).length + 1);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: logicalId(dev.stateless.alarmTopic) }]);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(JSON.stringify(t.findResources('AWS::SNS::TopicPolicy'))).toContain('"aws:SecureTransport":"false"');
    t.resourceCountIs('AWS::SNS::Subscription', 0); // no alarmEmail in dev
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('fixture topology, stage prod', () => {
  let prod: Synthesized;
  beforeAll(() => {
    prod = synth(fixtureTopology, { stage: 'prod', alarmEmail: 'ops@example.com' }, { nag: true });
  }, 60_000);

  it('protects data and keeps warm functions provisioned', () => {
    prod.statefulTemplate.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    prod.statefulTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    prod.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      DeletionProtection: 'ACTIVE',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    prod.statelessTemplate.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 1 },
    });
    prod.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/{processor}',
      Target: Match.anyValue(),
    });
    prod.statelessTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    prod.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    prod.statefulTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'quittance-prod' });
  });

  it('routes the warm webhook through its alias', () => {
    const alias = prod.stateless.functions.cardWebhook?.alias;
    expect(alias).toBeDefined();
    prod.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { Ref: logicalId(alias as NonNullable<typeof alias>) },
    });
  });

  it('refuses prod with the placeholder inbound domain', () => {
    expect(() => synth(fixtureTopology, { stage: 'prod', inboundDomain: 'receipts.example.com' })).toThrow(
      /needs a real inbound mail domain/,
    );
  });
});
