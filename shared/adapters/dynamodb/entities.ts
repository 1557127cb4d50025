import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Entity } from '../../domain/entities.ts';
import { queryPrefix } from './query-all.ts';

/** Legal entities on the single table: `C#<co>` / `ENTITY#<id>`, the whole entity as JSON. */
export const makeDynamoEntityStore = (ddb: DynamoDBDocumentClient, table: string) => ({
  async list(companyId: string): Promise<Entity[]> {
    return (await queryPrefix(ddb, table, `C#${companyId}`, 'ENTITY#')).map(
      (i) => JSON.parse(String(i.json)) as Entity,
    );
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
