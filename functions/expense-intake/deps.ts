import { createHash } from 'node:crypto';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import {
  loadOrgSnapshot,
  makeDynamoExpenseRepository,
  makeDynamoPolicyRepository,
} from '../../shared/adapters/dynamodb/expenses.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';
import type { ExpenseIntakeDeps } from './handler-core.ts';

export const expenseWorkflowDeps = () => {
  const { ddb, eventBridge } = awsClients();
  const table = tableName('main');
  return {
    expenses: makeDynamoExpenseRepository(ddb, table),
    policies: makeDynamoPolicyRepository(ddb, table),
    org: (companyId: string) => loadOrgSnapshot(ddb, table, companyId),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    sha256: (text: string) => createHash('sha256').update(text).digest('hex'),
    now: () => new Date(),
  };
};

export const defaultDeps = (): ExpenseIntakeDeps => {
  const { ddb } = awsClients();
  const table = tableName('main');
  return {
    ...expenseWorkflowDeps(),
    receipts: makeDynamoReceiptRepository(ddb, table),
    matches: makeDynamoMatchStore(ddb, table),
  };
};
