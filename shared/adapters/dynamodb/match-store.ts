import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Money, money, parseMoney } from '../../domain/money.ts';
import type { Receipt } from '../../domain/receipts/receipt.ts';
import {
  type LostReceiptDeclaration,
  type MatchLink,
  type MatchStore,
  type OnlineReceipt,
  type OnlineTransaction,
  type RefundOfLink,
  refundedInFull,
} from '../../ports/match-store.ts';
import { ConcurrentUpdateError } from '../../ports/receipt-repository.ts';
import { keys, stripKeys } from './keys.ts';
import { reopenReceipt } from './open-items.ts';
import { queryAll } from './query-all.ts';

/**
 * Online matching on the single table.
 * - A card transaction: `C#<co>#CARDTX#<id>`; gsi1 = the employee's transactions by authorization time (the
 *   candidate window is one Query); gsi2 = the company's transactions missing a receipt (sparse: removed on link);
 *   gsi3 = the same per employee (`keys.missingReceiptsByEmployee`), which the card lock reads (oldest first). gsi2
 *   and gsi3 are set together and removed together, in the same write (`missingKeys`, `SET_MISSING`,
 *   `REMOVE_MISSING`), and only on money that moved and still waits (`waitsForReceipt`): never on an
 *   authorization's receipt slot, live or retired (its capture waits instead), a refund, an accepted lost receipt,
 *   or a purchase refunded in full (`refundedInFull`: out in the write that links the refund making it full);
 *   gsi4 = the employee's open charges (`keys.openTransactionsByEmployee`).
 * - A link is written on both sides in one transaction, each conditioned on being unlinked. A sum (one receipt ↔
 *   several charges, several receipts ↔ one charge) is one transaction over all its items: all or nothing. Every
 *   linked transaction carries `receiptId` (the first receipt; `receiptIds` lists them all for a sum); every
 *   linked receipt carries `link` (with `transactionIds` / `receiptIds` for a sum).
 * - A refund linked to its purchase: `refundOf` on the refund; `refundedMinor` + `refundIds` on the purchase, written
 *   under an optimistic condition on the refunded amount read, so partial refunds never exceed the purchase.
 * - A lost-receipt declaration (`lostReceipt` on the transaction) is made only on a charge that `waitsForReceipt` and
 *   has none pending or accepted; a link withdraws one still pending in its own write (`linkTransactionUpdate`), and
 *   so does the refund that makes its purchase refunded in full (`refundUpdate`); finance decides only one pending on
 *   a charge without a receipt, not refunded in full.
 */
const txKey = (companyId: string, id: string) => ({ pk: `C#${companyId}#CARDTX#${id}`, sk: 'TX' });

/**
 * The missing-receipt index keys of a charge still waiting for its receipt: the company's list (gsi2) and the
 * employee's (gsi3), both by posting time (`postedAt` as stored: the authorization time when not posted).
 */
const missingKeys = (companyId: string, employeeId: string, postedAt: string, id: string) => ({
  gsi2pk: `C#${companyId}#MISSING`,
  gsi2sk: `${postedAt}#${id}`,
  ...keys.missingReceiptsByEmployee(companyId, employeeId, postedAt, id),
});
/** `missingKeys` as the values of an update that puts a charge back as missing (`SET_MISSING`). */
const missingValues = (companyId: string, employeeId: string, postedAt: string, id: string) => {
  const k = missingKeys(companyId, employeeId, postedAt, id);
  return { ':gpk': k.gsi2pk, ':gsk': k.gsi2sk, ':mpk': k.gsi3pk, ':msk': k.gsi3sk };
};
const SET_MISSING = 'gsi2pk = :gpk, gsi2sk = :gsk, gsi3pk = :mpk, gsi3sk = :msk';
const REMOVE_MISSING = 'gsi2pk, gsi2sk, gsi3pk, gsi3sk';
/**
 * What a retiring authorization slot leaves (its capture arrived or the authorization ended): every index. gsi1
 * and gsi4 (a candidate no more), and the missing keys, which a slot should never carry but an old unlink put on
 * some (`backfillSlotsOutOfMissing` cleans those already written).
 */
const RETIRED_SLOT_REMOVES = `gsi1pk, gsi1sk, gsi4pk, gsi4sk, ${REMOVE_MISSING}`;

const toTransaction = (item: Record<string, unknown>): OnlineTransaction => ({
  companyId: String(item.companyId),
  id: String(item.id),
  employeeId: String(item.employeeId),
  merchantName: String(item.merchantName ?? ''),
  mcc: String(item.mcc ?? ''),
  amount: money(BigInt(String(item.amountMinor)), String(item.currency)),
  merchantAmount:
    item.merchantAmountMinor !== undefined
      ? money(BigInt(String(item.merchantAmountMinor)), String(item.merchantCurrency))
      : null,
  authorizedAt: String(item.authorizedAt),
  postedAt: (item.postedAt as string | undefined) ?? null,
  cardLast4: (item.cardLast4 as string | undefined) ?? null,
  receiptId: (item.receiptId as string | undefined) ?? null,
  ...(item.lostReceipt ? { lostReceipt: item.lostReceipt as LostReceiptDeclaration } : {}),
  ...(item.refundOf ? { refundOf: item.refundOf as RefundOfLink } : {}),
  ...(item.refundedMinor !== undefined
    ? { refundedMinor: BigInt(String(item.refundedMinor)), refundIds: (item.refundIds as string[] | undefined) ?? [] }
    : {}),
  ...(item.pending === true ? { pending: true as const } : {}),
  ...(item.capturedBy ? { capturedBy: String(item.capturedBy) } : {}),
  ...(item.authorizationId ? { authorizationId: String(item.authorizationId) } : {}),
});

