import { resolve } from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { dlqEnvName, envName } from '../topology-types.ts';
import {
  ESM_REQUIRE_BANNER,
  externalModules,
  packageClosure,
  SHIPPED_PACKAGES,
  shipCommands,
  shippedPackagesFor,
} from './bundling.ts';
import type { StageConfig } from './config.ts';
import { acknowledge, acknowledgeWildcardResource } from './nag.ts';
import type { StatefulStack } from './stateful-stack.ts';
import {
  type AnyFunctionSpec,
  type AnyTopology,
  entries,
  isAsyncTrigger,
  parseRoute,
  pascal,
  toCdkEventPattern,
} from './topology-walk.ts';

export interface StatelessStackProps extends StackProps {
  readonly topology: AnyTopology;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  /** Folder that topology entries are relative to (holds package-lock.json). */
  readonly projectRoot: string;
}

export interface FunctionResources {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** `live` alias of `warm` functions (provisioned concurrency in prod). */
  readonly alias: lambda.Alias | undefined;
  /** What triggers invoke: the alias when warm, else the function. */
  readonly invoked: lambda.IFunction;
}

const RUNTIME = lambda.Runtime.NODEJS_22_X;

// Wildcard actions inherent to the L2 grants (the finding is per action string).
const S3_WILDCARD_ACTIONS: Record<'read' | 'write' | 'readWrite', string[]> = {
  read: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
  write: ['s3:Abort*'],
  readWrite: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'],
};

