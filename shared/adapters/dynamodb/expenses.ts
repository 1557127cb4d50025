import {
  type DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OrgSnapshot } from '../../domain/expenses/approval-chain.ts';
import { type ApprovalChainConfig, parseApprovalChainConfig } from '../../domain/expenses/approval-chain.ts';
import type { AuditEntry } from '../../domain/expenses/audit.ts';
import { type Expense, expenseFromJson, expenseToJson } from '../../domain/expenses/expense.ts';
import { type PolicySet, parsePolicySet, policyInForce } from '../../domain/expenses/policy.ts';
import type { ExpenseFilter, ExpenseOrder } from '../../domain/expenses/search.ts';
import type { Role } from '../../domain/identity.ts';
import { formatMoney } from '../../domain/money.ts';
import { ConcurrentUpdateError, type ExpenseRepository, type PolicyRepository } from '../../ports/expenses.ts';
import type { Page } from '../../ports/receipt-repository.ts';
import { decodeCursor, encodeCursor, InvalidCursorError, stripKeys } from './keys.ts';

/**
 * Expenses on the single table: the expense `C#<co>#EXP#<id>` / EXPENSE (gsi1: the company's expenses by status and
 * date; gsi2: the employee's), its audit entries under the same partition (AUDIT#<seq>, append-only, written in the
 * same transaction as the version they produced), and one queue item per pending approver
 * `C#<co>#APPROVER#<user>` / `<expense>` while the expense waits for them.
 */
const expenseKey = (companyId: string, id: string) => ({ pk: `C#${companyId}#EXP#${id}`, sk: 'EXPENSE' });
const auditKey = (companyId: string, id: string, seq: number) => ({
  pk: `C#${companyId}#EXP#${id}`,
  sk: `AUDIT#${String(seq).padStart(6, '0')}`,
});
const queueKey = (companyId: string, userId: string, id: string) => ({
  pk: `C#${companyId}#APPROVER#${userId}`,
  sk: id,
});

const pendingApprovers = (e: Expense): string[] => {
  if (e.status !== 'PENDING_APPROVAL' || !e.approval) return [];
  const step = e.approval.steps[e.approval.currentStep];
  const acted = new Set(
    e.approval.decisions.filter((d) => d.step === e.approval?.currentStep).map((d) => d.approverId),
  );
  return (step?.approverIds ?? []).filter((id) => !acted.has(id));
};

/**
 * The stored expense: the whole JSON, its four list keys (gsi1 by status, gsi2 by employee, gsi3 the company's,
 * gsi4 by category, each sorted by spend date) and the attributes list filters read server-side (`search`). The amount is a DynamoDB
 * number written from its exact decimal string, never through a float.
 */
export const expenseItem = (e: Expense) => ({
  ...expenseKey(e.companyId, e.id),
  entity: 'Expense',
  gsi1pk: `C#${e.companyId}#EXPENSES#${e.status}`,
  gsi1sk: `${e.spentOn}#${e.id}`,
  gsi2pk: `C#${e.companyId}#EMP#${e.employeeId}#EXPENSES`,
  gsi2sk: `${e.spentOn}#${e.id}`,
  gsi3pk: `C#${e.companyId}#EXPENSES`,
  gsi3sk: `${e.spentOn}#${e.id}`,
  gsi4pk: `C#${e.companyId}#EXPENSES#CAT#${e.category?.category ?? '-'}`,
  gsi4sk: `${e.spentOn}#${e.id}`,
  status: e.status,
  employeeId: e.employeeId,
  entityId: e.entityId ?? '-',
  category: e.category?.category ?? '-',
  spentOn: e.spentOn,
  amountValue: NumberValue.from(formatMoney(e.amount)),
  receiptCount: e.receiptIds.length,
  violationCount: e.violations.length,
  version: e.version,
  json: JSON.stringify(expenseToJson(e)),
});
const item = expenseItem;