/** The open-charges index values of an update (`:opk`, `:osk`), for a charge whose receipt link is removed. */
const openTxValues = (companyId: string, employeeId: string, authorizedAt: string, id: string) => {
  const k = keys.openTransactionsByEmployee(companyId, employeeId, authorizedAt, id);
  return { ':opk': k.gsi4pk, ':osk': k.gsi4sk };
};

/**
 * Whether a stored card transaction without its receipt waits for one, so carries the missing keys (gsi2, gsi3):
 * money that moved (a positive amount, not an authorization's receipt slot, pending or retired), not refunded in
 * full (`refundedInFull`), and no accepted lost-receipt declaration. `recordTransaction` follows the same rule (a
 * new charge has no refund yet); every write that opens a charge again asks it, and `linkRefund` removes the keys
 * with the refund that makes it full.
 */
const waitsForReceipt = (item: Record<string, unknown>): boolean => {
  const amountMinor = BigInt(String(item.amountMinor ?? '0'));
  return (
    amountMinor > 0n &&
    !refundedInFull(amountMinor, BigInt(String(item.refundedMinor ?? '0'))) &&
    item.pending !== true &&
    !item.capturedBy &&
    (item.lostReceipt as LostReceiptDeclaration | undefined)?.status !== 'ACCEPTED'
  );
};

/**
 * The update of a stored card transaction whose receipt link is removed (one link or a sum): open again (gsi4)
 * unless it is a retired slot, back in the missing lists only if it `waitsForReceipt` (never a slot, a refund, an
 * accepted lost receipt, a purchase refunded in full; any missing keys it should not carry are removed). Conditioned
 * on what decided it: a slot retired, a lost receipt accepted or a refund linked meanwhile fails the write, which is
 * then read and decided again.
 */
