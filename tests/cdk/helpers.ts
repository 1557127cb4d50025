import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addNagChecks } from '../../infra/cdk/nag.ts';
import { buildQuittance, createApp, type Quittance } from '../../infra/cdk/quittance.ts';
import type { AnyFunctionSpec, AnyTopology } from '../../infra/cdk/topology-walk.ts';
import { isAsyncTrigger } from '../../infra/cdk/topology-walk.ts';

export interface Synthesized extends Quittance {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

const TEST_CONTEXT = { inboundDomain: 'receipts.test.example' };

const outdirs: string[] = [];

/** Removes the cloud assemblies the tests wrote (bundles with shipped packages weigh > 100 MB): call in afterAll. */
export const removeSynthOutputs = (): void => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};

export const synth = (
  topology: AnyTopology,
  context: Record<string, unknown> = {},
  options: { nag?: boolean } = {},
): Synthesized => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk.out-test-'));
  outdirs.push(outdir);
  const app = createApp({ ...TEST_CONTEXT, ...context }, outdir);
  const q = buildQuittance(app, topology);
  if (options.nag) addNagChecks(app);
  app.synth(); // throws on any unacknowledged cdk-nag finding when nag is on
  return {
    ...q,
    statefulTemplate: Template.fromStack(q.stateful),
    statelessTemplate: Template.fromStack(q.stateless),
  };
};

export const logicalId = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Statements of every IAM policy attached to a role, in a synthesized template. */
export const roleStatements = (template: Template, roleLogicalId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

export const actionsOf = (statements: Statement[]): Set<string> =>
  new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));

const S3 = {
  read: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
  write: [
    's3:Abort*',
    's3:PutObject',
    's3:PutObjectLegalHold',
    's3:PutObjectRetention',
    's3:PutObjectTagging',
    's3:PutObjectVersionTagging',
  ],
};
const DDB_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const DDB_WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const SQS_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const SQS_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

/**
 * The IAM actions a function's role must hold — and may hold, nothing more — derived independently from
 * the topology: its logs, X-Ray, its async-failure queue, and one family of actions per `uses` entry.
 */
export const expectedActions = (spec: AnyFunctionSpec, topology?: AnyTopology): Set<string> => {
  const out = new Set([
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
  ]);
  const add = (xs: string[]) => {
    for (const x of xs) out.add(x);
  };
  if (isAsyncTrigger(spec)) add(['sqs:SendMessage']);
  for (const access of Object.values(spec.uses.buckets ?? {})) {
    if (access === 'read' || access === 'readWrite') add(S3.read);
    if (access === 'write' || access === 'readWrite') add(S3.write);
    if (access === 'readWrite') add(['s3:DeleteObject*']);
  }
  for (const access of Object.values(spec.uses.tables ?? {})) {
    add(DDB_READ);
    if (access === 'readWrite') add(DDB_WRITE);
  }
  for (const access of Object.values(spec.uses.queues ?? {})) {
    add(access === 'send' ? SQS_SEND : SQS_CONSUME);
    if (access === 'consume') add(SQS_SEND); // to its dead-letter queue
  }
  if (spec.trigger.type === 'queue') add(SQS_CONSUME);
  if (spec.uses.putEvents) add(['events:PutEvents']);
  if ('sendEmail' in spec.uses && spec.uses.sendEmail) add(['ses:SendEmail']);
  if ('webhookSecrets' in spec.uses && spec.uses.webhookSecrets) {
    add(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
  }
  if ('textract' in spec.uses && spec.uses.textract) {
    add(['textract:AnalyzeExpense', 'textract:StartExpenseAnalysis', 'textract:GetExpenseAnalysis']);
    // Passes Textract the role it publishes job completions with, when the topology has that channel.
    if (Object.values(topology?.queues ?? {}).some((q) => q.textractCompletions)) add(['iam:PassRole']);
  }
  return out;
};

/**
 * Every cdk-nag acknowledgement must match a finding that would otherwise be reported: runs the AwsSolutions
 * pack with acknowledgements ignored and pairs each acknowledgement with a raw finding on its construct or
 * below. Returns the stale acknowledgements (empty when all are earned) and the unacknowledged findings.
 */
export const auditAcknowledgements = (root: IConstruct): { stale: string[]; unacknowledged: string[] } => {
  class RawChecks extends AwsSolutionsChecks {}
  // isAcknowledged is private in cdk-nag's typings; overriding it is how we see the raw findings.
  Object.defineProperty(RawChecks.prototype, 'isAcknowledged', { value: () => false });
  const report = new RawChecks(root).validateScope(root);
  const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => [v.ruleName, r.constructPath]));
  const acks: [string, string][] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const id of Object.keys(m.data as object)) acks.push([id.replace(/^annotation::/i, ''), c.node.path]);
    }
  }
  const covers = (ackPath: string, path: string | undefined) =>
    path !== undefined && (path === ackPath || path.startsWith(`${ackPath}/`));
  return {
    stale: acks.filter(([id, p]) => !findings.some(([r, fp]) => r === id && covers(p, fp))).map((a) => a.join(' @ ')),
    unacknowledged: findings
      .filter(([r, fp]) => !acks.some(([id, p]) => r === id && covers(p, fp)))
      .map((f) => f.join(' @ ')),
  };
};

/** A function's resources in a synthesized app, or a test failure naming it. */
export const fnOf = (s: Quittance, name: string) => {
  const r = s.stateless.functions[name];
  if (!r) throw new Error(`function ${name} is not in the stateless stack`);
  return r;
};

export const bucketOf = (s: Quittance, name: string) => {
  const b = s.stateful.buckets[name];
  if (!b) throw new Error(`bucket ${name} is not in the stateful stack`);
  return b;
};
