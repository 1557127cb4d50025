/**
 * The vocabulary of the topology: one declaration of tables, buckets, queues and functions,
 * read by two interpreters (the CDK app in infra/cdk and the local cloud in infra/local).
 */

export interface TableSpec {
  partitionKey: string;
  sortKey: string;
  /** Global secondary indexes: name → [partition key, sort key]. */
  indexes: Record<string, readonly [string, string]>;
  /** Attribute holding an epoch-seconds expiry (DynamoDB TTL). */
  ttlAttribute?: string;
}

export interface BucketSpec {
  /** What is kept there, for people and for lifecycle rules. */
  purpose: string;
  /** Objects under these prefixes expire after N days (exports, temporary uploads). */
  expireAfterDays?: Record<string, number>;
}

export interface QueueSpec {
  fifo?: boolean;
  visibilityTimeoutSeconds: number;
  /** Messages move to `<name>-dlq` after this many receives. */
  maxReceiveCount: number;
  /**
   * An EventBridge rule on the application bus that delivers matching events into this queue
   * (the message body is the whole event envelope, as EventBridge's SQS target sends it).
   */
  subscribe?: EventPattern;
  /**
   * Textract publishes its asynchronous job completions (StartExpenseAnalysis) to an SNS topic subscribed by this
   * queue; functions that use Textract get the topic and the role Textract publishes with.
   */
  textractCompletions?: boolean;
}

export type BucketAccess = 'read' | 'write' | 'readWrite';
export type TableAccess = 'read' | 'readWrite';

/** What a function may touch; the CDK app grants exactly this, the local cloud wires exactly this. */
export interface Uses<B extends string, T extends string, Q extends string> {
  buckets?: Partial<Record<B, BucketAccess>>;
  tables?: Partial<Record<T, TableAccess>>;
  queues?: Partial<Record<Q, 'send' | 'consume'>>;
  putEvents?: boolean;
  /** Sends e-mail to people through SES (MAIL_FROM is the sender address). */
  sendEmail?: boolean;
  /** Reads the card processors' webhook secrets (WEBHOOK_SECRET_ARN_<PROCESSOR> in AWS). */
  webhookSecrets?: boolean;
  /** Calls Textract AnalyzeExpense / StartExpenseAnalysis / GetExpenseAnalysis. */
  textract?: boolean;
}

/** An EventBridge event pattern (the subset both interpreters understand). */
export type EventPattern = Record<string, unknown>;

export type Trigger<B extends string, Q extends string> =
  | { type: 'http'; routes: readonly string[]; auth: 'jwt' | 'none' }
  | { type: 'objectCreated'; bucket: B; prefix: string }
  | { type: 'event'; pattern: EventPattern }
  | { type: 'queue'; queue: Q; batchSize: number; maxBatchingWindowSeconds?: number; maxConcurrency?: number }
  | { type: 'schedule'; expression: string };

export interface FunctionSpec<B extends string, T extends string, Q extends string> {
  /** Path of the module exporting `handler`, relative to the project root. */
  entry: string;
  description: string;
  trigger: Trigger<NoInfer<B>, NoInfer<Q>>;
  uses: Uses<NoInfer<B>, NoInfer<T>, NoInfer<Q>>;
  timeoutSeconds: number;
  memoryMB: number;
  /** Keep warm (provisioned concurrency in AWS) for latency-bound paths. */
  warm?: boolean;
  /**
   * Deployment settings the function reads from its environment (e.g. ACCOUNTING_API_URL): the CDK app fills them
   * from context (`-c settings.ACCOUNTING_API_URL=…`), the local cloud with its local stand-ins.
   */
  settings?: readonly string[];
}

export interface Topology<B extends string, T extends string, Q extends string, F extends string> {
  /** Prefix of every resource name and of the event source (`<app>.<domain>`). */
  app: string;
  tables: Record<T, TableSpec>;
  buckets: Record<B, BucketSpec>;
  queues: Record<Q, QueueSpec>;
  functions: Record<F, FunctionSpec<B, T, Q>>;
}

/** Identity function that keeps literal key types so a typo in `uses` or a trigger fails to compile. */
export const defineTopology = <B extends string, T extends string, Q extends string, F extends string>(
  t: Topology<B, T, Q, F>,
): Topology<B, T, Q, F> => t;

/** The environment variable that carries a resource's physical name into a function. */
export const envName = (kind: 'table' | 'bucket' | 'queue', logicalName: string): string =>
  `${kind.toUpperCase()}_${logicalName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/** The environment variable with the URL of a queue's dead-letter queue (set for functions that consume the queue). */
export const dlqEnvName = (logicalName: string): string => `${envName('queue', logicalName)}_DLQ`;