const reopenTransaction = (table: string, companyId: string, item: Record<string, unknown>) => {
  const id = String(item.id);
  const employeeId = String(item.employeeId);
  const authorizedAt = String(item.authorizedAt);
  const open = !item.capturedBy;
  const missing = waitsForReceipt(item);
  const set = [...(missing ? [SET_MISSING] : []), ...(open ? ['gsi4pk = :opk, gsi4sk = :osk'] : [])];
  const values = {
    ...(missing ? missingValues(companyId, employeeId, String(item.postedAt ?? authorizedAt), id) : {}),
    ...(open ? openTxValues(companyId, employeeId, authorizedAt, id) : {}),
    ...(missing ? { ':accepted': 'ACCEPTED' } : {}),
    ...(missing && item.refundedMinor !== undefined ? { ':refunded': item.refundedMinor } : {}),
  };
  return {
    TableName: table,
    Key: txKey(companyId, id),
    UpdateExpression: `REMOVE receiptId, receiptIds${missing ? '' : `, ${REMOVE_MISSING}`}${open ? '' : ', gsi4pk, gsi4sk'}${set.length > 0 ? ` SET ${set.join(', ')}` : ''}`,
    ConditionExpression: [
      'attribute_exists(pk)',
      ...(open ? ['attribute_not_exists(capturedBy)'] : []),
      ...(missing ? ['(attribute_not_exists(lostReceipt) OR lostReceipt.#lost <> :accepted)'] : []),
      // Waiting was decided on the refunded amount read (refunds only add up: linkRefund).
      ...(missing
        ? [item.refundedMinor === undefined ? 'attribute_not_exists(refundedMinor)' : 'refundedMinor = :refunded']
        : []),
    ].join(' AND '),
    ...(missing ? { ExpressionAttributeNames: { '#lost': 'status' } } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
};

/** The lost-receipt declarations pending on the charges a link takes, by transaction id (the link withdraws them). */
type PendingLost = ReadonlyMap<string, LostReceiptDeclaration>;

/** The declarations still pending on transactions as read. */
const pendingLostOf = (txs: readonly { id?: unknown; lostReceipt?: unknown }[]): PendingLost =>
  new Map(
    txs.flatMap((t) => {
      const d = t.lostReceipt as LostReceiptDeclaration | undefined;
      return d?.status === 'PENDING' ? [[String(t.id), d] as const] : [];
    }),
  );

/** Whether two reads found the same declarations pending (by transaction, the same declaration: its `at`). */
const samePendingLost = (a: PendingLost, b: PendingLost) =>
  a.size === b.size && [...a].every(([id, d]) => b.get(id)?.at === d.at);

/**
 * The update of a card transaction taking its receipt(s) (a link, a sum, a receipt following its authorization to
 * the capture): `receiptId` (+ `receiptIds` for several receipts), out of the missing lists and the open charges,
 * only if it exists, is unlinked and is no retired authorization slot. A lost-receipt declaration pending on it is
 * withdrawn in the same write: the receipt turned up, so it no longer waits for finance's decision (WITHDRAWN, by
 * whoever linked, when; the reason names the receipts). An accepted or refused one is left as it is (history).
 * Conditioned on the declaration read (the one pending, by its `at`; or none pending): a declaration made or decided
 * meanwhile fails the write, which `writeLinking` reads and writes again.
 */
const linkTransactionUpdate = (
  table: string,
  companyId: string,
  txId: string,
  receiptIds: readonly string[],
  decided: { by: string; at: string },
  pendingLost: LostReceiptDeclaration | undefined,
) => {
  const withdrawn: LostReceiptDeclaration | undefined = pendingLost && {
    ...pendingLost,
    status: 'WITHDRAWN',
    decidedBy: decided.by,
    decidedAt: decided.at,
    reason: `${receiptIds.length > 1 ? 'receipts' : 'receipt'} ${receiptIds.join(', ')} linked`,
  };
  const set = [
    'receiptId = :rid',
    ...(receiptIds.length > 1 ? ['receiptIds = :rids'] : []),
    ...(withdrawn ? ['lostReceipt = :lost'] : []),
  ];
  return {
    TableName: table,
    Key: txKey(companyId, txId),
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${REMOVE_MISSING}, gsi4pk, gsi4sk`,
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(receiptId) AND attribute_not_exists(capturedBy) AND ${
      withdrawn
        ? 'lostReceipt.#lost = :pending AND lostReceipt.#lostAt = :lostAt'
        : '(attribute_not_exists(lostReceipt) OR lostReceipt.#lost <> :pending)'
    }`,
    ExpressionAttributeNames: { '#lost': 'status', ...(withdrawn ? { '#lostAt': 'at' } : {}) },
    ExpressionAttributeValues: {
      ':rid': receiptIds[0],
      ':pending': 'PENDING',
      ...(receiptIds.length > 1 ? { ':rids': receiptIds } : {}),
      ...(withdrawn ? { ':lost': withdrawn, ':lostAt': withdrawn.at } : {}),
    },
  };
};

/**
 * The update of a purchase taking a refund (`linkRefund`): the refunded amount and the refund's id, conditioned on
 * the refunded amount read (refunds of one purchase never exceed it). The refund that makes it full (`full`) takes
 * it out of the missing lists and withdraws a lost-receipt declaration pending on it: no receipt is needed any more,
 * so finance has nothing to decide (WITHDRAWN, by the refund link's `by`, at its `at`; the reason names the refund).
 * An accepted or refused one is left as it is (history). Conditioned then on the declaration read (the one pending,
 * by its `at`; or none pending): a declaration made or decided meanwhile fails the write.
 */
const refundUpdate = (
  table: string,
  companyId: string,
  purchaseId: string,
  refundId: string,
  seen: bigint,
  back: bigint,
  full: boolean,
  decided: { by: string; at: string },
  pendingLost: LostReceiptDeclaration | undefined,
) => {
  const withdrawn: LostReceiptDeclaration | undefined =
    full && pendingLost
      ? {
          ...pendingLost,
          status: 'WITHDRAWN',
          decidedBy: decided.by,
          decidedAt: decided.at,
          reason: `refunded in full by ${refundId}`,
        }
      : undefined;
  return {
    TableName: table,
    Key: txKey(companyId, purchaseId),
    UpdateExpression: `SET refundedMinor = :next, refundIds = list_append(if_not_exists(refundIds, :empty), :rid)${
      withdrawn ? ', lostReceipt = :lost' : ''
    }${full ? ` REMOVE ${REMOVE_MISSING}` : ''}`,
    ConditionExpression: [
      'attribute_exists(pk)',
      seen === 0n ? 'attribute_not_exists(refundedMinor)' : 'refundedMinor = :seen',
      ...(full
        ? [
            withdrawn
              ? 'lostReceipt.#lost = :pending AND lostReceipt.#lostAt = :lostAt'
              : '(attribute_not_exists(lostReceipt) OR lostReceipt.#lost <> :pending)',
          ]
        : []),
    ].join(' AND '),
    ...(full ? { ExpressionAttributeNames: { '#lost': 'status', ...(withdrawn ? { '#lostAt': 'at' } : {}) } } : {}),
    ExpressionAttributeValues: {
      ':next': (seen + back).toString(),
      ':empty': [],
      ':rid': [refundId],
      ...(seen === 0n ? {} : { ':seen': seen.toString() }),
      ...(full ? { ':pending': 'PENDING' } : {}),
      ...(withdrawn ? { ':lost': withdrawn, ':lostAt': withdrawn.at } : {}),
    },
  };
};

/** A refund waiting for its purchase (one small partition per employee, usually empty). */
const waitingRefundKey = (companyId: string, employeeId: string, refundId: string) => ({
  pk: `C#${companyId}#EMP#${employeeId}#REFUNDWAIT`,
  sk: refundId,
});

/** Retries a transaction that conflicted with a concurrent write (not a decision); false on a failed condition. */
const writeOnce = async (write: () => Promise<unknown>): Promise<boolean> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      if (!transactionConflict(error) || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 10)));
    }
  }
};