/** Rewrites every stored expense with its current list keys and filter attributes (after an index was added). */
export const backfillExpenseIndex = async (ddb: DynamoDBDocumentClient, table: string): Promise<number> => {
  let start: Record<string, unknown> | undefined;
  let count = 0;
  do {
    const res = await ddb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'entity = :e',
        ExpressionAttributeValues: { ':e': 'Expense' },
        ExclusiveStartKey: start,
      }),
    );
    for (const i of res.Items ?? []) {
      await ddb.send(new PutCommand({ TableName: table, Item: expenseItem(fromItem(i)) }));
      count++;
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return count;
};

/** Filter expression of an ExpenseFilter: the same meaning as the pure `expenseMatches` (a test holds them equal). */
const filterExpression = (f: ExpenseFilter) => {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const add = (attr: string, op: string, value: unknown) => {
    names[`#${attr}`] = attr;
    values[`:${attr}${op === '<=' ? 'Max' : ''}`] = value;
    parts.push(`#${attr} ${op} :${attr}${op === '<=' ? 'Max' : ''}`);
  };
  if (f.status) add('status', '=', f.status);
  if (f.employeeId) add('employeeId', '=', f.employeeId);
  if (f.entityId) add('entityId', '=', f.entityId);
  if (f.category) add('category', '=', f.category);
  if (f.minAmount) add('amountValue', '>=', NumberValue.from(f.minAmount));
  if (f.maxAmount) add('amountValue', '<=', NumberValue.from(f.maxAmount));
  if (f.hasReceipt !== undefined) add('receiptCount', f.hasReceipt ? '>' : '=', 0);
  if (f.hasViolations !== undefined) add('violationCount', f.hasViolations ? '>' : '=', 0);
  return { parts, names, values };
};

/** Items read per request at most: a page may come back short (with a cursor) rather than slow. */
const SEARCH_READ_BUDGET = 2_000;

const fromItem = (i: Record<string, unknown>): Expense => expenseFromJson(JSON.parse(String(i.json)));

const queueChanges = (before: Expense | null, after: Expense) => {
  const was = new Set(before ? pendingApprovers(before) : []);
  const now = new Set(pendingApprovers(after));
  return [
    ...[...now]
      .filter((u) => !was.has(u))
      .map((u) => ({
        Put: {
          TableName: '',
          Item: { ...queueKey(after.companyId, u, after.id), entity: 'ApprovalQueue', since: after.updatedAt },
        },
      })),
    ...[...was]
      .filter((u) => !now.has(u))
      .map((u) => ({ Delete: { TableName: '', Key: queueKey(after.companyId, u, after.id) } })),
  ];
};

