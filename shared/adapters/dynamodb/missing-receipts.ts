import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The company's card payments still waiting for their receipt (index gsi2, key `C#<company>#MISSING`, sort key
 * `postedAt#id`), oldest first; from/to (YYYY-MM-DD) bound the posting date; every page is read up to `limit`.
 */
export const queryMissingReceipts = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  companyId: string,
  query: { from?: string; to?: string; limit?: number } = {},
): Promise<Record<string, unknown>[]> => {
  const { from, to, limit = Number.POSITIVE_INFINITY } = query;
  const range = from !== undefined || to !== undefined;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi2',
        KeyConditionExpression: range ? 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to' : 'gsi2pk = :pk',
        ExpressionAttributeValues: {
          ':pk': `C#${companyId}#MISSING`,
          ...(range ? { ':from': from ?? '0000', ':to': `${to ?? '9999'}~` } : {}),
        },
        ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
};
