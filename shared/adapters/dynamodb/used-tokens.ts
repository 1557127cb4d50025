import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UsedTokenStore } from '../../ports/expenses.ts';

/** Single use of signed links: a conditional put of the nonce, expiring (TTL) with the link. */
export const makeDynamoUsedTokenStore = (ddb: DynamoDBDocumentClient, table: string): UsedTokenStore => ({
  async markUsed(nonce, expiresAt) {
    try {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `LINKNONCE#${nonce}`, sk: 'USED', entity: 'UsedLink', expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },
});