/** Only what the matcher reads of a receipt (receipts carry their whole extraction: line items, confidences…). */
const RECEIPT_PROJECTION = {
  ProjectionExpression: '#id, #co, #emp, #x.#vendor, #x.#date, #x.#total, #x.#cur, #x.#last4, #link, #refused',
  ExpressionAttributeNames: {
    '#link': 'link',
    '#id': 'id',
    '#co': 'companyId',
    '#emp': 'employeeId',
    '#x': 'extraction',
    '#vendor': 'vendor',
    '#date': 'date',
    '#total': 'total',
    '#cur': 'currency',
    '#last4': 'cardLast4',
    '#refused': 'refusedTransactionIds',
  },
};

/** The matcher's view of a stored receipt; null until it has a date and a total. */
const toReceipt = (item: Record<string, unknown>): OnlineReceipt | null => {
  const r = stripKeys<Receipt & { link?: MatchLink; refusedTransactionIds?: string[] }>(item);
  const x = r.extraction;
  if (!x?.date || !x.total) return null;
  let total: ReturnType<typeof parseMoney>;
  try {
    total = parseMoney(x.total, x.currency && x.currency !== 'XXX' ? x.currency : 'EUR');
  } catch {
    return null;
  }
  return {
    companyId: r.companyId,
    id: r.id,
    employeeId: r.employeeId,
    vendor: x.vendor ?? '',
    date: x.date,
    total,
    cardLast4: x.cardLast4 ?? null,
    link: r.link ?? null,
    refusedTransactionIds: r.refusedTransactionIds ?? [],
  };
};

const cancellationCodes = (error: unknown): string[] =>
  (error as Error).name === 'TransactionCanceledException'
    ? ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? 'None')
    : [];
/** A failed condition, of a transaction or of a single conditional write. */
const conditionFailed = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException' ||
  cancellationCodes(error).includes('ConditionalCheckFailed');
const transactionConflict = (error: unknown) => cancellationCodes(error).includes('TransactionConflict');

/**
 * A refund waits this long for its purchase (events arrive out of order, processors retry for 3 days, backfills
 * come later): past it the purchase is taken to be older than Quittance or on another card, and the refund stays a
 * lone card transaction. The wait item then expires (the table's TTL; filtered on read until DynamoDB removes it),
 * so an employee's purchases never keep looking for refunds that will not match.
 */
export const REFUND_WAIT_DAYS = 30;

