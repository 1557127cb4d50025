import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BudgetLine } from '../../domain/cards/budget.ts';
import { type CompanyControls, companyControlsSchema } from '../../domain/cards/controls.ts';
import type { CardLedgerState } from '../../domain/cards/ledger.ts';
import type { Processor } from '../../domain/cards/model.ts';
import { type Money, money } from '../../domain/money.ts';
import {
  type AuthorizationDecisionLog,
  type BudgetMovement,
  type BudgetStore,
  type CardDirectory,
  type CardLedgerRepository,
  type ControlsRepository,
  type IdempotencyStore,
  InsufficientBudgetError,
  LedgerConflictError,
} from '../../ports/cards.ts';

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
  decisionRoute: (processor: Processor, authorizationId: string) => ({
    pk: `PROC#${processor}#AUTHZ#${authorizationId}`,
    sk: 'ROUTE',
  }),
  missingReceipts: (companyId: string, employeeId: string) => `C#${companyId}#EMP#${employeeId}#MISSING`,
  idempotency: (key: string) => ({ pk: `IDEMP#${key}`, sk: 'IDEMP' }),
};

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';

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

export const makeDynamoCardDirectory = (ddb: DynamoDBDocumentClient, table: string): CardDirectory => ({
  async resolve(processor, cardId) {
    const [card, account] = await Promise.all([
      ddb.send(new GetCommand({ TableName: table, Key: cardKeys.cardRoute(processor, cardId) })),
      ddb.send(new GetCommand({ TableName: table, Key: cardKeys.accountRoute(processor) })),
    ]);
    if (card.Item?.employeeId) {
      return {
        status: 'assigned',
        owner: { companyId: String(card.Item.companyId), employeeId: String(card.Item.employeeId) },
      };
    }
    const companyId = card.Item?.companyId ?? account.Item?.companyId;
    return companyId
      ? { status: 'unassigned', owner: { companyId: String(companyId), employeeId: null } }
      : { status: 'unknown' };
  },
  async cardholderState(companyId, employeeId, _now) {
    if (!employeeId) return { employeeId: null, teamIds: [], active: false, oldestMissingReceiptSince: null };
    const [user, missing] = await Promise.all([
      ddb.send(new GetCommand({ TableName: table, Key: { pk: `C#${companyId}`, sk: `USER#${employeeId}` } })),
      ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': cardKeys.missingReceipts(companyId, employeeId) },
          Limit: 1,
        }),
      ),
    ]);
    return {
      employeeId,
      teamIds: (user.Item?.teamIds as string[] | undefined) ?? [],
      active: user.Item?.active === true,
      oldestMissingReceiptSince: (missing.Items?.[0]?.postedAt as string | undefined) ?? null,
    };
  },
});

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
      lines: ((res.Item.lines as { lineId: string; limit: string; currency: string }[] | undefined) ?? []).map((l) => ({
        lineId: l.lineId,
        limit: money(BigInt(l.limit), l.currency),
      })),
    };
  },

  async commit({ companyId, key, expectedVersion, state, lines, movements }) {
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
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: [ledgerPut, ...updates] }));
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

export const makeDynamoDecisionLog = (ddb: DynamoDBDocumentClient, table: string): AuthorizationDecisionLog => ({
  async record(owner, request, decision, decidedAt) {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: {
                  ...cardKeys.decision(owner.companyId, request.processor, request.authorizationId),
                  entity: 'AuthorizationDecision',
                  gsi1pk: `C#${owner.companyId}#AUTHZ`,
                  gsi1sk: `${decidedAt}#${request.authorizationId}`,
                  ...owner,
                  processor: request.processor,
                  authorizationId: request.authorizationId,
                  cardId: request.cardId,
                  amount: request.amount.minor.toString(),
                  currency: request.amount.currency,
                  merchant: request.merchant.name,
                  mcc: request.merchant.mcc,
                  approved: decision.approved,
                  fallback: decision.fallback,
                  reasons: decision.reasons,
                  decidedAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table,
                Item: {
                  ...cardKeys.decisionRoute(request.processor, request.authorizationId),
                  companyId: owner.companyId,
                },
              },
            },
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return 'exists';
      throw error;
    }
  },
  async get(processor, authorizationId) {
    const route = await ddb.send(
      new GetCommand({ TableName: table, Key: cardKeys.decisionRoute(processor, authorizationId) }),
    );
    if (!route.Item) return null;
    const res = await ddb.send(
      new GetCommand({
        TableName: table,
        Key: cardKeys.decision(String(route.Item.companyId), processor, authorizationId),
      }),
    );
    if (!res.Item) return null;
    return {
      approved: res.Item.approved === true,
      fallback: res.Item.fallback === true,
      reasons: (res.Item.reasons as { code: never; message: string }[]) ?? [],
      reservations: [],
    };
  },
});

/** A claim holds for this long; a crashed invocation's claim can then be taken over by the processor's retry. */
const LEASE_MS = 30_000;

export const makeDynamoIdempotencyStore = (ddb: DynamoDBDocumentClient, table: string): IdempotencyStore => ({
  async claim(key, ttlSeconds) {
    const now = Date.now();
    try {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...cardKeys.idempotency(key),
            entity: 'Idempotency',
            status: 'in-progress',
            leaseUntil: now + LEASE_MS,
            expiresAt: Math.floor(now / 1000) + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#s = :inprog AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':inprog': 'in-progress', ':now': now },
        }),
      );
      return { status: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const res = await ddb.send(
        new GetCommand({ TableName: table, Key: cardKeys.idempotency(key), ConsistentRead: true }),
      );
      if (res.Item?.status === 'done') {
        return { status: 'done', result: res.Item.result ? JSON.parse(String(res.Item.result)) : null };
      }
      return { status: 'in-progress' };
    }
  },
  async complete(key, result) {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: cardKeys.idempotency(key),
        UpdateExpression: 'SET #s = :done, #r = :result',
        ExpressionAttributeNames: { '#s': 'status', '#r': 'result' },
        ExpressionAttributeValues: { ':done': 'done', ':result': JSON.stringify(result ?? null) },
      }),
    );
  },
  async release(key) {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: cardKeys.idempotency(key),
        UpdateExpression: 'SET leaseUntil = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  },
});
