import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AggregateIncrement } from '../../domain/ledger/aggregates.ts';

const aggKey = (companyId: string, month: string, dimension: string, key: string) => ({
  pk: `C#${companyId}#REPORT#${month}`,
  sk: `${dimension}#${key}`,
});

/**
 * Maintained report aggregates: atomic ADDs on one item per company, month, dimension and key, written in the same
 * transaction as a marker of the entry, so an entry counts exactly once whatever the retries.
 */
export const makeDynamoReportAggregates = (ddb: DynamoDBDocumentClient, table: string) => ({
  async add(companyId: string, entryId: string, increments: readonly AggregateIncrement[]): Promise<void> {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { pk: `C#${companyId}#AGGREGATED#${entryId}`, sk: 'AGGREGATED', entity: 'Aggregated' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...increments.map((inc) => ({
              Update: {
                TableName: table,
                Key: aggKey(companyId, inc.month, inc.dimension, inc.key),
                UpdateExpression: 'ADD amountMinor :a, entries :one SET #label = :label, entity = :entity',
                ExpressionAttributeNames: { '#label': 'label' },
                ExpressionAttributeValues: {
                  ':a': Number(inc.amountMinor),
                  ':one': 1,
                  ':label': inc.label,
                  ':entity': 'ReportAggregate',
                },
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return; // counted already
      throw error;
    }
  },

  /** The aggregates of a dimension for each month in [fromMonth, toMonth] (YYYY-MM). */
  async read(companyId: string, dimension: string, fromMonth: string, toMonth: string) {
    const months: string[] = [];
    for (
      let d = new Date(`${fromMonth}-01T00:00:00Z`);
      d.toISOString().slice(0, 7) <= toMonth && months.length < 120;
    ) {
      months.push(d.toISOString().slice(0, 7));
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    }
    const rows = await Promise.all(
      months.map(async (month) => {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
            ExpressionAttributeValues: { ':pk': `C#${companyId}#REPORT#${month}`, ':d': `${dimension}#` },
          }),
        );
        return (res.Items ?? []).map((i) => ({
          month,
          key: String(i.sk).slice(dimension.length + 1),
          label: String(i.label ?? ''),
          amountMinor: BigInt(Number(i.amountMinor ?? 0)),
          entries: Number(i.entries ?? 0),
        }));
      }),
    );
    return rows.flat();
  },
});
