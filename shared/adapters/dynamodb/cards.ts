import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BudgetLine } from '../../domain/cards/budget.ts';
import { type CompanyControls, companyControlsSchema } from '../../domain/cards/controls.ts';
import type { CardLedgerState } from '../../domain/cards/ledger.ts';
import type { Processor } from '../../domain/cards/model.ts';
import { formatMoney, type Money, money } from '../../domain/money.ts';
import {
  type BudgetMovement,
  type BudgetStore,
  type CardAssignment,
  type CardDirectory,
  type CardLedgerRepository,
  type ControlsRepository,
  type DecisionOutcome,
  InsufficientBudgetError,
  LedgerConflictError,
} from '../../ports/cards.ts';
import { keys } from './keys.ts';

/**
 * DynamoDB adapters of the card ports, on the single table. Keys of company data start with the company; the
 * routing of a processor's card to its company (`PROC#…`) and idempotency records are global by nature.
 */
export const cardKeys = {
  cardRoute: (processor: Processor, cardId: string) => ({ pk: `PROC#${processor}#CARD#${cardId}`, sk: 'ROUTE' }),
  accountRoute: (processor: Processor) => ({ pk: `PROC#${processor}#ACCOUNT`, sk: 'ROUTE' }),
  controls: (companyId: string) => ({ pk: `C#${companyId}`, sk: 'CONTROLS' }),
  budgetLine: (companyId: string, lineId: string) => ({ pk: `C#${companyId}#BUDGETLINE#${lineId}`, sk: 'LINE' }),
  ledger: (companyId: string, key: string) => ({ pk: `C#${companyId}#CARDLEDGER#${key}`, sk: 'LEDGER' }),
  decision: (companyId: string, processor: Processor, authorizationId: string) => ({
    pk: `C#${companyId}#AUTHZ#${processor}#${authorizationId}`,
    sk: 'DECISION',
  }),
};

/** A small per-container cache for data that changes rarely and is read on every authorization. */
const ttlCache = <T>(ttlMs: number) => {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load();
    entries.set(key, { at: Date.now(), value });
    value.catch(() => entries.delete(key));
    return value;
  };
};

/** bigint-safe JSON for ledger states. */
const BIG = '__bigint';
export const stateToJson = (state: CardLedgerState): string =>
  JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? { [BIG]: v.toString() } : v));
export const stateFromJson = (text: string): CardLedgerState =>
  JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && BIG in v
      ? BigInt((v as Record<string, string>)[BIG] ?? '0')
      : v,
  ) as CardLedgerState;

const num = (m: bigint): number => {
  const n = Number(m);
  if (!Number.isSafeInteger(n)) throw new Error(`amount ${m} exceeds the safe integer range`);
  return n;
};

const toLine = (item: Record<string, unknown>): BudgetLine => {
  const currency = String(item.currency);
  return {
    lineId: String(item.lineId),
    limit: money(BigInt(item.limit as number), currency),
    reserved: money(BigInt(item.reserved as number), currency),
    settled: money(BigInt(item.settled as number), currency),
  };
};

/**
 * Card routes change when finance assigns a card (cached 30 s), the holder's teams and missing receipts change
 * slowly (cached 5 s): a warm function answers most authorizations without these reads.
 */
