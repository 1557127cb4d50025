import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type Environment, Tags } from 'aws-cdk-lib';
import { type StageConfig, stageConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';
import { type AnyTopology, validateTopology } from './topology-walk.ts';

/** The repository root: topology entries and package-lock.json are relative to it. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The `context` of cdk.json (stage default, feature flags). The CDK CLI already passes it to the app; tests
 * and scripts that build an App in-process pass it themselves so they synthesize the same templates.
 * Context given by the CLI (`-c key=value`) takes precedence over it.
 */
export const cdkJsonContext = (projectRoot = PROJECT_ROOT): Record<string, unknown> => {
  const json = JSON.parse(readFileSync(resolve(projectRoot, 'cdk.json'), 'utf8')) as { context?: object };
  return { ...(json.context ?? {}) };
};

export const createApp = (context: Record<string, unknown> = {}, outdir?: string): App =>
  new App({ context: { ...cdkJsonContext(), ...context }, ...(outdir ? { outdir } : {}) });

export interface QuittanceOptions {
  readonly projectRoot?: string;
  /** Defaults to the CLI's environment (CDK_DEFAULT_ACCOUNT/REGION), unresolved when absent. */
  readonly env?: Environment;
}

export interface Quittance {
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Builds both stacks of one stage (`-c stage=…`, default dev) from a topology. */
export const buildQuittance = (app: App, topology: AnyTopology, options: QuittanceOptions = {}): Quittance => {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  validateTopology(topology, projectRoot);
  const config = stageConfig(topology.app, (key) => app.node.tryGetContext(key));
  const env = options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const prefix = `${topology.app}-${config.stage}`;

  const stateful = new StatefulStack(app, `${prefix}-stateful`, {
    topology,
    config,
    env,
    description: `${topology.app} (${config.stage}): tables, buckets, queues, event bus, users, secrets, SES inbound`,
    terminationProtection: config.isProd,
  });
  const stateless = new StatelessStack(app, `${prefix}-stateless`, {
    topology,
    config,
    stateful,
    projectRoot,
    env,
    description: `${topology.app} (${config.stage}): functions, triggers, HTTP API, alarms, dashboard`,
  });
  stateless.addStackDependency(stateful, 'functions read the stateful resources');

  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', topology.app);
    Tags.of(stack).add('stage', config.stage);
  }
  return { config, stateful, stateless };
};
