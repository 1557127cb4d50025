import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Entity } from '../../domain/entities.ts';

/** Legal entities on the single table: `C#<co>` / `ENTITY#<id>`, the whole entity as JSON. */
export const makeDynamoEntityStore = (ddb: DynamoDBDocumentClient, table: string) => ({
  async list(companyId: string): Promise<Entity[]> {
    const out: Entity[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':p': 'ENTITY#' },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(res.Items ?? []).map((i) => JSON.parse(String(i.json)) as Entity));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  },
  async put(companyId: string, e: Entity): Promise<void> {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `C#${companyId}`, sk: `ENTITY#${e.id}`, entity: 'Entity', json: JSON.stringify(e) },
      }),
    );
  },
});