export const makeDynamoCardDirectory = (
  ddb: DynamoDBDocumentClient,
  table: string,
  cache: { routesMs: number; holdersMs: number } = { routesMs: 30_000, holdersMs: 5_000 },
): CardDirectory => {
  const routes = ttlCache<CardAssignment>(cache.routesMs);
  const holders = ttlCache<Awaited<ReturnType<CardDirectory['cardholderState']>>>(cache.holdersMs);
  return {
    resolve: (processor, cardId) =>
      routes(`${processor}#${cardId}`, async () => {
        const card = await ddb.send(new GetCommand({ TableName: table, Key: cardKeys.cardRoute(processor, cardId) }));
        if (card.Item?.employeeId) {
          return {
            status: 'assigned',
            owner: { companyId: String(card.Item.companyId), employeeId: String(card.Item.employeeId) },
          };
        }
        const companyId =
          card.Item?.companyId ??
          (await ddb.send(new GetCommand({ TableName: table, Key: cardKeys.accountRoute(processor) }))).Item?.companyId;
        return companyId
          ? { status: 'unassigned', owner: { companyId: String(companyId), employeeId: null } }
          : { status: 'unknown' };
      }),
    cardholderState: (companyId, employeeId, _now) =>
      holders(`${companyId}#${employeeId}`, async () => {
        if (!employeeId) return { employeeId: null, teamIds: [], active: false, oldestMissingReceiptSince: null };
        const [user, missing] = await Promise.all([
          ddb.send(new GetCommand({ TableName: table, Key: { pk: `C#${companyId}`, sk: `USER#${employeeId}` } })),
          // The employee's charges still missing their receipt (sparse gsi3 on card transactions), oldest first.
          ddb.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'gsi3',
              KeyConditionExpression: 'gsi3pk = :pk',
              ExpressionAttributeValues: {
                ':pk': keys.missingReceiptsByEmployee(companyId, employeeId, '', '').gsi3pk,
              },
              ProjectionExpression: 'postedAt, authorizedAt',
              ScanIndexForward: true,
              Limit: 1,
            }),
          ),
        ]);
        const oldest = missing.Items?.[0];
        return {
          employeeId,
          teamIds: (user.Item?.teamIds as string[] | undefined) ?? [],
          active: user.Item?.active === true,
          // The index's sort time: the posting time, the authorization time when not posted.
          oldestMissingReceiptSince: ((oldest?.postedAt ?? oldest?.authorizedAt) as string | undefined) ?? null,
        };
      }),
  };
};

/** Controls change rarely and are read on every authorization: cached a few seconds per container. */
export const makeDynamoControlsRepository = (
  ddb: DynamoDBDocumentClient,
  table: string,
  cacheMs = 5_000,
): ControlsRepository & { put(companyId: string, controls: unknown): Promise<CompanyControls> } => {
  const cache = new Map<string, { at: number; value: CompanyControls | null }>();
  return {
    async get(companyId) {
      const hit = cache.get(companyId);
      if (hit && Date.now() - hit.at < cacheMs) return hit.value;
      const res = await ddb.send(new GetCommand({ TableName: table, Key: cardKeys.controls(companyId) }));
      const value = res.Item ? companyControlsSchema.parse(JSON.parse(String(res.Item.controls))) : null;
      cache.set(companyId, { at: Date.now(), value });
      return value;
    },
    async put(companyId, controls) {
      const parsed = companyControlsSchema.parse(controls);
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: { ...cardKeys.controls(companyId), entity: 'Controls', controls: JSON.stringify(controls) },
        }),
      );
      cache.delete(companyId);
      return parsed;
    },
  };
};

export const makeDynamoBudgetStore = (ddb: DynamoDBDocumentClient, table: string): BudgetStore => ({
  async lines(companyId, lineIds) {
    const items = await Promise.all(
      lineIds.map((id) => ddb.send(new GetCommand({ TableName: table, Key: cardKeys.budgetLine(companyId, id) }))),
    );
    return Object.fromEntries(items.flatMap((r) => (r.Item ? [[String(r.Item.lineId), toLine(r.Item)]] : [])));
  },
  async list(companyId, query) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: query.budgetId ? 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': `C#${companyId}#BUDGETLINES`,
          ...(query.budgetId ? { ':prefix': `${query.budgetId}#` } : {}),
        },
      }),
    );
    return (res.Items ?? []).map(toLine).filter((l) => !query.periodKey || l.lineId.endsWith(`#${query.periodKey}`));
  },
});

/** Sums the movements per line: DynamoDB allows one operation per item in a transaction. */
const perLine = (movements: readonly BudgetMovement[]) => {
  const out = new Map<
    string,
    { lineId: string; limit: Money; reserve: bigint | null; reserved: bigint; settled: bigint }
  >();
  for (const m of movements) {
    const cur = out.get(m.lineId) ?? { lineId: m.lineId, limit: m.limit, reserve: null, reserved: 0n, settled: 0n };
    if (m.kind === 'reserve') {
      cur.reserve = (cur.reserve ?? 0n) + m.amount.minor;
      cur.reserved += m.amount.minor;
    } else {
      cur.reserved += m.delta.reserved.minor;
      cur.settled += m.delta.settled.minor;
    }
    out.set(m.lineId, cur);
  }
  return [...out.values()];
};

