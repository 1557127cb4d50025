import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import type { OnlineMatchDeps } from '../../shared/domain/matching/online.ts';
import { EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';

export const defaultDeps = (): OnlineMatchDeps => {
  const { ddb, eventBridge } = awsClients();
  return {
    store: makeDynamoMatchStore(ddb, tableName('main')),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    now: () => new Date(),
  };
};
