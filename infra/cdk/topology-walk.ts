import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventPattern as CdkEventPattern } from 'aws-cdk-lib/aws-events';
import type { EventPattern, FunctionSpec, Topology } from '../topology-types.ts';

/** Any topology, whatever its literal names: the CDK app walks it generically. */
export type AnyTopology = Topology<string, string, string, string>;
export type AnyFunctionSpec = FunctionSpec<string, string, string>;

/** `emailIntake` → `EmailIntake`: construct ids derived from topology names. */
export const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

export const entries = <V>(record: Partial<Record<string, V>> | undefined): [string, V][] =>
  Object.entries(record ?? {}).filter((e): e is [string, V] => e[1] !== undefined);

export const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type RouteMethod = (typeof HTTP_METHODS)[number];

/** `'GET /receipts/{id}'` → `{ method: 'GET', path: '/receipts/{id}' }`. */
export const parseRoute = (route: string): { method: RouteMethod; path: string } => {
  const m = /^([A-Z]+)\s+(\/\S*)$/.exec(route.trim());
  const method = m?.[1] as RouteMethod | undefined;
  if (!m || !method || !HTTP_METHODS.includes(method) || !m[2]) {
    throw new Error(`route "${route}" must look like "GET /path/{param}" (methods: ${HTTP_METHODS.join(', ')})`);
  }
  return { method, path: m[2] };
};

const PATTERN_KEYS: Record<string, keyof CdkEventPattern> = {
  source: 'source',
  'detail-type': 'detailType',
  detail: 'detail',
  account: 'account',
  region: 'region',
  resources: 'resources',
  time: 'time',
  id: 'id',
  version: 'version',
};

/**
 * The topology writes EventBridge patterns in their JSON form (`detail-type`, the shape the local bus
 * matches); the CDK L2 wants camelCase top-level keys and renders them back to the same JSON.
 */
export const toCdkEventPattern = (pattern: EventPattern, where: string): CdkEventPattern => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = PATTERN_KEYS[key];
    if (!cdkKey) {
      throw new Error(
        `${where}: unsupported top-level event pattern key "${key}" (known: ${Object.keys(PATTERN_KEYS)})`,
      );
    }
    out[cdkKey] = value;
  }
  if (Object.keys(out).length === 0) throw new Error(`${where}: empty event pattern`);
  return out as CdkEventPattern;
};

/**
 * Checks what TypeScript cannot: entry modules exist, triggers and `uses` name declared resources, queue
 * visibility covers the consumer's timeout. Reports every problem at once.
 */
export const validateTopology = (topology: AnyTopology, projectRoot: string): void => {
  const problems: string[] = [];
  const has = (kind: 'buckets' | 'tables' | 'queues', name: string) => Object.hasOwn(topology[kind], name);
  for (const [name, spec] of Object.entries(topology.functions)) {
    const entry = resolve(projectRoot, spec.entry);
    if (!existsSync(entry)) {
      problems.push(`function "${name}": entry module ${spec.entry} not found (looked for ${entry})`);
    }
    for (const [b] of entries(spec.uses.buckets)) if (!has('buckets', b)) problems.push(`${name}: unknown bucket ${b}`);
    for (const [t] of entries(spec.uses.tables)) if (!has('tables', t)) problems.push(`${name}: unknown table ${t}`);
    for (const [q] of entries(spec.uses.queues)) if (!has('queues', q)) problems.push(`${name}: unknown queue ${q}`);
    const trigger = spec.trigger;
    if (trigger.type === 'objectCreated' && !has('buckets', trigger.bucket)) {
      problems.push(`${name}: trigger on unknown bucket ${trigger.bucket}`);
    }
    if (trigger.type === 'queue') {
      const queue = topology.queues[trigger.queue];
      if (!queue) {
        problems.push(`${name}: trigger on unknown queue ${trigger.queue}`);
      } else {
        if (queue.visibilityTimeoutSeconds < spec.timeoutSeconds) {
          problems.push(
            `${name}: queue ${trigger.queue} visibilityTimeoutSeconds (${queue.visibilityTimeoutSeconds}) must be ` +
              `>= the function timeout (${spec.timeoutSeconds}); AWS rejects the event source mapping otherwise`,
          );
        }
        const cap = trigger.maxConcurrency;
        if (cap !== undefined && (!Number.isInteger(cap) || cap < 2 || cap > 1000)) {
          problems.push(`${name}: maxConcurrency must be an integer from 2 to 1000 (SQS event source), got ${cap}`);
        }
        if (queue.fifo && trigger.maxBatchingWindowSeconds) {
          problems.push(`${name}: FIFO queue ${trigger.queue} does not support maxBatchingWindowSeconds`);
        }
      }
    }
    if (trigger.type === 'http') for (const r of trigger.routes) tryOr(problems, name, () => parseRoute(r));
    if (trigger.type === 'event') tryOr(problems, name, () => toCdkEventPattern(trigger.pattern, name));
  }
  for (const [name, spec] of Object.entries(topology.queues)) {
    if (spec.subscribe) tryOr(problems, `queue ${name}`, () => toCdkEventPattern(spec.subscribe ?? {}, name));
  }
  if (problems.length > 0) {
    throw new Error(`The topology cannot be synthesized:\n  - ${problems.join('\n  - ')}`);
  }
};

const tryOr = (problems: string[], where: string, f: () => unknown): void => {
  try {
    f();
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
};

/** Buckets whose object-created events some function listens to (they get EventBridge notifications). */
export const bucketsWithObjectCreatedTriggers = (topology: AnyTopology): Set<string> =>
  new Set(
    Object.values(topology.functions).flatMap((f) => (f.trigger.type === 'objectCreated' ? [f.trigger.bucket] : [])),
  );

/** Triggers that invoke the function asynchronously (EventBridge, Scheduler): they get a failure queue. */
export const isAsyncTrigger = (spec: AnyFunctionSpec): boolean =>
  spec.trigger.type === 'objectCreated' || spec.trigger.type === 'event' || spec.trigger.type === 'schedule';
