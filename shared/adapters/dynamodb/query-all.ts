import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every item a query matches, all pages (for small partitions: a company's users, entities, documents). */
export const queryAll = async (
  ddb: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
};

/** Every item of a company partition whose sort key starts with `prefix` (`C#<co>` / `USER#…`, `DOC#…`). */
export const queryPrefix = (ddb: DynamoDBDocumentClient, table: string, pk: string, prefix: string) =>
  queryAll(ddb, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
  });