export const makeDynamoCardLedgerRepository = (ddb: DynamoDBDocumentClient, table: string): CardLedgerRepository => ({
  async load(companyId, key) {
    const res = await ddb.send(
      new GetCommand({ TableName: table, Key: cardKeys.ledger(companyId, key), ConsistentRead: true }),
    );
    if (!res.Item) return null;
    return {
      state: stateFromJson(String(res.Item.state)),
      version: Number(res.Item.version),
      answers: (res.Item.answers as Record<string, DecisionOutcome> | undefined) ?? {},
      lines: ((res.Item.lines as { lineId: string; limit: string; currency: string }[] | undefined) ?? []).map((l) => ({
        lineId: l.lineId,
        limit: money(BigInt(l.limit), l.currency),
      })),
    };
  },

  async commit({ companyId, key, expectedVersion, state, answers, lines, movements, decision }) {
    const lineOps = perLine(movements);
    for (const op of lineOps) {
      if (op.reserve !== null && op.reserve > op.limit.minor) throw new InsufficientBudgetError(op.lineId);
    }
    const ledgerPut = {
      Put: {
        TableName: table,
        Item: {
          ...cardKeys.ledger(companyId, key),
          entity: 'CardLedger',
          version: (expectedVersion ?? 0) + 1,
          state: stateToJson(state),
          answers: { ...answers, ...(decision ? { [decision.outcome.authorizationId]: decision.outcome } : {}) },
          lines: lines.map((l) => ({ lineId: l.lineId, limit: l.limit.minor.toString(), currency: l.limit.currency })),
        },
        ...(expectedVersion === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
      },
    };
    const updates = lineOps.map((op) => {
      const used = op.reserved + op.settled;
      const floor = op.reserved < 0n ? -op.reserved : 0n;
      return {
        Update: {
          TableName: table,
          Key: cardKeys.budgetLine(companyId, op.lineId),
          UpdateExpression:
            'SET #limit = if_not_exists(#limit, :limit), #currency = :currency, #lineId = :lineId, ' +
            'gsi1pk = :gpk, gsi1sk = :lineId, entity = :entity, ' +
            '#reserved = if_not_exists(#reserved, :zero) + :dr, #settled = if_not_exists(#settled, :zero) + :ds, ' +
            '#available = if_not_exists(#available, :limit) - :du',
          ConditionExpression:
            op.reserve !== null
              ? 'attribute_not_exists(pk) OR #available >= :need'
              : 'attribute_not_exists(pk) OR #reserved >= :floor',
          ExpressionAttributeNames: {
            '#limit': 'limit',
            '#currency': 'currency',
            '#lineId': 'lineId',
            '#reserved': 'reserved',
            '#settled': 'settled',
            '#available': 'available',
          },
          ExpressionAttributeValues: {
            ':limit': num(op.limit.minor),
            ':currency': op.limit.currency,
            ':lineId': op.lineId,
            ':gpk': `C#${companyId}#BUDGETLINES`,
            ':entity': 'BudgetLine',
            ':zero': 0,
            ':dr': num(op.reserved),
            ':ds': num(op.settled),
            ':du': num(used),
            ...(op.reserve !== null ? { ':need': num(op.reserve) } : { ':floor': num(floor) }),
          },
        },
      };
    });
    const decisionPut = decision
      ? [
          {
            Put: {
              TableName: table,
              Item: {
                ...cardKeys.decision(companyId, decision.request.processor, decision.request.authorizationId),
                entity: 'AuthorizationDecision',
                gsi1pk: `C#${companyId}#AUTHZ`,
                gsi1sk: `${decision.decidedAt}#${decision.request.authorizationId}`,
                ...decision.owner,
                processor: decision.request.processor,
                authorizationId: decision.request.authorizationId,
                cardId: decision.request.cardId,
                cardLast4: decision.request.cardLast4,
                amount: { amount: formatMoney(decision.request.amount), currency: decision.request.amount.currency },
                merchant: decision.request.merchant.name,
                mcc: decision.request.merchant.mcc,
                country: decision.request.merchant.country,
                approved: decision.outcome.approved,
                fallback: decision.outcome.fallback,
                reasons: decision.outcome.reasons,
                decidedAt: decision.decidedAt,
              },
            },
          },
        ]
      : [];
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: [ledgerPut, ...updates, ...decisionPut] }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as Error).name === 'TransactionCanceledException' && reasons) {
        if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new LedgerConflictError(`ledger ${key} changed`);
        const failed = reasons.findIndex((r, i) => i > 0 && r.Code === 'ConditionalCheckFailed');
        const op = lineOps[failed - 1];
        if (op?.reserve !== null && op) throw new InsufficientBudgetError(op.lineId);
        if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new LedgerConflictError(`ledger ${key} busy`);
      }
      throw error;
    }
  },
});
