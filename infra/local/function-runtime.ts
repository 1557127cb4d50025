import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../topology.ts';
import { topology } from '../topology.ts';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

/**
 * Runs the same handler modules Lambda runs, in this process, with a Lambda-like context and the
 * topology's timeout. Modules are imported on first use (a cold start) and kept (warm).
 */
export const makeFunctionRuntime = (root: string, log: (line: string) => void) => {
  const loaded = new Map<FunctionName, Promise<LambdaHandler>>();

  const load = (name: FunctionName): Promise<LambdaHandler> => {
    let handler = loaded.get(name);
    if (!handler) {
      const entry = resolve(root, topology.functions[name].entry);
      handler = import(entry).then((m: { handler?: LambdaHandler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${entry} does not export a handler`);
        return m.handler;
      });
      loaded.set(name, handler);
    }
    return handler;
  };

  const invoke = async (name: FunctionName, event: unknown): Promise<unknown> => {
    const spec = topology.functions[name];
    const handler = await load(name);
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: `quittance-local-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:quittance-local-${name}`,
      memoryLimitInMB: String(spec.memoryMB),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/quittance-local-${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    try {
      return await Promise.race([
        handler(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new FunctionTimeoutError(`${name} timed out after ${spec.timeoutSeconds} s`)),
            spec.timeoutSeconds * 1000,
          );
        }),
      ]);
    } catch (error) {
      log(`function ${name} failed after ${Date.now() - started} ms: ${(error as Error).message}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return { invoke, load };
};

export type FunctionRuntime = ReturnType<typeof makeFunctionRuntime>;