export const makeDynamoExpenseRepository = (ddb: DynamoDBDocumentClient, table: string) => {
  const withTable = <T extends { Put?: { TableName: string }; Delete?: { TableName: string } }>(op: T): T => {
    if (op.Put) op.Put.TableName = table;
    if (op.Delete) op.Delete.TableName = table;
    return op;
  };
  const auditPut = (a: AuditEntry) => ({
    Put: {
      TableName: table,
      Item: { ...auditKey(a.companyId, a.expenseId, a.seq), entity: 'ExpenseAudit', entry: JSON.stringify(a) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const page = async (index: 'gsi1' | 'gsi2', pk: string, limit: number, cursor: string | null) => {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk`,
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (res.Items ?? []).map(fromItem), nextCursor: encodeCursor(res.LastEvaluatedKey) };
  };

  /**
   * A filtered, sorted page: the narrowest index (employee, else category, else status, else the company's) with the spend-date
   * range as its key condition, the other filters server-side. Reads stop at `limit` matches or the read budget;
   * the cursor is the key of the last item looked at, so the next page continues exactly there.
   */
  const search = async (
    companyId: string,
    f: ExpenseFilter,
    q: { limit: number; cursor: string | null; order: ExpenseOrder },
  ): Promise<Page<Expense>> => {
    const [index, pk] = f.employeeId
      ? (['gsi2', `C#${companyId}#EMP#${f.employeeId}#EXPENSES`] as const)
      : f.category
        ? (['gsi4', `C#${companyId}#EXPENSES#CAT#${f.category}`] as const)
        : f.status
          ? (['gsi1', `C#${companyId}#EXPENSES#${f.status}`] as const)
          : (['gsi3', `C#${companyId}#EXPENSES`] as const);
    const { parts, names, values } = filterExpression({
      ...f,
      ...(index === 'gsi2' ? { employeeId: undefined } : {}),
      ...(index === 'gsi4' ? { category: undefined } : {}),
      ...(index === 'gsi1' ? { status: undefined } : {}),
    });
    const range = f.from || f.to ? ` AND ${index}sk BETWEEN :lo AND :hi` : '';
    const items: Expense[] = [];
    let start = decodeCursor(q.cursor);
    // A cursor is only valid for the listing it was issued for (same index and partition): never another company's.
    if (start && start[`${index}pk`] !== pk) throw new InvalidCursorError('cursor does not belong to this listing');
    let read = 0;
    let readAhead = Math.max(100, q.limit * 2);
    let last: Record<string, unknown> | undefined;
    while (items.length < q.limit && read < SEARCH_READ_BUDGET) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk${range}`,
          ...(parts.length ? { FilterExpression: parts.join(' AND ') } : {}),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: {
            ':pk': pk,
            ...(range ? { ':lo': `${f.from ?? '0000-00-00'}#`, ':hi': `${f.to ?? '9999-99-99'}#\uffff` } : {}),
            ...values,
          },
          ScanIndexForward: q.order === 'spentOn',
          // Without filters a page is exactly what was asked. With filters DynamoDB's Limit counts items read, not
          // matches: start small (a dense filter fills the page at once) and read 4× more each round (a sparse one
          // reaches the budget in a few round trips).
          Limit: parts.length ? Math.min(SEARCH_READ_BUDGET - read, readAhead) : q.limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      read += res.ScannedCount ?? 0;
      readAhead *= 4;
      for (const i of res.Items ?? []) {
        if (items.length === q.limit) break;
        items.push(fromItem(i));
        last = i;
      }
      if (items.length === q.limit && last && (res.Items ?? []).at(-1) !== last) {
        // Stopped inside this page: continue right after the last item returned.
        const key = {
          pk: last.pk,
          sk: last.sk,
          [`${index}pk`]: last[`${index}pk`],
          [`${index}sk`]: last[`${index}sk`],
        };
        return { items, nextCursor: encodeCursor(key) };
      }
      if (!res.LastEvaluatedKey) return { items, nextCursor: null };
      start = res.LastEvaluatedKey;
    }
    return { items, nextCursor: encodeCursor(start) };
  };

  const repo: ExpenseRepository & { audit(companyId: string, id: string): Promise<AuditEntry[]> } = {
    search,
    async create(expense, audit) {
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: item(expense), ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut(audit),
              ...queueChanges(null, expense).map(withTable),
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') return 'exists';
        throw error;
      }
    },
    async get(companyId, id) {
      const res = await ddb.send(
        new GetCommand({ TableName: table, Key: expenseKey(companyId, id), ConsistentRead: true }),
      );
      return res.Item ? fromItem(res.Item) : null;
    },
    async save(expense, expectedVersion, audit) {
      const before = await repo.get(expense.companyId, expense.id);
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: item(expense),
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': expectedVersion },
                },
              },
              auditPut(audit),
              ...queueChanges(before, expense).map(withTable),
            ],
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') {
          throw new ConcurrentUpdateError(`expense ${expense.id} changed since version ${expectedVersion}`);
        }
        throw error;
      }
    },
    listByStatus: (companyId, q) => page('gsi1', `C#${companyId}#EXPENSES#${q.status}`, q.limit, q.cursor),
    listByEmployee: (companyId, employeeId, q) =>
      page('gsi2', `C#${companyId}#EMP#${employeeId}#EXPENSES`, q.limit, q.cursor),
    async listAwaitingApprover(companyId, userId, q) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `C#${companyId}#APPROVER#${userId}` },
          Limit: q.limit,
          ExclusiveStartKey: decodeCursor(q.cursor),
        }),
      );
      const expenses = await Promise.all((res.Items ?? []).map((i) => repo.get(companyId, String(i.sk))));
      return {
        items: expenses.filter((e): e is Expense => e !== null),
        nextCursor: encodeCursor(res.LastEvaluatedKey),
      };
    },
    async dayTotal() {
      return 0n;
    },
    async audit(companyId, id) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': expenseKey(companyId, id).pk, ':a': 'AUDIT#' },
        }),
      );
      return (res.Items ?? []).map((i) => JSON.parse(String(i.entry)) as AuditEntry);
    },
  };
  return repo;
};