/**
 * Everything that runs: one NodejsFunction per topology function with exactly the grants in its `uses`,
 * its trigger (HTTP route, S3 object-created rule, bus rule, SQS event source, schedule), alarms, a
 * dashboard and the HTTP API. Redeployable at will; holds no data but the async-failure queue.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<string, FunctionResources> = {};
  readonly api: apigw.HttpApi | undefined;
  readonly alarmTopic: sns.Topic;
  readonly asyncFailures: sqs.Queue | undefined;
  readonly dashboard: cloudwatch.Dashboard;
  private readonly props: StatelessStackProps;
  private jwtAuthorizer: HttpJwtAuthorizer | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.props = props;
    const { topology, config } = props;
    const fnSpecs = Object.entries(topology.functions);

    this.alarmTopic = this.createAlarmTopic();

    if (fnSpecs.some(([, spec]) => isAsyncTrigger(spec))) {
      // Asynchronous invocations (EventBridge, Scheduler) that exhaust their retries land here, with the
      // event, instead of vanishing; it alarms like every DLQ.
      this.asyncFailures = new sqs.Queue(this, 'AsyncFailures', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: config.removalPolicy,
      });
    }

    if (fnSpecs.some(([, spec]) => spec.trigger.type === 'http')) {
      this.api = this.createHttpApi();
    }

    for (const [name, spec] of fnSpecs) {
      const resources = this.createFunction(name, spec);
      this.functions[name] = resources;
      this.grantUses(name, spec, resources);
      this.wireTrigger(name, spec, resources);
      this.addFunctionAlarms(name, resources.fn);
    }

    this.addQueueAlarms();
    this.dashboard = this.createDashboard();
  }

  // ── Functions ──────────────────────────────────────────────────────────────────────────────────────────

  private createFunction(name: string, spec: AnyFunctionSpec): FunctionResources {
    const { config, stateful, projectRoot } = this.props;
    const id = pascal(name);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    // Own role instead of the default one: no AWSLambdaBasicExecutionRole managed policy (logs:* on any
    // group), only writing to this function's log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${config.app} function ${name}`,
    });
    logGroup.grantWrite(role);

    const entry = resolve(projectRoot, spec.entry);
    const shipped = packageClosure(
      shippedPackagesFor(entry).flatMap((key) => SHIPPED_PACKAGES[key] ?? []),
      projectRoot,
    );
    const fn = new NodejsFunction(this, id, {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: resolve(projectRoot, 'package-lock.json'),
      description: spec.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMB,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: isAsyncTrigger(spec) ? this.asyncFailures : undefined,
      environment: {
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_METRICS_NAMESPACE: pascal(config.app),
        STAGE: config.stage,
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        EVENT_SOURCE: config.app,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false, // local esbuild (devDependency); there is no Docker on build machines
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: externalModules(),
        ...(shipped.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) => shipCommands(shipped, output),
              },
            }
          : {}),
      },
    });

    acknowledge(
      fn,
      'L1',
      `Node.js 22 is pinned on purpose: the project, its tests and the local cloud run on Node 22 (the "node" ` +
        `devDependency); ${RUNTIME.name} is supported by Lambda, and the runtime moves with the toolchain.`,
    );
    acknowledge(
      role,
      'IAM5[Resource::*]',
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level ' +
        'permissions, so AWS requires Resource "*".' +
        ('textract' in spec.uses && spec.uses.textract === true
          ? ' Textract expense analysis (AnalyzeExpense, StartExpenseAnalysis, GetExpenseAnalysis) has no resource ' +
            'types either.'
          : ''),
    );

    let alias: lambda.Alias | undefined;
    if (spec.warm) {
      alias = new lambda.Alias(this, `${id}Live`, {
        aliasName: 'live',
        version: fn.currentVersion,
        provisionedConcurrentExecutions: config.provisionedConcurrency > 0 ? config.provisionedConcurrency : undefined,
      });
    }
    return { fn, role, logGroup, alias, invoked: alias ?? fn };
  }

  /** Exactly the grants of `uses`, each with the env var carrying the resource's physical name. */
  private grantUses(name: string, spec: AnyFunctionSpec, { fn, role }: FunctionResources): void {
    const { stateful } = this.props;
    const uses = spec.uses;

    for (const [bucketName, access] of entries(uses.buckets)) {
      const bucket = must(stateful.buckets[bucketName], `bucket ${bucketName}`);
      fn.addEnvironment(envName('bucket', bucketName), bucket.bucketName);
      if (access === 'read') bucket.grantRead(role);
      else if (access === 'write') bucket.grantPut(role);
      else bucket.grantReadWrite(role);
      for (const action of S3_WILDCARD_ACTIONS[access]) {
        acknowledge(
          role,
          `IAM5[Action::${action}]`,
          `${name} declares ${access} on bucket ${bucketName}; "${action}" is how the CDK ${access} grant spells ` +
            'that family of object/bucket actions, still scoped to this one bucket.',
        );
      }
      acknowledgeWildcardResource(
        role,
        () => bucket.arnForObjects('*'),
        `${name} declares ${access} on bucket ${bucketName}: object keys are data (company/content hash), so the ` +
          'grant covers every key of this one bucket.',
      );
    }

    for (const [tableName, access] of entries(uses.tables)) {
      const table = must(stateful.tables[tableName], `table ${tableName}`);
      fn.addEnvironment(envName('table', tableName), table.tableName);
      if (access === 'read') table.grantReadData(role);
      else table.grantReadWriteData(role);
      if (Object.keys(this.props.topology.tables[tableName]?.indexes ?? {}).length > 0) {
        acknowledgeWildcardResource(
          role,
          () => `${table.tableArn}/index/*`,
          `${name} declares ${access} on table ${tableName}, whose access patterns query its global secondary ` +
            'indexes; the wildcard covers only the indexes of this one table.',
        );
      }
    }

    for (const [queueName, access] of entries(uses.queues)) {
      const { queue, dlq } = must(stateful.queues[queueName], `queue ${queueName}`);
      fn.addEnvironment(envName('queue', queueName), queue.queueUrl);
      if (access === 'consume') {
        // Consumers dead-letter what can never succeed (permanent refusals) themselves.
        fn.addEnvironment(dlqEnvName(queueName), dlq.queueUrl);
        dlq.grantSendMessages(role);
      }
      if (access === 'send') {
        queue.grantSendMessages(role);
      } else if (!(spec.trigger.type === 'queue' && spec.trigger.queue === queueName)) {
        // `consume` without a queue trigger: the function polls the queue itself.
        queue.grantConsumeMessages(role);
      } // else the SQS event source (wireTrigger) grants consumption.
    }

    if (uses.putEvents) stateful.bus.grantPutEventsTo(role);

    for (const setting of ('settings' in spec ? (spec.settings ?? []) : []) as readonly string[]) {
      const value: unknown = this.node.tryGetContext(`settings.${setting}`);
      fn.addEnvironment(setting, typeof value === 'string' ? value : '');
    }

    if ('webhookSecrets' in uses && uses.webhookSecrets === true) {
      for (const [processor, secret] of Object.entries(stateful.webhookSecrets)) {
        secret.grantRead(role);
        fn.addEnvironment(`WEBHOOK_SECRET_ARN_${processor.toUpperCase()}`, secret.secretArn);
      }
    }

    if ('textract' in uses && uses.textract === true) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['textract:AnalyzeExpense', 'textract:StartExpenseAnalysis', 'textract:GetExpenseAnalysis'],
          resources: ['*'],
        }),
      );
      if (stateful.textract) {
        // Multi-page documents: Textract reads them from S3 and announces completion on the topic.
        fn.addEnvironment('TEXTRACT_SNS_TOPIC_ARN', stateful.textract.topic.topicArn);
        fn.addEnvironment('TEXTRACT_ROLE_ARN', stateful.textract.publishRole.roleArn);
        stateful.textract.publishRole.grantPassRole(role);
      }
    }

    if ('sendEmail' in uses && uses.sendEmail === true) {
      const { mailFrom } = this.props.config;
      fn.addEnvironment('MAIL_FROM', mailFrom);
      // SES v2 SendEmail is authorized on the sending identity: the verified domain of MAIL_FROM, nothing else.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            this.formatArn({ service: 'ses', resource: 'identity', resourceName: mailFrom.split('@')[1] ?? '' }),
          ],
        }),
      );
    }
  }

  private wireTrigger(name: string, spec: AnyFunctionSpec, resources: FunctionResources): void {
    const { stateful, config } = this.props;
    const { invoked } = resources;
    const id = pascal(name);
    const trigger = spec.trigger;

    switch (trigger.type) {
      case 'http': {
        const api = must(this.api, 'HTTP API');
        const integration = new HttpLambdaIntegration(`${id}Integration`, invoked);
        for (const route of trigger.routes) {
          const { method, path } = parseRoute(route);
          const [httpRoute] = api.addRoutes({
            path,
            methods: [apigw.HttpMethod[method]],
            integration,
            authorizer: trigger.auth === 'jwt' ? this.jwt() : new apigw.HttpNoneAuthorizer(),
          });
          if (trigger.auth === 'none' && httpRoute) {
            acknowledge(
              httpRoute,
              'APIG4',
              `Route "${route}" of ${name} is declared auth: 'none' in the topology (${spec.description}): its ` +
                'callers (e.g. card processors) cannot present a Cognito JWT, so the handler authenticates every ' +
                'request itself (webhook signature) before acting.',
            );
          }
        }
        return;
      }
      case 'objectCreated': {
        const bucket = must(stateful.buckets[trigger.bucket], `bucket ${trigger.bucket}`);
        new events.Rule(this, `${id}ObjectCreated`, {
          description: `${trigger.bucket}/${trigger.prefix}* object created → ${name}`,
          eventPattern: {
            source: ['aws.s3'],
            detailType: ['Object Created'],
            detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: trigger.prefix }] } },
          },
          targets: [this.ruleTarget(invoked)],
        });
        return;
      }
      case 'event': {
        new events.Rule(this, `${id}Events`, {
          eventBus: stateful.bus,
          description: `${config.app} events → ${name}`,
          eventPattern: toCdkEventPattern(trigger.pattern, name),
          targets: [this.ruleTarget(invoked)],
        });
        return;
      }
      case 'queue': {
        const { queue, fifo } = must(stateful.queues[trigger.queue], `queue ${trigger.queue}`);
        invoked.addEventSource(
          new SqsEventSource(queue, {
            batchSize: trigger.batchSize,
            maxBatchingWindow:
              trigger.maxBatchingWindowSeconds && !fifo
                ? Duration.seconds(trigger.maxBatchingWindowSeconds)
                : undefined,
            reportBatchItemFailures: true,
            maxConcurrency: trigger.maxConcurrency, // caps e.g. Textract/OCR throughput
          }),
        );
        return;
      }
      case 'schedule': {
        const role = new iam.Role(this, `${id}SchedulerRole`, {
          assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
          description: `EventBridge Scheduler invoking ${name}`,
        });
        new scheduler.Schedule(this, `${id}Schedule`, {
          description: `${trigger.expression} → ${name}`,
          schedule: scheduler.ScheduleExpression.expression(trigger.expression),
          target: new LambdaInvoke(invoked, {
            role,
            // The shape of an EventBridge scheduled event, with the time the run was due (handlers act as of it).
            input: scheduler.ScheduleTargetInput.fromObject({
              'detail-type': 'Scheduled Event',
              source: 'aws.scheduler',
              time: scheduler.ContextAttribute.scheduledTime,
              detail: {},
            }),
            deadLetterQueue: this.asyncFailures,
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        });
        acknowledgeWildcardResource(
          role,
          () => `${invoked.functionArn}:*`,
          `Scheduler's LambdaInvoke grant covers ${name}'s qualified ARNs (versions/aliases) besides the ` +
            'unqualified one; it is limited to this single function.',
        );
        return;
      }
    }
  }

  private ruleTarget(fn: lambda.IFunction): eventTargets.LambdaFunction {
    return new eventTargets.LambdaFunction(fn, {
      deadLetterQueue: this.asyncFailures,
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
    });
  }

  // ── HTTP API ───────────────────────────────────────────────────────────────────────────────────────────

  private createHttpApi(): apigw.HttpApi {
    const { config } = this.props;
    const api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${config.app}-${config.stage}`,
      description: `${config.app} HTTP API (${config.stage})`,
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    new apigw.HttpStage(this, 'HttpApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    return api;
  }

  private jwt(): HttpJwtAuthorizer {
    const { stateful } = this.props;
    this.jwtAuthorizer ??= new HttpJwtAuthorizer('CognitoJwt', stateful.userPool.userPoolProviderUrl, {
      jwtAudience: [stateful.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    return this.jwtAuthorizer;
  }

  // ── Alarms & dashboard ─────────────────────────────────────────────────────────────────────────────────

  private createAlarmTopic(): sns.Topic {
    const { config } = this.props;
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `${config.app}-${config.stage} alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    // CloudWatch alarms publish to the encrypted topic: the AWS-managed SNS key cannot grant them that.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${config.app} ${config.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    return topic;
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string, threshold = 1): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    alarm.addOkAction(new SnsAction(this.alarmTopic));
  }

  private addFunctionAlarms(name: string, fn: lambda.IFunction): void {
    const id = pascal(name);
    const period = Duration.minutes(5);
    this.alarm(`${id}ErrorsAlarm`, fn.metricErrors({ period, statistic: 'Sum' }), `${name}: invocation errors`);
    this.alarm(`${id}ThrottlesAlarm`, fn.metricThrottles({ period, statistic: 'Sum' }), `${name}: throttled`);
    const spec = this.props.topology.functions[name] as AnyFunctionSpec | undefined;
    if (spec?.warm) {
      // Latency-bound (real-time card authorizations): Stripe decides alone after 2 s.
      this.alarm(
        `${id}LatencyP99Alarm`,
        fn.metricDuration({ period: Duration.minutes(1), statistic: 'p99' }),
        `${name}: p99 duration above 1.5 s, close to the processors' 2 s authorization deadline`,
        1500,
      );
    }
    if (spec && 'textract' in spec.uses && spec.uses.textract === true) {
      this.alarm(
        `${id}TextractThrottlingAlarm`,
        new cloudwatch.Metric({
          namespace: 'AWS/Textract',
          metricName: 'ThrottledCount',
          dimensionsMap: { Operation: 'AnalyzeExpense' },
          period,
          statistic: 'Sum',
        }),
        `${name}: Textract throttles AnalyzeExpense (default quotas are a few TPS): raise the quota or lower concurrency`,
        10,
      );
    }
  }

  private addQueueAlarms(): void {
    const dlqs: [string, sqs.IQueue][] = Object.entries(this.props.stateful.queues).map(([n, q]) => [n, q.dlq]);
    if (this.asyncFailures) dlqs.push(['asyncFailures', this.asyncFailures]);
    for (const [name, dlq] of dlqs) {
      this.alarm(
        `${pascal(name)}DlqDepthAlarm`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `${name} dead-letter queue holds messages: inspect, fix, then redrive`,
      );
    }
    if (this.api) {
      this.alarm(
        'HttpApi5xxAlarm',
        this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        'HTTP API answered 5xx',
        5,
      );
    }
  }

  private createDashboard(): cloudwatch.Dashboard {
    const { config, stateful } = this.props;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${config.app}-${config.stage}`,
      defaultInterval: Duration.hours(24),
    });
    const fns = Object.entries(this.functions);
    const perFn = (f: (fn: lambda.IFunction) => cloudwatch.IMetric) =>
      fns.map(([, r]) => f(r.fn)).map((m, i) => withLabel(m, fns[i]?.[0] ?? ''));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Invocations', left: perFn((fn) => fn.metricInvocations()), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Errors', left: perFn((fn) => fn.metricErrors()), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Throttles', left: perFn((fn) => fn.metricThrottles()), width: 8 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Duration p99',
        left: perFn((fn) => fn.metricDuration({ statistic: 'p99' })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue depth (queues and DLQs)',
        left: [
          ...Object.entries(stateful.queues).flatMap(([n, q]) => [
            withLabel(q.queue.metricApproximateNumberOfMessagesVisible(), n),
            withLabel(q.dlq.metricApproximateNumberOfMessagesVisible(), `${n} DLQ`),
          ]),
          ...(this.asyncFailures
            ? [withLabel(this.asyncFailures.metricApproximateNumberOfMessagesVisible(), 'async failures')]
            : []),
        ],
        width: 12,
      }),
    );
    if (this.api) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'HTTP API',
          left: [this.api.metricCount(), this.api.metricClientError(), this.api.metricServerError()],
          right: [this.api.metricLatency({ statistic: 'p99' })],
          width: 24,
        }),
      );
    }
    return dashboard;
  }
}

const withLabel = (metric: cloudwatch.IMetric, label: string): cloudwatch.IMetric =>
  metric instanceof cloudwatch.Metric ? metric.with({ label }) : metric;

const must = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is not declared`);
  return value;
};