export const makeDynamoMatchStore = (
  ddb: DynamoDBDocumentClient,
  table: string,
  clock: { now: () => Date } = { now: () => new Date() },
): MatchStore => {
  /**
   * A retired slot written before the slot itself (its capture or its end came first: events are not ordered), so
   * the late decision never opens one. A whole transaction record (readers parse it), pending, outside every index.
   * false: the slot appeared meanwhile.
   */
  const placeTombstone = (
    companyId: string,
    slotId: string,
    t: {
      employeeId: string;
      merchantName: string;
      mcc: string;
      amount: Money;
      authorizedAt: string;
      cardLast4: string | null;
      retiredBy: string;
    },
  ) =>
    writeOnce(() =>
      ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...txKey(companyId, slotId),
            entity: 'AuthorizationSlot',
            companyId,
            id: slotId,
            employeeId: t.employeeId,
            merchantName: t.merchantName,
            mcc: t.mcc,
            amountMinor: t.amount.minor.toString(),
            currency: t.amount.currency,
            authorizedAt: t.authorizedAt,
            cardLast4: t.cardLast4,
            pending: true,
            capturedBy: t.retiredBy,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );

  /**
   * Writes a link whose transaction `items` builds from the declarations pending on its charges (withdrawn in the
   * same write: `linkTransactionUpdate`), first as the caller read them. A failed condition is usually a link made
   * first (false); it may also be a declaration made, decided or withdrawn since that read: the charges are read
   * again and, when what is pending on them changed, the link is written again with it.
   */
  const writeLinking = async (
    companyId: string,
    txIds: readonly string[],
    known: PendingLost,
    items: (pending: PendingLost) => NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<boolean> => {
    let pending = known;
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (await writeOnce(() => ddb.send(new TransactWriteCommand({ TransactItems: items(pending) })))) return true;
      const read = await Promise.all(
        txIds.map(
          async (id) =>
            (await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, id), ConsistentRead: true })))
              .Item,
        ),
      );
      // Linked meanwhile, retired or unknown: no declaration explains the failure.
      if (read.some((t) => !t || t.receiptId || t.capturedBy)) return false;
      const now = pendingLostOf(read as Record<string, unknown>[]);
      if (samePendingLost(pending, now)) return false; // the receipt side failed: linked meanwhile
      pending = now;
    }
    return false;
  };

  /**
   * Removes the link read on `receiptId` as it was made: one pair, or every receipt and transaction of a sum, each
   * pair remembered as refused and every charge opened again (`reopenTransaction`). false when a condition failed
   * (the link moved, a slot retired, a lost receipt was accepted meanwhile): read again.
   */
  const removeLink = async (companyId: string, receiptId: string, current: MatchLink): Promise<boolean> => {
    const receiptIds = current.receiptIds ?? [];
    const txIds = current.transactionIds ?? [current.transactionId];
    const txs = await Promise.all(
      txIds.map(
        async (id) =>
          (await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, id), ConsistentRead: true }))).Item,
      ),
    );
    const owners = receiptIds.length > 0 ? receiptIds : [receiptId];
    const removed = await writeOnce(() =>
      ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            ...owners.map((rid) => ({
              Update: {
                TableName: table,
                Key: keys.receipt(companyId, rid),
                UpdateExpression:
                  'REMOVE #link SET refusedTransactionIds = list_append(if_not_exists(refusedTransactionIds, :empty), :txs)',
                ConditionExpression: '#link.transactionId = :txid',
                ExpressionAttributeNames: { '#link': 'link' },
                ExpressionAttributeValues: { ':empty': [], ':txs': txIds, ':txid': current.transactionId },
              },
            })),
            // An unknown transaction (none should be) is left unwritten: an update would create it.
            ...txs.flatMap((t) => (t ? [{ Update: reopenTransaction(table, companyId, t) }] : [])),
          ],
        }),
      ),
    );
    if (removed) await Promise.all(owners.map((rid) => reopenReceipt(ddb, table, companyId, rid)));
    return removed;
  };

  return {
    async receipt(companyId, receiptId) {
      const res = await ddb.send(
        new GetCommand({
          TableName: table,
          Key: keys.receipt(companyId, receiptId),
          ConsistentRead: true,
          ...RECEIPT_PROJECTION,
        }),
      );
      return res.Item ? toReceipt(res.Item) : null;
    },

    async transaction(companyId, id) {
      const res = await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, id), ConsistentRead: true }));
      return res.Item ? toTransaction(res.Item) : null;
    },

    async transactionsNear(companyId, employeeId, from, to) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          // The open charges only (sparse index); the receipt link is checked again on what it returns.
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk BETWEEN :from AND :to',
          FilterExpression: 'attribute_not_exists(receiptId)',
          ExpressionAttributeValues: {
            ':pk': keys.openTransactionsByEmployee(companyId, employeeId, '', '').gsi4pk,
            ':from': from,
            ':to': `${to}~`,
          },
        }),
      );
      return (res.Items ?? []).map(toTransaction);
    },

    async transactionsOf(companyId, employeeId, from, to) {
      const items = await queryAll(ddb, {
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': `C#${companyId}#EMP#${employeeId}#CARDTX`,
          ':from': from,
          ':to': `${to}~`,
        },
      });
      return items.map(toTransaction);
    },

    async receiptsNear(companyId, employeeId, from, to) {
      const items = await queryAll(ddb, {
        TableName: table,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
        // The index holds open receipts only (months of linked ones stay out of the read); status and link are
        // checked again on what it returns.
        FilterExpression: '#status = :extracted AND attribute_not_exists(#link)',
        ...RECEIPT_PROJECTION,
        ExpressionAttributeNames: { ...RECEIPT_PROJECTION.ExpressionAttributeNames, '#status': 'status' },
        ExpressionAttributeValues: {
          ':pk': keys.openReceiptsByEmployee(companyId, employeeId, '', '').gsi3pk,
          ':from': from,
          ':to': `${to}~`,
          ':extracted': 'EXTRACTED',
        },
      });
      return items.flatMap((item) => toReceipt(item) ?? []);
    },

    async recordTransaction(tx) {
      const postedAt = tx.postedAt ?? tx.authorizedAt;
      // A receipt is missing for money that moved, not for an authorization slot.
      const missing = tx.amount.minor > 0n && !tx.pending;
      try {
        // One item (its missing-receipt and open-charges index keys included): a plain conditional put.
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...txKey(tx.companyId, tx.id),
              entity: 'CardTransaction',
              gsi1pk: `C#${tx.companyId}#EMP#${tx.employeeId}#CARDTX`,
              gsi1sk: `${tx.authorizedAt}#${tx.id}`,
              ...keys.openTransactionsByEmployee(tx.companyId, tx.employeeId, tx.authorizedAt, tx.id),
              ...(missing ? missingKeys(tx.companyId, tx.employeeId, postedAt, tx.id) : {}),
              ...(tx.pending ? { pending: true } : {}),
              ...(tx.authorizationId ? { authorizationId: tx.authorizationId } : {}),
              companyId: tx.companyId,
              id: tx.id,
              employeeId: tx.employeeId,
              merchantName: tx.merchantName,
              mcc: tx.mcc,
              amountMinor: tx.amount.minor.toString(),
              currency: tx.amount.currency,
              ...(tx.merchantAmount
                ? {
                    merchantAmountMinor: tx.merchantAmount.minor.toString(),
                    merchantCurrency: tx.merchantAmount.currency,
                  }
                : {}),
              authorizedAt: tx.authorizedAt,
              postedAt,
              cardLast4: tx.cardLast4,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (!conditionFailed(error)) throw error; // a failed condition: already recorded
        return false;
      }
    },

    async followAuthorization(companyId, slotId, capture, at, explain) {
      let slot: Record<string, unknown> | undefined;
      for (let attempt = 1; attempt <= 3 && !slot; attempt++) {
        slot = (
          await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, slotId), ConsistentRead: true }))
        ).Item;
        if (slot) break;
        // The capture came first (events are not ordered): a tombstone keeps the late authorization from ever
        // opening a slot. If the slot appeared meanwhile, read again.
        const placed = await placeTombstone(companyId, slotId, {
          employeeId: capture.employeeId,
          merchantName: capture.merchantName,
          mcc: capture.mcc,
          amount: capture.amount,
          authorizedAt: capture.authorizedAt,
          cardLast4: capture.cardLast4,
          retiredBy: capture.id,
        });
        if (placed) return null;
      }
      // A receipt may take the slot while we decide: every write is conditioned on what was read, and a failed
      // condition reads again (a few times at most).
      for (let attempt = 1; attempt <= 4; attempt++) {
        if (attempt > 1) {
          slot = (
            await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, slotId), ConsistentRead: true }))
          ).Item;
        }
        if (!slot || slot.capturedBy) return null;
        const receiptId = slot.receiptId as string | undefined;
        // Only a one-to-one slot link follows; a slot inside a sum just retires (the sum keeps its other parts).
        const receipt = receiptId
          ? (
              await ddb.send(
                new GetCommand({ TableName: table, Key: keys.receipt(companyId, receiptId), ConsistentRead: true }),
              )
            ).Item
          : undefined;
        const old = receipt?.link as MatchLink | undefined;
        const follows = receiptId && old?.transactionId === slotId && !old.transactionIds;
        const retire = {
          Update: {
            TableName: table,
            Key: txKey(companyId, slotId),
            UpdateExpression: `SET capturedBy = :cap REMOVE ${RETIRED_SLOT_REMOVES}${follows ? ', receiptId' : ''}`,
            ConditionExpression: follows
              ? 'receiptId = :rid AND attribute_not_exists(capturedBy)'
              : 'attribute_not_exists(receiptId) AND attribute_not_exists(capturedBy)',
            ExpressionAttributeValues: { ':cap': capture.id, ...(follows ? { ':rid': receiptId } : {}) },
          },
        };
        if (!follows || !old || !receiptId) {
          if (receiptId) return null; // the slot's receipt is in a sum: leave it (slots never join sums now)
          if (await writeOnce(() => ddb.send(new TransactWriteCommand({ TransactItems: [retire] })))) return null;
          continue;
        }
        const explanation = explain ? await explain(receiptId) : null;
        const link: MatchLink = {
          ...old,
          transactionId: capture.id,
          ...(explanation ? { score: explanation.score } : {}),
          reasons: [...(explanation?.reasons ?? old.reasons), 'followed its authorization to the capture'],
          at,
        };
        // A lost-receipt declaration pending on the capture is withdrawn by the receipt that follows (`link`'s rule).
        const moved = await writeLinking(companyId, [capture.id], pendingLostOf([capture]), (pending) => [
          retire,
          {
            Update: {
              TableName: table,
              Key: keys.receipt(companyId, receiptId),
              UpdateExpression: 'SET #link = :link',
              ConditionExpression: '#link.transactionId = :slot',
              ExpressionAttributeNames: { '#link': 'link' },
              ExpressionAttributeValues: { ':link': link, ':slot': slotId },
            },
          },
          { Update: linkTransactionUpdate(table, companyId, capture.id, [receiptId], link, pending.get(capture.id)) },
        ]);
        if (moved) return link;
      }
      return null;
    },

    async endSlot(companyId, slotId, ending) {
      for (let attempt = 1; attempt <= 4; attempt++) {
        const slot = (
          await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, slotId), ConsistentRead: true }))
        ).Item;
        const retired = `ended:${ending.status}`;
        if (!slot) {
          // The end came before the decision's slot: a tombstone keeps the late slot from ever opening.
          const placed = await placeTombstone(companyId, slotId, {
            employeeId: ending.employeeId,
            merchantName: '',
            mcc: '',
            amount: money(0n, 'XXX'),
            authorizedAt: ending.at,
            cardLast4: null,
            retiredBy: retired,
          });
          if (placed) return null;
          continue;
        }
        if (slot.capturedBy) return null; // captured (its receipt followed) or ended already
        const receiptId = slot.receiptId as string | undefined;
        const retire = {
          Update: {
            TableName: table,
            Key: txKey(companyId, slotId),
            UpdateExpression: `SET capturedBy = :cap REMOVE ${RETIRED_SLOT_REMOVES}${receiptId ? ', receiptId' : ''}`,
            ConditionExpression: receiptId
              ? 'receiptId = :rid AND attribute_not_exists(capturedBy)'
              : 'attribute_not_exists(receiptId) AND attribute_not_exists(capturedBy)',
            ExpressionAttributeValues: { ':cap': retired, ...(receiptId ? { ':rid': receiptId } : {}) },
          },
        };
        const release = receiptId
          ? [
              {
                Update: {
                  TableName: table,
                  Key: keys.receipt(companyId, receiptId),
                  UpdateExpression: 'REMOVE #link',
                  ConditionExpression: '#link.transactionId = :slot',
                  ExpressionAttributeNames: { '#link': 'link' },
                  ExpressionAttributeValues: { ':slot': slotId },
                },
              },
            ]
          : [];
        if (await writeOnce(() => ddb.send(new TransactWriteCommand({ TransactItems: [retire, ...release] })))) {
          if (receiptId) await reopenReceipt(ddb, table, companyId, receiptId);
          return receiptId ?? null;
        }
      }
      return null;
    },

    async link(companyId, receiptId, link) {
      // A failed condition: the receipt or the transaction is already linked (the other arrival order won), or one of
      // them does not exist (false); or a lost-receipt declaration changed since it was assumed (written again).
      return writeLinking(companyId, [link.transactionId], new Map(), (pending) => [
        {
          Update: {
            TableName: table,
            Key: keys.receipt(companyId, receiptId),
            UpdateExpression: 'SET #link = :link REMOVE suggestions, gsi3pk, gsi3sk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#link)',
            ExpressionAttributeNames: { '#link': 'link' },
            ExpressionAttributeValues: { ':link': link },
          },
        },
        {
          Update: linkTransactionUpdate(
            table,
            companyId,
            link.transactionId,
            [receiptId],
            link,
            pending.get(link.transactionId),
          ),
        },
      ]);
    },

    async linkGroup(companyId, group) {
      const [first] = group.transactions;
      const [firstReceipt] = group.receiptIds;
      if (!first || !firstReceipt) return false;
      const sum = group.shape !== 'one-to-one';
      const link: MatchLink = {
        transactionId: first.id,
        score: group.score,
        reasons: group.reasons,
        by: group.by,
        at: group.at,
        ...(sum ? { shape: group.shape } : {}),
        ...(group.transactions.length > 1 ? { transactionIds: group.transactions.map((t) => t.id) } : {}),
        ...(group.receiptIds.length > 1 ? { receiptIds: group.receiptIds } : {}),
      };
      const receipts = group.receiptIds.map((rid) => ({
        Update: {
          TableName: table,
          Key: keys.receipt(companyId, rid),
          UpdateExpression: 'SET #link = :link REMOVE suggestions, gsi3pk, gsi3sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#link)',
          ExpressionAttributeNames: { '#link': 'link' },
          ExpressionAttributeValues: { ':link': link },
        },
      }));
      // The declarations pending as the transactions were read are withdrawn with the link (read again if stale).
      return writeLinking(
        companyId,
        group.transactions.map((t) => t.id),
        pendingLostOf(group.transactions),
        (pending) => [
          ...receipts,
          ...group.transactions.map((t) => ({
            Update: linkTransactionUpdate(table, companyId, t.id, group.receiptIds, group, pending.get(t.id)),
          })),
        ],
      );
    },

    async noteWaitingRefund(refund) {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...waitingRefundKey(refund.companyId, refund.employeeId, refund.id),
            entity: 'WaitingRefund',
            transactionId: refund.id,
            expiresAt: Math.floor(clock.now().getTime() / 1000) + REFUND_WAIT_DAYS * 86_400,
          },
        }),
      );
    },

    async waitingRefunds(companyId, employeeId) {
      const ids = (
        await queryAll(ddb, {
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :now',
          ExpressionAttributeValues: {
            ':pk': waitingRefundKey(companyId, employeeId, '').pk,
            ':now': Math.floor(clock.now().getTime() / 1000),
          },
          ConsistentRead: true,
        })
      ).map((i) => String(i.transactionId));
      const found = await Promise.all(ids.map((id) => this.transaction(companyId, id)));
      return found.filter((t): t is OnlineTransaction => t !== null);
    },

    async linkRefund(companyId, refund, purchase, link) {
      const seen = purchase.refundedMinor ?? 0n;
      const back = -refund.amount.minor;
      if (back <= 0n || seen + back > purchase.amount.minor) return false;
      // The refund that makes it full takes the purchase out of the missing lists, in the same write (a no-op when
      // it had left them already: linked, lost receipt accepted). Nothing takes refunds back off a purchase, so
      // nothing puts it back; an unlink of its receipt asks `waitsForReceipt`, which says no.
      const full = refundedInFull(purchase.amount.minor, seen + back);
      // It also withdraws a lost-receipt declaration pending on the purchase (`refundUpdate`), conditioned on the one
      // read (or on none pending): a declaration made, decided or withdrawn meanwhile fails the write; the purchase
      // is then read again and, its refunded amount unchanged, the refund written again with what is pending now.
      let pending = purchase.lostReceipt?.status === 'PENDING' ? purchase.lostReceipt : undefined;
      for (let attempt = 1; attempt <= 3; attempt++) {
        const written = await writeOnce(() =>
          ddb.send(
            new TransactWriteCommand({
              TransactItems: [
                { Delete: { TableName: table, Key: waitingRefundKey(companyId, refund.employeeId, refund.id) } },
                {
                  Update: {
                    TableName: table,
                    Key: txKey(companyId, refund.id),
                    UpdateExpression: 'SET refundOf = :link',
                    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(refundOf)',
                    ExpressionAttributeValues: { ':link': link },
                  },
                },
                { Update: refundUpdate(table, companyId, purchase.id, refund.id, seen, back, full, link, pending) },
              ],
            }),
          ),
        );
        if (written || !full) return written;
        const read = (
          await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, purchase.id), ConsistentRead: true }))
        ).Item;
        // Gone, or refunded meanwhile (the caller reads again and decides again): no declaration explains it.
        if (!read || BigInt(String(read.refundedMinor ?? '0')) !== seen) return false;
        const now = pendingLostOf([read]).get(purchase.id);
        if (now?.at === pending?.at) return false; // the refund side failed: linked to a purchase already
        pending = now;
      }
      return false;
    },

    async unlink(companyId, receiptId, _by, _at) {
      for (let attempt = 1; ; attempt++) {
        const res = await ddb.send(
          new GetCommand({ TableName: table, Key: keys.receipt(companyId, receiptId), ConsistentRead: true }),
        );
        const current = res.Item?.link as MatchLink | undefined;
        if (!current) return null; // not linked (or unlinked meanwhile)
        if (await removeLink(companyId, receiptId, current)) return current;
        if (attempt >= 3) throw new ConcurrentUpdateError('the link kept changing while it was removed: try again');
      }
    },

    async suggest(companyId, receiptId, suggestions) {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.receipt(companyId, receiptId),
            UpdateExpression: 'SET suggestions = :s',
            // Linked meanwhile by the other arrival order: suggestions would be stale.
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#link)',
            ExpressionAttributeNames: { '#link': 'link' },
            ExpressionAttributeValues: { ':s': suggestions },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async declareLost(companyId, transactionId, declaration) {
      // The refunded amount is a decimal string, which a condition cannot compare with the amount: read, decide,
      // and write on the refunded amount read (refunds only add up: a refund linked meanwhile fails the write).
      const item = (
        await ddb.send(new GetCommand({ TableName: table, Key: txKey(companyId, transactionId), ConsistentRead: true }))
      ).Item;
      if (!item) return false; // unknown: never created by an update
      const refunded = item.refundedMinor as string | undefined;
      if (refundedInFull(BigInt(String(item.amountMinor ?? '0')), BigInt(refunded ?? '0'))) return false;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: txKey(companyId, transactionId),
            UpdateExpression: 'SET lostReceipt = :d',
            // Only on a charge waiting for its receipt, and not twice unless refused or withdrawn before. Never on an
            // authorization's receipt slot, pending or retired (captured, ended): the capture is the payment that
            // needs the receipt. Never on a refund, a zero amount or a purchase refunded in full (`waitsForReceipt`:
            // money that moved out and stayed out); amountMinor is the amount's decimal string, so a refund's begins
            // with "-", and the refunded amount is the one read (not full).
            ConditionExpression: [
              'attribute_exists(pk) AND attribute_not_exists(receiptId) AND attribute_not_exists(pending)',
              'attribute_not_exists(capturedBy) AND NOT begins_with(amountMinor, :minus) AND amountMinor <> :zero',
              refunded === undefined ? 'attribute_not_exists(refundedMinor)' : 'refundedMinor = :refunded',
              '(attribute_not_exists(lostReceipt) OR lostReceipt.#s IN (:refused, :withdrawn))',
            ].join(' AND '),
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':d': declaration,
              ':refused': 'REFUSED',
              ':withdrawn': 'WITHDRAWN',
              ':minus': '-',
              ':zero': '0',
              ...(refunded === undefined ? {} : { ':refunded': refunded }),
            },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async decideLost(companyId, transactionId, decision) {
      const res = await ddb.send(
        new GetCommand({ TableName: table, Key: txKey(companyId, transactionId), ConsistentRead: true }),
      );
      const current = res.Item?.lostReceipt as LostReceiptDeclaration | undefined;
      if (!res.Item || current?.status !== 'PENDING') return null;
      // A receipt is linked (a declaration left pending by a link made before links withdrew them): nothing to decide.
      if (res.Item.receiptId) return null;
      // Refunded in full (left pending by a refund linked before refunds withdrew them): no receipt is needed. Refunds
      // only add up, so what was read holds; one making it full meanwhile withdraws the declaration, failing the write.
      if (refundedInFull(BigInt(String(res.Item.amountMinor ?? '0')), BigInt(String(res.Item.refundedMinor ?? '0')))) {
        return null;
      }
      const next: LostReceiptDeclaration = {
        ...current,
        status: decision.accepted ? 'ACCEPTED' : 'REFUSED',
        decidedBy: decision.by,
        decidedAt: decision.at,
        reason: decision.reason,
      };
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: txKey(companyId, transactionId),
            // Accepted: the declaration stands for the receipt; the payment no longer waits for one (out of both
            // missing-receipt indexes, so out of the card lock too).
            UpdateExpression: decision.accepted
              ? `SET lostReceipt = :d REMOVE ${REMOVE_MISSING}`
              : 'SET lostReceipt = :d',
            // The declaration read, still pending: not one decided or withdrawn by a link or a refund meanwhile, nor
            // a new one made after a refusal; and no receipt linked.
            ConditionExpression:
              'lostReceipt.#s = :pending AND lostReceipt.#at = :at AND attribute_not_exists(receiptId)',
            ExpressionAttributeNames: { '#s': 'status', '#at': 'at' },
            ExpressionAttributeValues: { ':d': next, ':pending': 'PENDING', ':at': current.at },
          }),
        );
      } catch (error) {
        // Decided meanwhile by someone else: nothing pending any more for this decision.
        if (conditionFailed(error)) return null;
        throw error;
      }
      return next;
    },
  };
};