export const makeDynamoPolicyRepository = (ddb: DynamoDBDocumentClient, table: string): PolicyRepository => {
  const versions = async (companyId: string, kind: 'POLICY' | 'CHAIN') => {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':k': `${kind}#` },
      }),
    );
    return (res.Items ?? []).map((i) => JSON.parse(String(i.json)) as unknown);
  };
  const put = async (companyId: string, kind: 'POLICY' | 'CHAIN', version: number, value: unknown) => {
    try {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `C#${companyId}`,
            sk: `${kind}#${String(version).padStart(6, '0')}`,
            entity: kind,
            json: JSON.stringify(value),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new ConcurrentUpdateError(`${kind.toLowerCase()} version ${version} exists`);
      }
      throw error;
    }
  };
  return {
    async policyAt(companyId, at) {
      return policyInForce((await versions(companyId, 'POLICY')).map(parsePolicySet), at);
    },
    async policyVersion(companyId, version) {
      return (await versions(companyId, 'POLICY')).map(parsePolicySet).find((p) => p.version === version) ?? null;
    },
    putPolicy: (policy: PolicySet) => put(policy.companyId, 'POLICY', policy.version, policy),
    async chainAt(companyId) {
      const all = (await versions(companyId, 'CHAIN')).map(parseApprovalChainConfig);
      return all.sort((a, b) => b.version - a.version)[0] ?? null;
    },
    putChain: (chain: ApprovalChainConfig) => put(chain.companyId, 'CHAIN', chain.version, chain),
    async delegations(companyId) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `C#${companyId}#DELEGATIONS` },
        }),
      );
      return (res.Items ?? []).map((i) => ({
        approverId: String(i.approverId),
        delegateId: String(i.delegateId),
        from: String(i.from),
        to: String(i.to),
      }));
    },
  };
};

/** Managers and role holders of a company, for routing approvals. */
export const loadOrgSnapshot = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  companyId: string,
): Promise<OrgSnapshot> => {
  const res = await ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
      ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':u': 'USER#' },
    }),
  );
  const users = (res.Items ?? []).map((i) =>
    stripKeys<{
      userId: string;
      managerId?: string | null;
      roles?: Role[];
      active?: boolean;
      entityId?: string | null;
    }>(i),
  );
  const roles: Partial<Record<Role, string[]>> = {};
  for (const u of users.filter((x) => x.active !== false)) {
    for (const r of u.roles ?? []) roles[r] = [...(roles[r] ?? []), u.userId];
  }
  return {
    managers: Object.fromEntries(users.map((u) => [u.userId, u.managerId ?? null])),
    roles,
    entities: Object.fromEntries(users.map((u) => [u.userId, u.entityId ?? null])),
  };
};

/** Stores who approves for whom while away (one item per approver and start date). */
export const putDelegation = (
  ddb: DynamoDBDocumentClient,
  table: string,
  companyId: string,
  d: { approverId: string; delegateId: string; from: string; to: string },
) =>
  ddb.send(
    new PutCommand({
      TableName: table,
      Item: { pk: `C#${companyId}#DELEGATIONS`, sk: `${d.approverId}#${d.from}`, entity: 'Delegation', ...d },
    }),
  );
