import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoUsedTokenStore } from '../../shared/adapters/dynamodb/used-tokens.ts';
import { getEnv, tableName } from '../../shared/runtime/env.ts';
import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { expenseWorkflowDeps } from '../expense-intake/deps.ts';
import { makeHandler } from './handler-core.ts';

const o = observability('approval-links');
const { ddb } = awsClients();
export const handler = lambda(
  makeHandler({
    ...expenseWorkflowDeps(),
    // Several secrets during a rotation: the current one first.
    secrets: getEnv('APPROVAL_LINK_SECRET')
      .split(',')
      .map((s) => Buffer.from(s.trim(), 'base64')),
    usedTokens: makeDynamoUsedTokenStore(ddb, tableName('main')),
  }),
  o,
);
