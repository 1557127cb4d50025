import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AggregateIncrement } from '../../domain/ledger/aggregates.ts';

const aggKey = (companyId: string, month: string, dimension: string, key: string) => ({
  pk: `C#${companyId}#REPORT#${month}`,
  sk: `${dimension}#${key}`,
});

/** The atomic ADD of one increment on its aggregate item. */
const addTo = (table: string, companyId: string) => (inc: AggregateIncrement) => ({
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
});

/**
 * Maintained report aggregates: atomic ADDs on one item per company, month, dimension and key, written in the same
 * transaction as a marker of the entry, so an entry counts exactly once whatever the retries.
 */
export const makeDynamoReportAggregates = (ddb: DynamoDBDocumentClient, table: string) => {
  const aggregates = {
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
              ...increments.map(addTo(table, companyId)),
            ],
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') return; // counted already
        throw error;
      }
    },

    /**
     * Several sources at once (a queue batch): one transaction with every source's marker and the merged ADDs, so a
     * batch costs one write; if any source was counted already (a redelivery), each source is added on its own.
     */
    async addMany(
      companyId: string,
      sources: readonly { sourceId: string; increments: readonly AggregateIncrement[] }[],
    ): Promise<void> {
      const merged = new Map<string, AggregateIncrement>();
      for (const inc of sources.flatMap((x) => x.increments)) {
        const k = `${inc.month}#${inc.dimension}#${inc.key}`;
        const cur = merged.get(k);
        merged.set(k, cur ? { ...cur, amountMinor: cur.amountMinor + inc.amountMinor } : inc);
      }
      if (sources.length === 0) return;
      if (sources.length + merged.size > 100 || sources.length === 1) {
        for (const x of sources) await aggregates.add(companyId, x.sourceId, x.increments);
        return;
      }
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              ...sources.map((x) => ({
                Put: {
                  TableName: table,
                  Item: { pk: `C#${companyId}#AGGREGATED#${x.sourceId}`, sk: 'AGGREGATED', entity: 'Aggregated' },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              ...[...merged.values()].map(addTo(table, companyId)),
            ],
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        for (const x of sources) await aggregates.add(companyId, x.sourceId, x.increments);
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
  };
  return aggregates;
};
