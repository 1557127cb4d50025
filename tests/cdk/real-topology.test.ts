import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/cdk/quittance.ts';
import type { AnyTopology } from '../../infra/cdk/topology-walk.ts';
import { topology } from '../../infra/topology.ts';
import { FIXTURE_HANDLER, fixtureTopology } from './fixtures/topology.ts';
import {
  actionsOf,
  auditAcknowledgements,
  expectedActions,
  fnOf,
  logicalId,
  removeSynthOutputs,
  roleStatements,
  type Synthesized,
  synth,
} from './helpers.ts';

afterAll(removeSynthOutputs);
/**
 * The real topology, bundling the real handlers. A function whose entry is not written yet (the topology
 * grows during the day) is bundled from the fixture handler instead, and reported, so its grants and
 * trigger are still checked; `npm run synth` itself refuses missing entries (tested below).
 */
const missing = Object.entries(topology.functions)
  .filter(([, spec]) => !existsSync(resolve(PROJECT_ROOT, spec.entry)))
  .map(([name]) => name);
const real: AnyTopology = {
  ...topology,
  functions: Object.fromEntries(
    Object.entries(topology.functions).map(([name, spec]) => [
      name,
      missing.includes(name) ? { ...spec, entry: FIXTURE_HANDLER } : spec,
    ]),
  ),
};

describe(`real topology (${missing.length ? `stand-in handler for: ${missing.join(', ')}` : 'all entries bundled'})`, () => {
  let dev: Synthesized;
  beforeAll(() => {
    dev = synth(real, { stage: 'dev' }, { nag: true });
  }, 90_000); // bundles the real handlers, extraction engine packages included

  it('synthesizes with cdk-nag AwsSolutions and only earned acknowledgements', () => {
    const { stale, unacknowledged } = auditAcknowledgements(dev.stateful.node.root);
    expect(unacknowledged).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('makes every topology function an arm64 nodejs22.x Lambda with exactly its declared actions', () => {
    const t = dev.statelessTemplate;
    t.resourceCountIs('AWS::Lambda::Function', Object.keys(topology.functions).length);
    for (const [name, spec] of Object.entries(real.functions)) {
      const r = dev.stateless.functions[name];
      if (!r) throw new Error(`function ${name} missing from the stack`);
      const props = t.toJSON().Resources[logicalId(r.fn)].Properties;
      expect(props.Runtime, name).toBe('nodejs22.x');
      expect(props.Architectures, name).toEqual(['arm64']);
      const actions = actionsOf(roleStatements(t, logicalId(r.role)));
      expect([...actions].sort(), name).toEqual([...expectedActions(spec, real)].sort());
    }
  });

  it("wires each function's trigger", () => {
    const t = dev.statelessTemplate;
    for (const [name, spec] of Object.entries(real.functions)) {
      const r = fnOf(dev, name);
      const target = r.alias ? { Ref: logicalId(r.alias) } : { 'Fn::GetAtt': [logicalId(r.fn), 'Arn'] };
      const trigger = spec.trigger;
      if (trigger.type === 'http') {
        for (const route of trigger.routes) {
          t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
            RouteKey: route.trim().replace(/\s+/, ' '),
            AuthorizationType: trigger.auth === 'jwt' ? 'JWT' : 'NONE',
          });
        }
      } else if (trigger.type === 'objectCreated') {
        t.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: Match.objectLike({
            source: ['aws.s3'],
            detail: Match.objectLike({ object: { key: [{ prefix: trigger.prefix }] } }),
          }),
          Targets: [Match.objectLike({ Arn: target })],
        });
      } else if (trigger.type === 'queue') {
        t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: r.alias ? { Ref: logicalId(r.alias) } : { Ref: logicalId(r.fn) },
          BatchSize: trigger.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: trigger.maxConcurrency ? { MaximumConcurrency: trigger.maxConcurrency } : Match.absent(),
        });
      } else if (trigger.type === 'event') {
        t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: target })] });
      } else {
        t.hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: trigger.expression,
          Target: Match.objectLike({ Arn: target }),
        });
      }
    }
  });

  it('alarms on the authorization p99 latency and on Textract throttling', () => {
    const alarms = Object.values(dev.statelessTemplate.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { MetricName?: string; Namespace?: string; ExtendedStatistic?: string; Threshold?: number };
    }[];
    const latency = alarms.filter(
      (a) => a.Properties.MetricName === 'Duration' && a.Properties.ExtendedStatistic === 'p99',
    );
    expect(latency.length).toBe(Object.values(topology.functions).filter((f) => 'warm' in f && f.warm).length);
    expect(latency[0]?.Properties.Threshold).toBe(1500);
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics).toContain('AWS/Textract/ThrottledCount');
  });

  it('grants write actions only to functions that declare writes', () => {
    const t = dev.statelessTemplate;
    for (const [name, spec] of Object.entries(real.functions)) {
      const actions = actionsOf(roleStatements(t, logicalId(fnOf(dev, name).role)));
      const writesBucket = Object.values(spec.uses.buckets ?? {}).some((a) => a !== 'read');
      const writesTable = Object.values(spec.uses.tables ?? {}).some((a) => a === 'readWrite');
      expect(actions.has('s3:PutObject'), `${name} s3:PutObject`).toBe(writesBucket);
      expect(actions.has('dynamodb:PutItem'), `${name} dynamodb:PutItem`).toBe(writesTable);
      expect(actions.has('events:PutEvents'), `${name} events:PutEvents`).toBe(spec.uses.putEvents === true);
    }
    // The e-mail intake publishes what it received.
    expect(actionsOf(roleStatements(t, logicalId(fnOf(dev, 'emailIntake').role))).has('events:PutEvents')).toBe(true);
  });
});

describe('topology checks', () => {
  it('fails the synthesis with a message naming every missing function and path', () => {
    const broken: AnyTopology = {
      ...fixtureTopology,
      functions: {
        ...fixtureTopology.functions,
        ghost: { ...fixtureTopology.functions.match, entry: 'functions/ghost/handler.ts' },
        phantom: { ...fixtureTopology.functions.match, entry: 'functions/phantom/handler.ts' },
      },
    };
    expect(() => synth(broken)).toThrow(
      /function "ghost": entry module functions\/ghost\/handler\.ts not found[\s\S]*function "phantom"/,
    );
  });

  it('rejects a queue concurrency cap that SQS event sources do not accept', () => {
    const broken: AnyTopology = {
      ...fixtureTopology,
      functions: {
        ...fixtureTopology.functions,
        extract: {
          ...fixtureTopology.functions.extract,
          trigger: { type: 'queue', queue: 'extraction', batchSize: 5, maxConcurrency: 1 },
        },
      },
    };
    expect(() => synth(broken)).toThrow(/extract: maxConcurrency must be an integer from 2 to 1000/);
  });
});
