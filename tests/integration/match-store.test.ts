import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeDynamoCardDirectory } from '../../shared/adapters/dynamodb/cards.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeDynamoMatchStore, REFUND_WAIT_DAYS } from '../../shared/adapters/dynamodb/match-store.ts';
import {
  backfillMissingReceiptsIndex,
  backfillOpenItems,
  backfillRefundedInFull,
  backfillSlotsOutOfMissing,
} from '../../shared/adapters/dynamodb/open-items.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { parseMoney } from '../../shared/domain/money.ts';
import type { Receipt } from '../../shared/domain/receipts/receipt.ts';
import type { GroupLink, MatchStore, OnlineTransaction } from '../../shared/ports/match-store.ts';

/**
 * The DynamoDB match store's conditional writes against the local cloud's DynamoDB Local: sums are linked all or
 * nothing, never twice, under concurrent writers; unlinking a sum restores every charge as missing; refunds of one
 * purchase never exceed it, even when written concurrently from the same read.
 */
let doc: DynamoDBDocumentClient;
let table = '';
let store: MatchStore;

beforeAll(async () => {
  const info = (await (await fetch(`${inject('apiUrl')}/_local/info`)).json()) as {
    endpoints: { dynamodb: string };
    env: Record<string, string>;
  };
  table = info.env.TABLE_MAIN as string;
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.endpoints.dynamodb,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  store = makeDynamoMatchStore(doc, table);
});

const company = () => `co_${randomUUID().slice(0, 8)}`;

const charge = (companyId: string, id: string, amount: string, day = '2026-05-05'): OnlineTransaction => ({
  companyId,
  id,
  employeeId: 'u1',
  merchantName: 'AMZN Mktp FR',
  mcc: '5942',
  amount: parseMoney(amount, 'EUR'),
  merchantAmount: null,
  authorizedAt: `${day}T10:00:00.000Z`,
  postedAt: `${day}T18:00:00.000Z`,
  cardLast4: '4242',
  receiptId: null,
});

const putReceipt = (companyId: string, id: string) =>
  doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...keys.receipt(companyId, id),
        ...keys.receiptsByEmployee(companyId, 'u1', '2026-05-05T08:00:00.000Z', id),
        entity: 'Receipt',
        companyId,
        id,
        employeeId: 'u1',
        status: 'EXTRACTED',
        receivedAt: '2026-05-05T08:00:00.000Z',
        extraction: { vendor: 'Amazon', date: '2026-05-04', total: '90.00', currency: 'EUR', taxes: [] },
      },
    }),
  );

/** The employee's charges still missing their receipt (gsi3 on card transactions: what the card lock reads). */
const missingOf = async (companyId: string, employeeId = 'u1') =>
  (
    await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.missingReceiptsByEmployee(companyId, employeeId, '', '').gsi3pk },
      }),
    )
  ).Items?.map((i) => String(i.id)) ?? [];

/** The stored card transaction item (its index keys included). */
const rawTx = async (companyId: string, id: string) =>
  (
    await doc.send(
      new GetCommand({ TableName: table, Key: { pk: `C#${companyId}#CARDTX#${id}`, sk: 'TX' }, ConsistentRead: true }),
    )
  ).Item;

const group = (receiptIds: string[], transactions: OnlineTransaction[]): GroupLink => ({
  shape: receiptIds.length > 1 ? 'many-to-transaction' : transactions.length > 1 ? 'receipt-to-many' : 'one-to-one',
  receiptIds,
  transactions,
  score: 0.9,
  reasons: ['test'],
  by: 'auto',
  at: '2026-05-10T00:00:00.000Z',
});

describe('DynamoDB match store: sums under concurrency', () => {
  it('overlapping sums written at once: the winners are disjoint and every item agrees with its link', async () => {
    const co = company();
    const txs = ['a', 'b', 'c', 'd'].map((id) => charge(co, id, '45.00'));
    for (const t of txs) await store.recordTransaction(t);
    for (const r of ['r1', 'r2', 'r3']) await putReceipt(co, r);
    const [a, b, c, d] = txs as [OnlineTransaction, OnlineTransaction, OnlineTransaction, OnlineTransaction];
    const attempts = [
      group(['r1'], [a, b]),
      group(['r1'], [a, c]),
      group(['r1'], [b, c]),
      group(['r2'], [b, d]),
      group(['r2', 'r3'], [c]),
      group(['r3'], [d]),
      group(['r1'], [c, d]),
      group(['r2'], [a]),
    ];
    const results = await Promise.all(attempts.map((g) => store.linkGroup(co, g)));
    const won = attempts.filter((_, i) => results[i]);
    expect(won.length).toBeGreaterThan(0);
    // No receipt and no transaction in two winning decisions.
    const rs = won.flatMap((g) => g.receiptIds);
    const ts = won.flatMap((g) => g.transactions.map((t) => t.id));
    expect(new Set(rs).size).toBe(rs.length);
    expect(new Set(ts).size).toBe(ts.length);
    // Both sides of every winner written, out of the missing-receipt index; every loser left nothing behind.
    const missing = await missingOf(co);
    for (const g of won) {
      for (const rid of g.receiptIds) {
        const r = await store.receipt(co, rid);
        expect(r?.link?.transactionId).toBe(g.transactions[0]?.id);
        if (g.transactions.length > 1) expect(r?.link?.transactionIds).toEqual(g.transactions.map((t) => t.id));
      }
      for (const t of g.transactions) {
        expect((await store.transaction(co, t.id))?.receiptId).toBe(g.receiptIds[0]);
        expect(missing).not.toContain(t.id);
      }
    }
    for (const t of txs.filter((x) => !ts.includes(x.id))) {
      expect((await store.transaction(co, t.id))?.receiptId).toBeNull();
      expect(missing).toContain(t.id);
    }
  });

  it('unlinking a sum restores every charge as missing and refuses every pair', async () => {
    const co = company();
    const a = charge(co, 'a', '30.00');
    const b = charge(co, 'b', '60.00', '2026-05-08');
    await store.recordTransaction(a);
    await store.recordTransaction(b);
    await putReceipt(co, 'r');
    expect(await store.linkGroup(co, group(['r'], [a, b]))).toBe(true);
    expect(await store.transactionsNear(co, 'u1', '2026-05-01', '2026-05-31')).toEqual([]);
    const removed = await store.unlink(co, 'r', 'user:u9', '2026-05-11T00:00:00.000Z');
    expect(removed?.transactionIds).toEqual(['a', 'b']);
    const r = await store.receipt(co, 'r');
    expect(r?.link).toBeNull();
    expect(r?.refusedTransactionIds).toEqual(['a', 'b']);
    expect((await store.transactionsNear(co, 'u1', '2026-05-01', '2026-05-31')).map((t) => t.id).sort()).toEqual([
      'a',
      'b',
    ]);
    expect(await missingOf(co)).toEqual(['a', 'b']);
  });
});

describe('DynamoDB match store: refunds', () => {
  it('refunds written at once from the same read: one wins; re-read, they stop at the purchase amount', async () => {
    const co = company();
    const purchase = charge(co, 'buy', '100.00');
    await store.recordTransaction(purchase);
    const refunds = [1, 2, 3, 4, 5].map((i) => charge(co, `rf${i}`, '-30.00', '2026-05-20'));
    for (const r of refunds) await store.recordTransaction(r);
    const link = { transactionId: 'buy', score: 0.9, reasons: ['test'], by: 'auto', at: '2026-05-21T00:00:00.000Z' };
    const first = await Promise.all(refunds.map((r) => store.linkRefund(co, r, purchase, link)));
    expect(first.filter(Boolean)).toHaveLength(1);
    let linked = 1;
    for (const [i, r] of refunds.entries()) {
      if (first[i]) continue;
      const fresh = (await store.transaction(co, 'buy')) as OnlineTransaction;
      if (await store.linkRefund(co, r, fresh, link)) linked++;
    }
    expect(linked).toBe(3);
    const p = await store.transaction(co, 'buy');
    expect(p?.refundedMinor).toBe(9_000n);
    expect(p?.refundIds).toHaveLength(3);
    expect((await store.transaction(co, 'rf1'))?.refundOf?.transactionId ?? 'none').toMatch(/buy|none/);
  });
});

describe('DynamoDB match store: a purchase refunded in full waits for no receipt', () => {
  /** The company's payments missing their receipt (gsi2: finance's list and the reminders). */
  const companyMissing = async (companyId: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `C#${companyId}#MISSING` },
        }),
      )
    ).Items?.map((i) => String(i.id)) ?? [];
  const oldestMissing = async (companyId: string) =>
    (
      await makeDynamoCardDirectory(doc, table, { routesMs: 0, holdersMs: 0 }).cardholderState(
        companyId,
        'u1',
        new Date(),
      )
    ).oldestMissingReceiptSince;
  const refundLink = (purchaseId: string) => ({
    transactionId: purchaseId,
    score: 0.9,
    reasons: ['test'],
    by: 'auto',
    at: '2026-05-21T00:00:00.000Z',
  });
  const refundOnce = async (companyId: string, refund: OnlineTransaction, purchaseId: string) => {
    await store.recordTransaction(refund);
    const purchase = (await store.transaction(companyId, purchaseId)) as OnlineTransaction;
    expect(await store.linkRefund(companyId, refund, purchase, refundLink(purchaseId))).toBe(true);
  };
  const expectMissing = async (companyId: string, ids: string[]) => {
    expect((await companyMissing(companyId)).sort()).toEqual([...ids].sort());
    expect((await missingOf(companyId)).sort()).toEqual([...ids].sort());
  };

  it('a partial refund still waits; refunds adding up to the amount take it out of both lists and the card lock', async () => {
    const co = company();
    const buy = charge(co, 'buy', '100.00', '2026-05-02');
    const other = charge(co, 'other', '10.00', '2026-05-06');
    for (const t of [buy, other]) await store.recordTransaction(t);
    await expectMissing(co, ['buy', 'other']);
    expect(await oldestMissing(co)).toBe(buy.postedAt);

    await refundOnce(co, charge(co, 'rf1', '-40.00', '2026-05-10'), 'buy');
    await expectMissing(co, ['buy', 'other']); // 40 of 100 back: the receipt is still asked for
    expect(await oldestMissing(co)).toBe(buy.postedAt);

    await refundOnce(co, charge(co, 'rf2', '-60.00', '2026-05-11'), 'buy');
    expect((await store.transaction(co, 'buy'))?.refundedMinor).toBe(10_000n);
    await expectMissing(co, ['other']);
    const item = await rawTx(co, 'buy');
    for (const k of ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk']) expect(item).not.toHaveProperty(k);
    expect(item).toHaveProperty('gsi4pk'); // still an open charge: a receipt may still come and be linked
    expect(await oldestMissing(co)).toBe(other.postedAt);
  });

  it('one refund of the whole amount takes it out; unlinking a receipt later does not put it back', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '90.00'));
    await store.recordTransaction(charge(co, 'kept', '90.00'));
    await putReceipt(co, 'r');
    const link = { transactionId: 'buy', score: 0.9, reasons: ['test'], by: 'user:u9', at: '2026-05-10T00:00:00.000Z' };
    expect(await store.link(co, 'r', link)).toBe(true);
    await expectMissing(co, ['kept']);

    // Refunded in full while its receipt is linked: nothing to remove, nothing changes.
    await refundOnce(co, charge(co, 'rf', '-90.00', '2026-05-12'), 'buy');
    await expectMissing(co, ['kept']);
    // The receipt unlinked: open again, but not missing (it cost nothing).
    await store.unlink(co, 'r', 'user:u9', '2026-05-13T00:00:00.000Z');
    expect((await store.transaction(co, 'buy'))?.receiptId).toBeNull();
    await expectMissing(co, ['kept']);
    expect(await oldestMissing(co)).toBe(charge(co, 'kept', '90.00').postedAt);

    // A purchase refunded in part goes back on unlink, with what it had not got back still waiting.
    await putReceipt(co, 'r2');
    expect(await store.link(co, 'r2', { ...link, transactionId: 'kept' })).toBe(true);
    await refundOnce(co, charge(co, 'rf2', '-30.00', '2026-05-12'), 'kept');
    await expectMissing(co, []);
    await store.unlink(co, 'r2', 'user:u9', '2026-05-13T00:00:00.000Z');
    await expectMissing(co, ['kept']);
  });

  it('a refund making it full, linked between the unlink’s read and its write, keeps it out (the unlink reads again)', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    await putReceipt(co, 'r');
    const link = { transactionId: 'buy', score: 0.9, reasons: ['test'], by: 'user:u9', at: '2026-05-10T00:00:00.000Z' };
    expect(await store.link(co, 'r', link)).toBe(true);
    const refund = charge(co, 'rf', '-50.00', '2026-05-12');
    await store.recordTransaction(refund);
    // The unlink's first transaction write is preceded by the refund's link (the purchase read before it).
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand && !raced) {
          raced = true;
          const purchase = (await store.transaction(co, 'buy')) as OnlineTransaction;
          expect(await store.linkRefund(co, refund, purchase, refundLink('buy'))).toBe(true);
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    expect(
      (await makeDynamoMatchStore(racing, table).unlink(co, 'r', 'user:u9', '2026-05-13T00:00:00.000Z'))?.transactionId,
    ).toBe('buy');
    expect(raced).toBe(true);
    expect((await store.transaction(co, 'buy'))?.receiptId).toBeNull();
    await expectMissing(co, []);
  });
});

describe('DynamoDB match store: an authorization that ends without a capture', () => {
  const slot = (companyId: string, id: string): OnlineTransaction => ({
    ...charge(companyId, id, '90.00'),
    postedAt: null,
    pending: true,
    authorizationId: id.replace('stripe:auth:', ''),
  });
  const ending = { status: 'expired', at: '2026-05-12T10:00:00.000Z', employeeId: 'u1' };

  it('frees the receipt that had taken the slot, retires the slot, and is idempotent', async () => {
    const co = company();
    const s = slot(co, 'stripe:auth:ia_1');
    expect(await store.recordTransaction(s)).toBe(true);
    await putReceipt(co, 'r');
    expect(await store.linkGroup(co, group(['r'], [s]))).toBe(true);
    expect(await store.endSlot(co, s.id, ending)).toBe('r');
    expect((await store.receipt(co, 'r'))?.link ?? null).toBeNull();
    expect((await store.receipt(co, 'r'))?.refusedTransactionIds).toEqual([]);
    expect(await store.transaction(co, s.id)).toMatchObject({ capturedBy: 'ended:expired', receiptId: null });
    expect(await store.linkGroup(co, group(['r'], [s]))).toBe(false); // an ended slot takes nothing
    expect(await store.endSlot(co, s.id, ending)).toBeNull();
    const near = await store.transactionsNear(co, 'u1', '2026-05-01T00:00:00.000Z', '2026-05-30T00:00:00.000Z');
    expect(near.map((t) => t.id)).not.toContain(s.id);
  });

  it('an end before the decision leaves a tombstone: the late slot is never opened', async () => {
    const co = company();
    expect(await store.endSlot(co, 'stripe:auth:ia_2', ending)).toBeNull();
    expect(await store.recordTransaction(slot(co, 'stripe:auth:ia_2'))).toBe(false);
    expect((await store.transaction(co, 'stripe:auth:ia_2'))?.capturedBy).toBe('ended:expired');
  });
});

describe('DynamoDB match store: refunds waiting for their purchase', () => {
  it('a noted refund is listed for its employee until linking it forgets it', async () => {
    const co = company();
    const refund = charge(co, 'rf', '-20.00', '2026-05-20');
    await store.recordTransaction(refund);
    await store.noteWaitingRefund(refund);
    await store.noteWaitingRefund(refund); // idempotent
    expect((await store.waitingRefunds(co, 'u1')).map((t) => t.id)).toEqual(['rf']);
    expect(await store.waitingRefunds(co, 'u2')).toEqual([]);
    const purchase = charge(co, 'buy', '50.00');
    await store.recordTransaction(purchase);
    const link = { transactionId: 'buy', score: 0.9, reasons: ['test'], by: 'auto', at: '2026-05-21T00:00:00.000Z' };
    expect(await store.linkRefund(co, refund, purchase, link)).toBe(true);
    expect(await store.waitingRefunds(co, 'u1')).toEqual([]);
  });

  it(`stops waiting after ${REFUND_WAIT_DAYS} days: the refund stays a lone transaction`, async () => {
    const co = company();
    let now = new Date('2026-05-20T12:00:00Z');
    const clocked = makeDynamoMatchStore(doc, table, { now: () => now });
    const refund = charge(co, 'rf_old', '-20.00', '2026-05-20');
    await clocked.recordTransaction(refund);
    await clocked.noteWaitingRefund(refund);
    now = new Date(now.getTime() + (REFUND_WAIT_DAYS - 1) * 86_400_000);
    expect((await clocked.waitingRefunds(co, 'u1')).map((t) => t.id)).toEqual(['rf_old']);
    now = new Date(now.getTime() + 2 * 86_400_000);
    expect(await clocked.waitingRefunds(co, 'u1')).toEqual([]);
    expect((await clocked.transaction(co, 'rf_old'))?.id).toBe('rf_old');
  });
});

describe('open-receipts index (what online matching reads for rival receipts)', () => {
  const receipt = (companyId: string, id: string): Receipt => ({
    companyId,
    id,
    employeeId: 'u1',
    status: 'RECEIVED',
    source: { channel: 'upload', uploadId: id, rawObject: { bucket: 'b', key: `k/${id}` } },
    document: { bucket: 'b', key: `d/${id}`, contentType: 'application/pdf', fileName: 'r.pdf', sha256: '0', size: 1 },
    receivedAt: '2026-05-05T08:00:00.000Z',
    updatedAt: '2026-05-05T08:00:00.000Z',
  });
  const history = (status: Receipt['status']) => ({ at: '2026-05-05T08:01:00.000Z', status, actor: 'test', note: '' });
  const near = async (companyId: string) =>
    (await store.receiptsNear(companyId, 'u1', '2026-04-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')).map(
      (r) => r.id,
    );
  const extraction = { vendor: 'Amazon', date: '2026-05-04', total: '90.00', currency: 'EUR', taxes: [] };
  const charges = async (companyId: string) =>
    (await store.transactionsNear(companyId, 'u1', '2026-04-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')).map(
      (t) => t.id,
    );

  it('holds a charge while it has no receipt; a sum undone puts every part back', async () => {
    const co = company();
    const [a, b] = [charge(co, 'a', '40.00'), charge(co, 'b', '50.00', '2026-05-06')];
    for (const t of [a, b]) await store.recordTransaction(t);
    await putReceipt(co, 'r-sum');
    expect(await store.linkGroup(co, group(['r-sum'], [a, b]))).toBe(true);
    expect(await charges(co)).toEqual([]);
    await store.unlink(co, 'r-sum', 'u_finance', '2026-05-10T00:00:00.000Z');
    expect(await charges(co)).toEqual(['a', 'b']);
  });

  it('holds a receipt while it is extracted and not linked: in on extraction, out on link, back on unlink', async () => {
    const co = company();
    const receipts = makeDynamoReceiptRepository(doc, table);
    await receipts.create(receipt(co, 'r1'), history('RECEIVED'));
    expect(await near(co)).toEqual([]);
    await receipts.transition(co, 'r1', {
      from: 'RECEIVED',
      to: 'EXTRACTED',
      patch: { extraction } as never,
      history: history('EXTRACTED'),
    });
    expect(await near(co)).toEqual(['r1']);
    const t = charge(co, 't1', '90.00');
    await store.recordTransaction(t);
    expect(await charges(co)).toEqual(['t1']);
    expect(await store.linkGroup(co, group(['r1'], [t]))).toBe(true);
    expect(await near(co)).toEqual([]);
    expect(await charges(co)).toEqual([]);
    const raw = await doc.send(new GetCommand({ TableName: table, Key: keys.receipt(co, 'r1'), ConsistentRead: true }));
    expect(raw.Item?.gsi3pk).toBeUndefined();
    await store.unlink(co, 'r1', 'u_finance', '2026-05-10T00:00:00.000Z');
    expect(await near(co)).toEqual(['r1']);
    expect(await charges(co)).toEqual(['t1']);
    // Sent back for another reading: not a candidate until it is extracted again.
    await receipts.transition(co, 'r1', { from: 'EXTRACTED', to: 'RECEIVED', patch: {}, history: history('RECEIVED') });
    expect(await near(co)).toEqual([]);
  });

  it('a data directory from before the index: the backfill marks its open receipts, once', async () => {
    const co = company();
    await putReceipt(co, 'old-open');
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.receipt(co, 'old-linked'),
          ...keys.receiptsByEmployee(co, 'u1', '2026-05-05T09:00:00.000Z', 'old-linked'),
          entity: 'Receipt',
          companyId: co,
          id: 'old-linked',
          employeeId: 'u1',
          status: 'EXTRACTED',
          receivedAt: '2026-05-05T09:00:00.000Z',
          link: { transactionId: 'tx', score: 1, reasons: [], by: 'auto', at: '2026-05-06T00:00:00.000Z' },
          extraction,
        },
      }),
    );
    // A charge stored before the open-charges index.
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `C#${co}#CARDTX#old-tx`,
          sk: 'TX',
          entity: 'CardTransaction',
          gsi1pk: `C#${co}#EMP#u1#CARDTX`,
          gsi1sk: '2026-05-04T10:00:00.000Z#old-tx',
          companyId: co,
          id: 'old-tx',
          employeeId: 'u1',
          merchantName: 'AMZN Mktp FR',
          mcc: '5942',
          amountMinor: '9000',
          currency: 'EUR',
          authorizedAt: '2026-05-04T10:00:00.000Z',
          postedAt: '2026-05-04T18:00:00.000Z',
          cardLast4: '4242',
        },
      }),
    );
    // The local cloud already ran the migrations at start: they run again only without their markers.
    const markers = ['open-receipts-index-v1', 'open-transactions-index-v1'].map((sk) => ({ pk: 'MIGRATIONS', sk }));
    for (const Key of markers) expect((await doc.send(new GetCommand({ TableName: table, Key }))).Item).toBeDefined();
    expect(await backfillOpenItems(doc, table)).toBe(0);
    expect(await near(co)).toEqual([]);
    expect(await charges(co)).toEqual([]);
    for (const Key of markers) await doc.send(new DeleteCommand({ TableName: table, Key }));
    expect(await backfillOpenItems(doc, table)).toBeGreaterThanOrEqual(2);
    expect(await near(co)).toEqual(['old-open']);
    expect(await charges(co)).toEqual(['old-tx']);
    expect(await backfillOpenItems(doc, table)).toBe(0);
  });
});

describe('missing-receipt index per employee (what the card lock reads)', () => {
  const oldestMissing = async (companyId: string) =>
    (
      await makeDynamoCardDirectory(doc, table, { routesMs: 0, holdersMs: 0 }).cardholderState(
        companyId,
        'u1',
        new Date(),
      )
    ).oldestMissingReceiptSince;

  it('mirrors the company list: out on link, back on unlink, out on an accepted lost receipt; the lock reads the oldest', async () => {
    const co = company();
    const old = charge(co, 'old', '20.00', '2026-05-02');
    const recent = charge(co, 'recent', '30.00', '2026-05-07');
    const refund = charge(co, 'refund', '-5.00', '2026-05-08');
    const slot: OnlineTransaction = { ...charge(co, 'slot', '40.00', '2026-05-01'), postedAt: null, pending: true };
    for (const t of [recent, old, refund, slot]) await store.recordTransaction(t);
    // Money that moved only: not the refund, not the authorization slot; oldest first.
    expect(await missingOf(co)).toEqual(['old', 'recent']);
    const item = await rawTx(co, 'old');
    expect(item).toMatchObject({
      gsi2pk: `C#${co}#MISSING`,
      gsi3pk: `C#${co}#EMP#u1#MISSING`,
      gsi3sk: `${old.postedAt}#old`,
    });
    expect(item?.gsi3sk).toBe(item?.gsi2sk);
    expect(await oldestMissing(co)).toBe(old.postedAt);
    // No marker item any more: the charge is the only record.
    const markers = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `C#${co}#EMP#u1#MISSING` },
        ConsistentRead: true,
      }),
    );
    expect(markers.Items).toEqual([]);

    await putReceipt(co, 'r');
    const link = { transactionId: 'old', score: 0.9, reasons: ['test'], by: 'user:u9', at: '2026-05-10T00:00:00.000Z' };
    expect(await store.link(co, 'r', link)).toBe(true);
    expect(await missingOf(co)).toEqual(['recent']);
    expect(await rawTx(co, 'old')).not.toHaveProperty('gsi2pk');
    expect(await rawTx(co, 'old')).not.toHaveProperty('gsi3pk');
    expect(await oldestMissing(co)).toBe(recent.postedAt);
    // A transaction that does not exist is not linked (and not created).
    await putReceipt(co, 'r2');
    expect(await store.link(co, 'r2', { ...link, transactionId: 'nope' })).toBe(false);
    expect(await rawTx(co, 'nope')).toBeUndefined();

    await store.unlink(co, 'r', 'user:u9', '2026-05-11T00:00:00.000Z');
    expect(await missingOf(co)).toEqual(['old', 'recent']);
    expect((await rawTx(co, 'old'))?.gsi3sk).toBe((await rawTx(co, 'old'))?.gsi2sk);
    expect(await oldestMissing(co)).toBe(old.postedAt);

    const declaration = { by: 'u1', at: '2026-05-12T00:00:00.000Z', description: 'lost', status: 'PENDING' as const };
    expect(await store.declareLost(co, 'old', declaration)).toBe(true);
    expect(
      await store.decideLost(co, 'old', { accepted: false, by: 'u_fin', at: declaration.at, reason: 'no' }),
    ).toMatchObject({ status: 'REFUSED' });
    expect(await missingOf(co)).toEqual(['old', 'recent']); // refused: still missing
    expect(await store.declareLost(co, 'old', declaration)).toBe(true);
    expect(
      await store.decideLost(co, 'old', { accepted: true, by: 'u_fin', at: declaration.at, reason: null }),
    ).toMatchObject({ status: 'ACCEPTED' });
    expect(await missingOf(co)).toEqual(['recent']);
    expect(await oldestMissing(co)).toBe(recent.postedAt);

    expect(await store.linkGroup(co, group(['r2'], [recent]))).toBe(true);
    expect(await missingOf(co)).toEqual([]);
    expect(await oldestMissing(co)).toBeNull();
  });

  it('a capture that takes its slot’s receipt leaves the index', async () => {
    const co = company();
    const slot: OnlineTransaction = {
      ...charge(co, 'stripe:auth:ia_9', '25.00'),
      postedAt: null,
      pending: true,
      authorizationId: 'ia_9',
    };
    expect(await store.recordTransaction(slot)).toBe(true);
    await putReceipt(co, 'r');
    expect(await store.linkGroup(co, group(['r'], [slot]))).toBe(true);
    const capture = charge(co, 'stripe:cap_9', '25.00', '2026-05-06');
    await store.recordTransaction(capture);
    expect(await missingOf(co)).toEqual([capture.id]);
    expect(await store.followAuthorization(co, slot.id, capture, '2026-05-06T20:00:00.000Z')).toMatchObject({
      transactionId: capture.id,
    });
    expect(await missingOf(co)).toEqual([]);
    expect(await oldestMissing(co)).toBeNull();
  });

  it('the backfill moves the old marker items to the index, once, and can run again', async () => {
    const co = company();
    // Stored by the version with marker items: a charge in the company's missing list (gsi2) and its marker…
    const oldTx = (id: string, day: string, extra: Record<string, unknown>) => ({
      pk: `C#${co}#CARDTX#${id}`,
      sk: 'TX',
      entity: 'CardTransaction',
      gsi1pk: `C#${co}#EMP#u1#CARDTX`,
      gsi1sk: `${day}T10:00:00.000Z#${id}`,
      companyId: co,
      id,
      employeeId: 'u1',
      merchantName: 'AMZN Mktp FR',
      mcc: '5942',
      amountMinor: '9000',
      currency: 'EUR',
      authorizedAt: `${day}T10:00:00.000Z`,
      postedAt: `${day}T18:00:00.000Z`,
      cardLast4: '4242',
      ...extra,
    });
    const missingTx = (id: string, day: string) =>
      oldTx(id, day, {
        gsi2pk: `C#${co}#MISSING`,
        gsi2sk: `${day}T18:00:00.000Z#${id}`,
        ...keys.openTransactionsByEmployee(co, 'u1', `${day}T10:00:00.000Z`, id),
      });
    const oldMarker = (id: string, day: string) => ({
      pk: `C#${co}#EMP#u1#MISSING`,
      sk: `${day}T18:00:00.000Z#${id}`,
      entity: 'MissingReceipt',
      transactionId: id,
      postedAt: `${day}T18:00:00.000Z`,
    });
    const items = [
      missingTx('m1', '2026-04-03'),
      oldMarker('m1', '2026-04-03'),
      missingTx('m2', '2026-04-09'),
      oldMarker('m2', '2026-04-09'),
      // …a linked charge whose marker was left behind (stale: it must not count)…
      oldTx('linked', '2026-04-01', { receiptId: 'r_old' }),
      oldMarker('linked', '2026-04-01'),
      // …and a missing charge whose marker is gone.
      missingTx('bare', '2026-04-05'),
    ];
    for (const Item of items) await doc.send(new PutCommand({ TableName: table, Item }));
    expect(await missingOf(co)).toEqual([]);
    expect(await oldestMissing(co)).toBeNull();

    // The local cloud ran it at start: again only without its record.
    const ran = { pk: 'MIGRATIONS', sk: 'missing-receipts-index-v1' };
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toBeDefined();
    expect(await backfillMissingReceiptsIndex(doc, table)).toBe(0);
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    // 3 markers deleted, 3 charges indexed (m1 and m2 may be counted through their marker or themselves).
    expect(await backfillMissingReceiptsIndex(doc, table)).toBeGreaterThanOrEqual(4);
    expect(await missingOf(co)).toEqual(['m1', 'bare', 'm2']);
    for (const id of ['m1', 'm2', 'bare']) expect((await rawTx(co, id))?.gsi3sk).toBe((await rawTx(co, id))?.gsi2sk);
    expect(await rawTx(co, 'linked')).not.toHaveProperty('gsi3pk');
    const markers = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `C#${co}#EMP#u1#MISSING` },
        ConsistentRead: true,
      }),
    );
    expect(markers.Items).toEqual([]);
    expect(await oldestMissing(co)).toBe('2026-04-03T18:00:00.000Z');
    // The migrated charges behave as new ones.
    await putReceipt(co, 'r');
    expect(await store.linkGroup(co, group(['r'], [(await store.transaction(co, 'm1')) as OnlineTransaction]))).toBe(
      true,
    );
    expect(await missingOf(co)).toEqual(['bare', 'm2']);

    // Recorded once; run again without its record, it finds nothing left to do.
    expect(await backfillMissingReceiptsIndex(doc, table)).toBe(0);
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    expect(await backfillMissingReceiptsIndex(doc, table)).toBe(0);
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toBeDefined();
    expect(await missingOf(co)).toEqual(['bare', 'm2']);
  });
});

describe('authorization slots never carry the missing keys (a slot waits for nothing: its capture does)', () => {
  const slotTx = (companyId: string, authId: string, amount = '40.00'): OnlineTransaction => ({
    ...charge(companyId, `stripe:auth:${authId}`, amount, '2026-05-04'),
    postedAt: null,
    pending: true,
    authorizationId: authId,
  });
  const captureOf = (slot: OnlineTransaction, id: string, amount = '40.00'): OnlineTransaction => ({
    ...charge(slot.companyId, id, amount, '2026-05-06'),
    authorizationId: slot.authorizationId as string,
  });
  const linkTo = (transactionId: string) => ({
    transactionId,
    score: 1,
    reasons: ['by hand'],
    by: 'user:u9',
    at: '2026-05-05T12:00:00.000Z',
  });
  /** The company's payments missing their receipt (gsi2: finance's list and the reminders). */
  const companyMissing = async (companyId: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `C#${companyId}#MISSING` },
        }),
      )
    ).Items?.map((i) => String(i.id)) ?? [];
  const oldestMissing = async (companyId: string) =>
    (
      await makeDynamoCardDirectory(doc, table, { routesMs: 0, holdersMs: 0 }).cardholderState(
        companyId,
        'u1',
        new Date(),
      )
    ).oldestMissingReceiptSince;
  const openCharges = async (companyId: string) =>
    (await store.transactionsNear(companyId, 'u1', '2026-04-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')).map(
      (t) => t.id,
    );
  const expectNoMissingKeys = async (companyId: string, id: string) => {
    const item = await rawTx(companyId, id);
    expect(item).toBeDefined();
    for (const k of ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk']) expect(item).not.toHaveProperty(k);
  };
  /** What the previous unlink left on a slot: the missing keys (a data directory from before the fix). */
  const stick = async (companyId: string, slot: OnlineTransaction) => {
    const k = {
      gsi2pk: `C#${companyId}#MISSING`,
      gsi2sk: `${slot.authorizedAt}#${slot.id}`,
      ...keys.missingReceiptsByEmployee(companyId, 'u1', slot.authorizedAt, slot.id),
    };
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `C#${companyId}#CARDTX#${slot.id}`, sk: 'TX' },
        UpdateExpression: 'SET gsi2pk = :a, gsi2sk = :b, gsi3pk = :c, gsi3sk = :d',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':a': k.gsi2pk, ':b': k.gsi2sk, ':c': k.gsi3pk, ':d': k.gsi3sk },
      }),
    );
    expect(await missingOf(companyId)).toContain(slot.id);
  };

  it('unlinking a receipt from a pending slot leaves the slot out of both lists; the capture that follows is missing, the retired slot carries no keys', async () => {
    const co = company();
    const slot = slotTx(co, 'ia_u1');
    expect(await store.recordTransaction(slot)).toBe(true);
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', linkTo(slot.id))).toBe(true);
    expect((await store.unlink(co, 'r', 'user:u9', '2026-05-05T13:00:00.000Z'))?.transactionId).toBe(slot.id);
    // Open again for a receipt (a candidate), but not a payment missing its receipt.
    expect(await openCharges(co)).toEqual([slot.id]);
    await expectNoMissingKeys(co, slot.id);
    expect(await missingOf(co)).toEqual([]);
    expect(await companyMissing(co)).toEqual([]);
    expect(await oldestMissing(co)).toBeNull();

    // The capture: no receipt in the slot to follow; the slot retires, out of every index; the capture is missing.
    const capture = captureOf(slot, 'stripe:cap_u1');
    expect(await store.recordTransaction(capture)).toBe(true);
    expect(await store.followAuthorization(co, slot.id, capture, '2026-05-06T20:00:00.000Z')).toBeNull();
    const retired = await rawTx(co, slot.id);
    expect(retired?.capturedBy).toBe(capture.id);
    for (const k of ['gsi1pk', 'gsi4pk', 'receiptId']) expect(retired).not.toHaveProperty(k);
    await expectNoMissingKeys(co, slot.id);
    expect(await missingOf(co)).toEqual([capture.id]);
    expect(await companyMissing(co)).toEqual([capture.id]);
    expect(await oldestMissing(co)).toBe(capture.postedAt);
    expect(await openCharges(co)).toEqual([capture.id]);

    // The receipt (refused for the slot only) then takes the capture: nothing missing any more.
    expect(await store.link(co, 'r', linkTo(capture.id))).toBe(true);
    expect(await missingOf(co)).toEqual([]);
    expect(await companyMissing(co)).toEqual([]);
    expect(await oldestMissing(co)).toBeNull();
  });

  it('an authorization that ends after an unlink leaves no missing slot behind', async () => {
    const co = company();
    const slot = slotTx(co, 'ia_u2');
    await store.recordTransaction(slot);
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', linkTo(slot.id))).toBe(true);
    await store.unlink(co, 'r', 'user:u9', '2026-05-05T13:00:00.000Z');
    await expectNoMissingKeys(co, slot.id);
    expect(
      await store.endSlot(co, slot.id, { status: 'expired', at: '2026-05-12T10:00:00.000Z', employeeId: 'u1' }),
    ).toBeNull();
    expect((await rawTx(co, slot.id))?.capturedBy).toBe('ended:expired');
    await expectNoMissingKeys(co, slot.id);
    expect(await missingOf(co)).toEqual([]);
    expect(await companyMissing(co)).toEqual([]);
  });

  it('retiring a slot that carries the missing keys (left by the old unlink) removes them, by capture or by end', async () => {
    const co = company();
    const captured = slotTx(co, 'ia_s1');
    const ended = slotTx(co, 'ia_s2', '15.00');
    for (const s of [captured, ended]) {
      await store.recordTransaction(s);
      await stick(co, s);
    }
    const capture = captureOf(captured, 'stripe:cap_s1');
    await store.recordTransaction(capture);
    expect(await store.followAuthorization(co, captured.id, capture, '2026-05-06T20:00:00.000Z')).toBeNull();
    expect(
      await store.endSlot(co, ended.id, { status: 'reversed', at: '2026-05-07T10:00:00.000Z', employeeId: 'u1' }),
    ).toBeNull();
    for (const s of [captured, ended]) {
      expect((await rawTx(co, s.id))?.capturedBy).toBeDefined();
      await expectNoMissingKeys(co, s.id);
    }
    expect(await missingOf(co)).toEqual([capture.id]);
    expect(await companyMissing(co)).toEqual([capture.id]);
  });

  it('every unlink follows the same rule: a refund, an accepted lost receipt, a slot inside a sum stay out; money that moved goes back', async () => {
    const co = company();
    const purchase = charge(co, 'buy', '90.00');
    const refund = charge(co, 'refund', '-20.00', '2026-05-08');
    const lost = charge(co, 'lost', '12.00', '2026-05-03');
    const slot = slotTx(co, 'ia_g1', '30.00');
    for (const t of [purchase, refund, lost, slot]) await store.recordTransaction(t);
    expect(await missingOf(co)).toEqual(['lost', 'buy']);

    // A receipt linked by hand to a refund (a credit note), then unlinked: a refund never waits for a receipt.
    await putReceipt(co, 'r-refund');
    expect(await store.link(co, 'r-refund', linkTo('refund'))).toBe(true);
    await store.unlink(co, 'r-refund', 'user:u9', '2026-05-09T00:00:00.000Z');
    await expectNoMissingKeys(co, 'refund');

    // A lost receipt accepted, then the paper found and linked, then unlinked: the accepted declaration stands.
    const declaration = { by: 'u1', at: '2026-05-04T00:00:00.000Z', description: 'lost', status: 'PENDING' as const };
    expect(await store.declareLost(co, 'lost', declaration)).toBe(true);
    expect(
      await store.decideLost(co, 'lost', { accepted: true, by: 'u_fin', at: declaration.at, reason: null }),
    ).toMatchObject({
      status: 'ACCEPTED',
    });
    await putReceipt(co, 'r-lost');
    expect(await store.link(co, 'r-lost', linkTo('lost'))).toBe(true);
    await store.unlink(co, 'r-lost', 'user:u9', '2026-05-09T00:00:00.000Z');
    await expectNoMissingKeys(co, 'lost');

    // A sum over a charge and a slot (as stored before slots stopped joining sums), undone: the charge only.
    await putReceipt(co, 'r-sum');
    expect(await store.linkGroup(co, group(['r-sum'], [purchase, slot]))).toBe(true);
    expect(await missingOf(co)).toEqual([]);
    await store.unlink(co, 'r-sum', 'user:u9', '2026-05-09T00:00:00.000Z');
    expect(await missingOf(co)).toEqual(['buy']);
    expect(await companyMissing(co)).toEqual(['buy']);
    await expectNoMissingKeys(co, slot.id);
    expect((await openCharges(co)).sort()).toEqual(['buy', 'lost', 'refund', slot.id].sort());
  });

  it('two lost-receipt decisions at once: one is applied, the other finds nothing pending (no error)', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 't', '25.00'));
    const declaration = { by: 'u1', at: '2026-05-12T00:00:00.000Z', description: 'lost', status: 'PENDING' as const };
    expect(await store.declareLost(co, 't', declaration)).toBe(true);
    const decide = (accepted: boolean) =>
      store.decideLost(co, 't', { accepted, by: 'u_fin', at: '2026-05-13T00:00:00.000Z', reason: null });
    const results = await Promise.all([decide(true), decide(false), decide(true), decide(false)]);
    const applied = results.filter((r) => r !== null);
    expect(applied).toHaveLength(1);
    expect((await store.transaction(co, 't'))?.lostReceipt?.status).toBe(applied[0]?.status);
    expect(await missingOf(co)).toEqual(applied[0]?.status === 'ACCEPTED' ? [] : ['t']);
    expect(await decide(true)).toBeNull();
  });

  it('a second unlink of the same link (concurrent or not) finds nothing to remove', async () => {
    const co = company();
    const t = charge(co, 't', '25.00');
    await store.recordTransaction(t);
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', linkTo('t'))).toBe(true);
    const both = await Promise.all([
      store.unlink(co, 'r', 'user:u9', '2026-05-09T00:00:00.000Z'),
      store.unlink(co, 'r', 'user:u8', '2026-05-09T00:00:00.000Z'),
    ]);
    expect(both.filter((x) => x !== null)).toHaveLength(1);
    expect(await store.unlink(co, 'r', 'user:u9', '2026-05-09T00:00:00.000Z')).toBeNull();
    expect(await missingOf(co)).toEqual(['t']);
    expect((await store.receipt(co, 'r'))?.refusedTransactionIds).toEqual(['t']);
  });

  it('the data fix takes slots already stuck in the missing lists out of them, once, and can run again', async () => {
    const co = company();
    const live = slotTx(co, 'ia_b1');
    const retiredSlot = slotTx(co, 'ia_b2', '18.00');
    const waiting = charge(co, 'waiting', '33.00');
    for (const t of [live, retiredSlot, waiting]) await store.recordTransaction(t);
    await stick(co, live);
    // A slot retired by the version before the fix: its missing keys stayed.
    await store.endSlot(co, retiredSlot.id, { status: 'expired', at: '2026-05-12T10:00:00.000Z', employeeId: 'u1' });
    await stick(co, retiredSlot);
    expect((await missingOf(co)).sort()).toEqual([live.id, retiredSlot.id, 'waiting'].sort());

    // The local cloud ran it at start: again only without its record.
    const ran = { pk: 'MIGRATIONS', sk: 'slots-out-of-missing-v1' };
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toBeDefined();
    expect(await backfillSlotsOutOfMissing(doc, table)).toBe(0);
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    expect(await backfillSlotsOutOfMissing(doc, table)).toBeGreaterThanOrEqual(2);
    for (const s of [live, retiredSlot]) await expectNoMissingKeys(co, s.id);
    expect(await missingOf(co)).toEqual(['waiting']);
    expect(await companyMissing(co)).toEqual(['waiting']);
    // The live slot is still a candidate for its receipt.
    expect(await openCharges(co)).toContain(live.id);
    expect(await backfillSlotsOutOfMissing(doc, table)).toBe(0);
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    expect(await backfillSlotsOutOfMissing(doc, table)).toBe(0);
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toBeDefined();
  });
});

describe('lost-receipt declarations: only on a charge waiting for its receipt', () => {
  const declaration = {
    by: 'u1',
    at: '2026-05-12T00:00:00.000Z',
    description: 'paper ticket lost',
    status: 'PENDING' as const,
  };
  const slotTx = (companyId: string, authId: string): OnlineTransaction => ({
    ...charge(companyId, `stripe:auth:${authId}`, '40.00', '2026-05-04'),
    postedAt: null,
    pending: true,
    authorizationId: authId,
  });
  const captureOf = (slot: OnlineTransaction, id: string): OnlineTransaction => ({
    ...charge(slot.companyId, id, '40.00', '2026-05-06'),
    authorizationId: slot.authorizationId as string,
  });

  it('refuses an authorization slot, pending, captured or ended; its capture takes the declaration', async () => {
    const co = company();
    const slot = slotTx(co, 'ia_l1');
    expect(await store.recordTransaction(slot)).toBe(true);
    expect(await store.declareLost(co, slot.id, declaration)).toBe(false);
    expect(await rawTx(co, slot.id)).not.toHaveProperty('lostReceipt');

    const capture = captureOf(slot, 'stripe:cap_l1');
    expect(await store.recordTransaction(capture)).toBe(true);
    expect(await store.followAuthorization(co, slot.id, capture, '2026-05-06T20:00:00.000Z')).toBeNull();
    expect((await rawTx(co, slot.id))?.capturedBy).toBe(capture.id);
    expect(await store.declareLost(co, slot.id, declaration)).toBe(false);
    expect(await rawTx(co, slot.id)).not.toHaveProperty('lostReceipt');
    expect(await store.declareLost(co, capture.id, declaration)).toBe(true);
    expect((await store.transaction(co, capture.id))?.lostReceipt).toEqual(declaration);

    // A hold that ended without a charge, and a tombstone (its capture came before the authorization).
    const ended = slotTx(co, 'ia_l2');
    await store.recordTransaction(ended);
    await store.endSlot(co, ended.id, { status: 'reversed', at: '2026-05-07T10:00:00.000Z', employeeId: 'u1' });
    expect(await store.declareLost(co, ended.id, declaration)).toBe(false);
    const early = captureOf(slotTx(co, 'ia_l3'), 'stripe:cap_l3');
    await store.recordTransaction(early);
    expect(await store.followAuthorization(co, 'stripe:auth:ia_l3', early, '2026-05-06T20:00:00.000Z')).toBeNull();
    expect(await store.declareLost(co, 'stripe:auth:ia_l3', declaration)).toBe(false);
    for (const id of [ended.id, 'stripe:auth:ia_l3']) expect(await rawTx(co, id)).not.toHaveProperty('lostReceipt');
  });

  it('refuses a charge with its receipt linked (alone or in a sum) until it is unlinked', async () => {
    const co = company();
    const one = charge(co, 'one', '25.00');
    const [a, b] = [charge(co, 'a', '10.00'), charge(co, 'b', '15.00')];
    for (const t of [one, a, b]) await store.recordTransaction(t);
    await putReceipt(co, 'r1');
    await putReceipt(co, 'r2');
    const link = { transactionId: 'one', score: 0.9, reasons: ['test'], by: 'user:u9', at: '2026-05-10T00:00:00.000Z' };
    expect(await store.link(co, 'r1', link)).toBe(true);
    expect(await store.linkGroup(co, group(['r2'], [a, b]))).toBe(true);
    for (const id of ['one', 'a', 'b']) {
      expect(await store.declareLost(co, id, declaration)).toBe(false);
      expect(await rawTx(co, id)).not.toHaveProperty('lostReceipt');
    }
    await store.unlink(co, 'r1', 'user:u9', '2026-05-11T00:00:00.000Z');
    expect(await store.declareLost(co, 'one', declaration)).toBe(true);
  });

  it('refuses a refund, linked to its purchase or not, and a zero amount: no receipt is needed', async () => {
    const co = company();
    const buy = charge(co, 'buy', '60.00', '2026-05-10');
    const [lone, linked, zero] = [
      charge(co, 'rf_lone', '-20.00', '2026-05-20'),
      charge(co, 'rf_linked', '-0.01', '2026-05-20'),
      charge(co, 'zero', '0.00', '2026-05-20'),
    ];
    for (const t of [buy, lone, linked, zero]) expect(await store.recordTransaction(t)).toBe(true);
    const link = { transactionId: 'buy', score: 0.9, reasons: ['test'], by: 'auto', at: '2026-05-21T00:00:00.000Z' };
    expect(await store.linkRefund(co, linked, buy, link)).toBe(true);
    for (const id of [lone.id, linked.id, zero.id]) {
      expect(await store.declareLost(co, id, declaration)).toBe(false);
      expect(await rawTx(co, id)).not.toHaveProperty('lostReceipt');
    }
    // The purchase still takes one.
    expect(await store.declareLost(co, buy.id, declaration)).toBe(true);
  });

  it('refuses a second declaration while one is pending or accepted, takes one after a refusal; never creates a transaction', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 't', '25.00'));
    expect(await store.declareLost(co, 't', declaration)).toBe(true);
    expect(await store.declareLost(co, 't', { ...declaration, at: '2026-05-12T01:00:00.000Z' })).toBe(false);
    await store.decideLost(co, 't', { accepted: false, by: 'u_fin', at: '2026-05-13T00:00:00.000Z', reason: 'no' });
    const again = { ...declaration, at: '2026-05-14T00:00:00.000Z' };
    expect(await store.declareLost(co, 't', again)).toBe(true);
    await store.decideLost(co, 't', { accepted: true, by: 'u_fin', at: '2026-05-15T00:00:00.000Z', reason: null });
    expect(await store.declareLost(co, 't', { ...declaration, at: '2026-05-16T00:00:00.000Z' })).toBe(false);
    expect((await store.transaction(co, 't'))?.lostReceipt).toMatchObject({ at: again.at, status: 'ACCEPTED' });
    expect(await store.declareLost(co, 'nope', declaration)).toBe(false);
    expect(await rawTx(co, 'nope')).toBeUndefined();
  });
});

describe('lost-receipt declarations: a purchase refunded in full needs none', () => {
  const declaration = {
    by: 'u1',
    at: '2026-05-12T00:00:00.000Z',
    description: 'paper ticket lost',
    status: 'PENDING' as const,
  };
  const refundLink = (purchaseId: string) => ({
    transactionId: purchaseId,
    score: 0.9,
    reasons: ['test'],
    by: 'auto',
    at: '2026-05-21T00:00:00.000Z',
  });
  const refund = async (companyId: string, r: OnlineTransaction, purchaseId: string) => {
    await store.recordTransaction(r);
    const purchase = (await store.transaction(companyId, purchaseId)) as OnlineTransaction;
    expect(await store.linkRefund(companyId, r, purchase, refundLink(purchaseId))).toBe(true);
  };

  it('refuses one refunded in full (by one refund or several adding up); one refunded in part still takes one', async () => {
    const co = company();
    for (const t of [charge(co, 'whole', '90.00'), charge(co, 'parts', '100.00'), charge(co, 'part', '100.00')]) {
      await store.recordTransaction(t);
    }
    await refund(co, charge(co, 'rf_whole', '-90.00', '2026-05-20'), 'whole');
    await refund(co, charge(co, 'rf_p1', '-40.00', '2026-05-20'), 'parts');
    await refund(co, charge(co, 'rf_p2', '-60.00', '2026-05-21'), 'parts');
    await refund(co, charge(co, 'rf_part', '-99.99', '2026-05-20'), 'part');
    for (const id of ['whole', 'parts']) {
      expect(await store.declareLost(co, id, declaration)).toBe(false);
      expect(await rawTx(co, id)).not.toHaveProperty('lostReceipt');
    }
    expect(await store.declareLost(co, 'part', declaration)).toBe(true);
    expect((await store.transaction(co, 'part'))?.lostReceipt).toEqual(declaration);
  });

  it('a refund making it full, linked between the declaration’s read and its write, fails the declaration', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    await refund(co, charge(co, 'rf1', '-20.00', '2026-05-20'), 'buy');
    const last = charge(co, 'rf2', '-30.00', '2026-05-21');
    await store.recordTransaction(last);
    // The declaration's write is preceded by the refund that gives the rest back (its amount read before it).
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && !raced) {
          raced = true;
          const purchase = (await store.transaction(co, 'buy')) as OnlineTransaction;
          expect(await store.linkRefund(co, last, purchase, refundLink('buy'))).toBe(true);
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    expect(await makeDynamoMatchStore(racing, table).declareLost(co, 'buy', declaration)).toBe(false);
    expect(raced).toBe(true);
    expect((await store.transaction(co, 'buy'))?.refundedMinor).toBe(5_000n);
    expect(await rawTx(co, 'buy')).not.toHaveProperty('lostReceipt');
  });
});

describe('lost-receipt declarations and refunds: the refund that makes a purchase full withdraws a pending declaration', () => {
  const declaration = {
    by: 'u1',
    at: '2026-05-12T00:00:00.000Z',
    description: 'paper ticket lost',
    status: 'PENDING' as const,
  };
  const refundLink = (purchaseId: string, at = '2026-05-21T00:00:00.000Z') => ({
    transactionId: purchaseId,
    score: 0.9,
    reasons: ['test'],
    by: 'auto',
    at,
  });
  const withdrawnBy = (refundId: string, at = '2026-05-21T00:00:00.000Z') => ({
    ...declaration,
    status: 'WITHDRAWN',
    decidedBy: 'auto',
    decidedAt: at,
    reason: `refunded in full by ${refundId}`,
  });
  const decision = (accepted: boolean) => ({
    accepted,
    by: 'u_fin',
    at: '2026-05-22T00:00:00.000Z',
    reason: accepted ? null : 'no',
  });
  /** Links `r` (recorded first) to the purchase as read now, or as `read` when given (a stale read). */
  const refund = async (companyId: string, r: OnlineTransaction, purchaseId: string, read?: OnlineTransaction) => {
    await store.recordTransaction(r);
    const purchase = read ?? ((await store.transaction(companyId, purchaseId)) as OnlineTransaction);
    expect(await store.linkRefund(companyId, r, purchase, refundLink(purchaseId))).toBe(true);
  };

  it('a partial refund leaves it pending; the refund that completes it withdraws it (who, when, which refund): finance has nothing left to decide', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
    await refund(co, charge(co, 'rf1', '-20.00', '2026-05-20'), 'buy');
    expect((await store.transaction(co, 'buy'))?.lostReceipt).toEqual(declaration);
    expect(await missingOf(co)).toEqual(['buy']);

    await refund(co, charge(co, 'rf2', '-30.00', '2026-05-21'), 'buy');
    const tx = await store.transaction(co, 'buy');
    expect(tx?.refundedMinor).toBe(5_000n);
    expect(tx?.refundIds).toEqual(['rf1', 'rf2']);
    expect(tx?.lostReceipt).toEqual(withdrawnBy('rf2'));
    expect(await missingOf(co)).toEqual([]);
    for (const accepted of [true, false]) expect(await store.decideLost(co, 'buy', decision(accepted))).toBeNull();
    expect(await store.declareLost(co, 'buy', { ...declaration, at: '2026-05-23T00:00:00.000Z' })).toBe(false);
    expect((await store.transaction(co, 'buy'))?.lostReceipt).toEqual(withdrawnBy('rf2'));
  });

  it('a declaration made after the refund’s read of the purchase is withdrawn too (the write reads it again)', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    const read = (await store.transaction(co, 'buy')) as OnlineTransaction;
    expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
    await refund(co, charge(co, 'rf', '-50.00', '2026-05-20'), 'buy', read);
    expect((await store.transaction(co, 'buy'))?.lostReceipt).toEqual(withdrawnBy('rf'));
    expect((await store.transaction(co, 'rf'))?.refundOf?.transactionId).toBe('buy');
  });

  it('an accepted or refused declaration stays as history when the refund completes the purchase', async () => {
    const co = company();
    for (const id of ['acc', 'ref']) {
      await store.recordTransaction(charge(co, id, '40.00'));
      expect(await store.declareLost(co, id, declaration)).toBe(true);
    }
    // The purchases as read before the decisions (pending): the write fails, reads them again, keeps the decision.
    const [readAcc, readRef] = [await store.transaction(co, 'acc'), await store.transaction(co, 'ref')];
    expect(readAcc?.lostReceipt?.status).toBe('PENDING');
    const accepted = await store.decideLost(co, 'acc', decision(true));
    const refused = await store.decideLost(co, 'ref', decision(false));
    expect([accepted?.status, refused?.status]).toEqual(['ACCEPTED', 'REFUSED']);
    await refund(co, charge(co, 'rf_acc', '-40.00', '2026-05-20'), 'acc', readAcc as OnlineTransaction);
    await refund(co, charge(co, 'rf_ref', '-40.00', '2026-05-20'), 'ref', readRef as OnlineTransaction);
    expect((await store.transaction(co, 'acc'))?.lostReceipt).toEqual(accepted);
    expect((await store.transaction(co, 'ref'))?.lostReceipt).toEqual(refused);
    expect((await store.transaction(co, 'acc'))?.refundedMinor).toBe(4_000n);
    expect(await missingOf(co)).toEqual([]);
  });

  it('the refund completing it between the decision’s read and its write wins: the decision finds nothing pending', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
    const last = charge(co, 'rf', '-50.00', '2026-05-20');
    await store.recordTransaction(last);
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && !raced) {
          raced = true;
          const purchase = (await store.transaction(co, 'buy')) as OnlineTransaction;
          expect(await store.linkRefund(co, last, purchase, refundLink('buy'))).toBe(true);
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    expect(await makeDynamoMatchStore(racing, table).decideLost(co, 'buy', decision(true))).toBeNull();
    expect(raced).toBe(true);
    expect((await store.transaction(co, 'buy'))?.lostReceipt).toEqual(withdrawnBy('rf'));
    expect(await missingOf(co)).toEqual([]);
  });

  it('a decision between the refund’s read and its write wins: the refund is linked again, the decision stays', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
    const last = charge(co, 'rf', '-50.00', '2026-05-20');
    await store.recordTransaction(last);
    const purchase = (await store.transaction(co, 'buy')) as OnlineTransaction;
    let decided: Awaited<ReturnType<MatchStore['decideLost']>> = null;
    let writes = 0;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand) writes++;
        if (command instanceof TransactWriteCommand && !decided)
          decided = await store.decideLost(co, 'buy', decision(false));
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    expect(await makeDynamoMatchStore(racing, table).linkRefund(co, last, purchase, refundLink('buy'))).toBe(true);
    expect(decided).toMatchObject({ status: 'REFUSED', decidedBy: 'u_fin' });
    // Its first write, on the declaration read pending, failed; the second, on the one read again, took the refund.
    expect(writes).toBe(2);
    const tx = await store.transaction(co, 'buy');
    expect(tx?.lostReceipt).toEqual(decided);
    expect(tx?.refundedMinor).toBe(5_000n);
    expect(await missingOf(co)).toEqual([]);
  });

  it('decisions and the completing refund at once: the refund is linked, exactly one of them settles the declaration', async () => {
    for (let round = 0; round < 4; round++) {
      const co = company();
      await store.recordTransaction(charge(co, 'buy', '50.00'));
      expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
      const last = charge(co, 'rf', '-50.00', '2026-05-20');
      await store.recordTransaction(last);
      const purchase = (await store.transaction(co, 'buy')) as OnlineTransaction;
      const [linked, ...decisions] = await Promise.all([
        store.linkRefund(co, last, purchase, refundLink('buy')),
        store.decideLost(co, 'buy', decision(round % 2 === 0)),
        store.decideLost(co, 'buy', decision(round % 2 === 1)),
      ]);
      expect(linked).toBe(true);
      const applied = decisions.filter((d) => d !== null);
      expect(applied.length).toBeLessThanOrEqual(1);
      const now = (await store.transaction(co, 'buy'))?.lostReceipt;
      expect(now).toEqual(applied[0] ?? withdrawnBy('rf'));
      expect((await store.transaction(co, 'buy'))?.refundedMinor).toBe(5_000n);
      expect(await missingOf(co)).toEqual([]);
    }
  });

  it('finance decides nothing on a purchase refunded in full (a declaration left pending by an older refund)', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 'buy', '50.00'));
    expect(await store.declareLost(co, 'buy', declaration)).toBe(true);
    await store.recordTransaction(charge(co, 'rf', '-50.00', '2026-05-20'));
    // What a refund linked before refunds withdrew declarations left: refunded in full, the declaration pending.
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `C#${co}#CARDTX#buy`, sk: 'TX' },
        UpdateExpression: 'SET refundedMinor = :m, refundIds = :ids REMOVE gsi2pk, gsi2sk, gsi3pk, gsi3sk',
        ExpressionAttributeValues: { ':m': '5000', ':ids': ['rf'] },
      }),
    );
    for (const accepted of [true, false]) expect(await store.decideLost(co, 'buy', decision(accepted))).toBeNull();
    expect((await store.transaction(co, 'buy'))?.lostReceipt).toEqual(declaration);
  });
});

describe('lost-receipt declarations and links: the receipt that turns up withdraws a pending declaration', () => {
  const declaration = {
    by: 'u1',
    at: '2026-05-12T00:00:00.000Z',
    description: 'paper ticket lost',
    status: 'PENDING' as const,
  };
  const byHand = (transactionId: string) => ({
    transactionId,
    score: 1,
    reasons: ['by hand'],
    by: 'user:u9',
    at: '2026-05-14T09:00:00.000Z',
  });
  const withdrawn = (reason: string, by = 'user:u9', at = '2026-05-14T09:00:00.000Z') => ({
    ...declaration,
    status: 'WITHDRAWN',
    decidedBy: by,
    decidedAt: at,
    reason,
  });

  it('a link withdraws the pending declaration (who, when, which receipt): finance has nothing left to decide; unlinked, the loss may be declared again', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 't', '25.00'));
    expect(await store.declareLost(co, 't', declaration)).toBe(true);
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', byHand('t'))).toBe(true);
    const tx = await store.transaction(co, 't');
    expect(tx?.receiptId).toBe('r');
    expect(tx?.lostReceipt).toEqual(withdrawn('receipt r linked'));
    expect(await missingOf(co)).toEqual([]);
    for (const accepted of [true, false]) {
      const decision = { accepted, by: 'u_fin', at: '2026-05-15T00:00:00.000Z', reason: accepted ? null : 'no' };
      expect(await store.decideLost(co, 't', decision)).toBeNull();
    }
    expect((await store.transaction(co, 't'))?.lostReceipt?.status).toBe('WITHDRAWN');

    // The wrong receipt: unlinked, the charge waits again and the employee may declare the loss again.
    await store.unlink(co, 'r', 'user:u9', '2026-05-16T00:00:00.000Z');
    expect(await missingOf(co)).toEqual(['t']);
    const again = { ...declaration, at: '2026-05-17T00:00:00.000Z' };
    expect(await store.declareLost(co, 't', again)).toBe(true);
    expect((await store.transaction(co, 't'))?.lostReceipt).toEqual(again);
  });

  it('a sum withdraws the declarations pending on its charges, those read and those made since the read', async () => {
    const co = company();
    const [a, b, c] = [charge(co, 'a', '10.00'), charge(co, 'b', '15.00'), charge(co, 'c', '25.00')];
    for (const t of [a, b, c]) await store.recordTransaction(t);
    expect(await store.declareLost(co, 'a', declaration)).toBe(true);
    const [readA, readB] = [await store.transaction(co, 'a'), await store.transaction(co, 'b')];
    expect(readA?.lostReceipt?.status).toBe('PENDING');
    // Declared after the matcher read it: the write finds it pending and withdraws it too.
    expect(await store.declareLost(co, 'b', declaration)).toBe(true);
    await putReceipt(co, 'r');
    const split = group(['r'], [readA as OnlineTransaction, readB as OnlineTransaction]);
    expect(await store.linkGroup(co, split)).toBe(true);
    for (const id of ['a', 'b']) {
      expect((await store.transaction(co, id))?.lostReceipt).toEqual(
        withdrawn('receipt r linked', 'auto', '2026-05-10T00:00:00.000Z'),
      );
    }
    // Several receipts paid in one charge: the reason names them all.
    expect(await store.declareLost(co, 'c', declaration)).toBe(true);
    await putReceipt(co, 'r1');
    await putReceipt(co, 'r2');
    expect(await store.linkGroup(co, group(['r1', 'r2'], [c]))).toBe(true);
    expect((await store.transaction(co, 'c'))?.lostReceipt).toEqual(
      withdrawn('receipts r1, r2 linked', 'auto', '2026-05-10T00:00:00.000Z'),
    );
    expect(await missingOf(co)).toEqual([]);
  });

  it('an accepted declaration stays as history when its receipt turns up; a link that fails leaves a pending one pending', async () => {
    const co = company();
    for (const t of [charge(co, 'acc', '25.00'), charge(co, 'pen', '30.00'), charge(co, 'other', '35.00')]) {
      await store.recordTransaction(t);
    }
    expect(await store.declareLost(co, 'acc', declaration)).toBe(true);
    const accepted = await store.decideLost(co, 'acc', {
      accepted: true,
      by: 'u_fin',
      at: '2026-05-13T00:00:00.000Z',
      reason: null,
    });
    expect(accepted?.status).toBe('ACCEPTED');
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', byHand('acc'))).toBe(true);
    expect((await store.transaction(co, 'acc'))?.lostReceipt).toEqual(accepted);
    expect((await store.transaction(co, 'acc'))?.receiptId).toBe('r');

    // The receipt is linked elsewhere already: nothing is written, the declaration still waits for finance.
    expect(await store.declareLost(co, 'pen', declaration)).toBe(true);
    await putReceipt(co, 'r2');
    expect(await store.link(co, 'r2', byHand('other'))).toBe(true);
    expect(await store.link(co, 'r2', byHand('pen'))).toBe(false);
    expect((await store.transaction(co, 'pen'))?.lostReceipt).toEqual(declaration);
    expect(await missingOf(co)).toEqual(['pen']);
  });

  it('a receipt following its authorization to the capture withdraws a declaration pending on the capture', async () => {
    const co = company();
    const slot: OnlineTransaction = {
      ...charge(co, 'stripe:auth:ia_w1', '40.00', '2026-05-04'),
      postedAt: null,
      pending: true,
      authorizationId: 'ia_w1',
    };
    const capture: OnlineTransaction = {
      ...charge(co, 'stripe:cap_w1', '40.00', '2026-05-06'),
      authorizationId: 'ia_w1',
    };
    await store.recordTransaction(slot);
    await putReceipt(co, 'r');
    expect(await store.link(co, 'r', { ...byHand(slot.id), by: 'auto' })).toBe(true);
    await store.recordTransaction(capture);
    expect(await store.declareLost(co, capture.id, declaration)).toBe(true);
    // The capture as the event carries it (no declaration): the write finds it and withdraws it.
    const moved = await store.followAuthorization(co, slot.id, capture, '2026-05-06T20:00:00.000Z');
    expect(moved?.transactionId).toBe(capture.id);
    const tx = await store.transaction(co, capture.id);
    expect(tx?.receiptId).toBe('r');
    expect(tx?.lostReceipt).toEqual(withdrawn('receipt r linked', 'auto', '2026-05-06T20:00:00.000Z'));
    expect(await missingOf(co)).toEqual([]);
  });

  it('finance decides nothing on a charge with a receipt linked (a declaration left pending by an older link)', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 't', '25.00'));
    expect(await store.declareLost(co, 't', declaration)).toBe(true);
    await putReceipt(co, 'r');
    // What a link made before links withdrew declarations left: the receipt linked, the declaration pending.
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `C#${co}#CARDTX#t`, sk: 'TX' },
        UpdateExpression: 'SET receiptId = :r REMOVE gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk',
        ExpressionAttributeValues: { ':r': 'r' },
      }),
    );
    for (const accepted of [true, false]) {
      const decision = { accepted, by: 'u_fin', at: '2026-05-15T00:00:00.000Z', reason: accepted ? null : 'no' };
      expect(await store.decideLost(co, 't', decision)).toBeNull();
    }
    expect((await store.transaction(co, 't'))?.lostReceipt).toEqual(declaration);
  });

  it('a link between the decision’s read and its write wins: the decision finds nothing pending', async () => {
    const co = company();
    await store.recordTransaction(charge(co, 't', '25.00'));
    expect(await store.declareLost(co, 't', declaration)).toBe(true);
    await putReceipt(co, 'r');
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && !raced) {
          raced = true;
          expect(await store.link(co, 'r', byHand('t'))).toBe(true);
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const decision = { accepted: true, by: 'u_fin', at: '2026-05-15T00:00:00.000Z', reason: null };
    expect(await makeDynamoMatchStore(racing, table).decideLost(co, 't', decision)).toBeNull();
    expect(raced).toBe(true);
    expect((await store.transaction(co, 't'))?.lostReceipt).toEqual(withdrawn('receipt r linked'));
  });
});

describe('data fix refunded-in-full-v1: purchases refunded in full before the refund that completed them did it', () => {
  const declaration = {
    by: 'u1',
    at: '2026-05-12T00:00:00.000Z',
    description: 'paper ticket lost',
    status: 'PENDING' as const,
  };
  const fixedAt = '2026-06-01T08:00:00.000Z';
  const now = () => new Date(fixedAt);
  const ran = { pk: 'MIGRATIONS', sk: 'refunded-in-full-v1' };
  const authorizedAt = '2026-05-05T10:00:00.000Z';
  const postedAt = '2026-05-05T18:00:00.000Z';
  const MISSING_KEYS = ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

  /** A purchase of 90.00 as a version before the fix stored it (its missing keys, open keys, refunds, declaration). */
  const oldPurchase = (
    co: string,
    id: string,
    shape: {
      refunded?: string;
      refundIds?: string[];
      missing?: boolean;
      open?: boolean;
      lostReceipt?: Record<string, unknown>;
      receiptId?: string;
    },
  ): Record<string, unknown> => ({
    pk: `C#${co}#CARDTX#${id}`,
    sk: 'TX',
    entity: 'CardTransaction',
    gsi1pk: `C#${co}#EMP#u1#CARDTX`,
    gsi1sk: `${authorizedAt}#${id}`,
    ...((shape.open ?? true) ? keys.openTransactionsByEmployee(co, 'u1', authorizedAt, id) : {}),
    ...((shape.missing ?? true)
      ? {
          gsi2pk: `C#${co}#MISSING`,
          gsi2sk: `${postedAt}#${id}`,
          ...keys.missingReceiptsByEmployee(co, 'u1', postedAt, id),
        }
      : {}),
    companyId: co,
    id,
    employeeId: 'u1',
    merchantName: 'AMZN Mktp FR',
    mcc: '5942',
    amountMinor: '9000',
    currency: 'EUR',
    authorizedAt,
    postedAt,
    cardLast4: '4242',
    ...(shape.refunded !== undefined ? { refundedMinor: shape.refunded, refundIds: shape.refundIds ?? [] } : {}),
    ...(shape.lostReceipt ? { lostReceipt: shape.lostReceipt } : {}),
    ...(shape.receiptId ? { receiptId: shape.receiptId } : {}),
  });
  const without = (item: Record<string, unknown>, names: readonly string[]) =>
    Object.fromEntries(Object.entries(item).filter(([k]) => !names.includes(k)));
  const withdrawnByFix = (refundId: string) => ({
    ...declaration,
    status: 'WITHDRAWN',
    decidedBy: 'auto',
    decidedAt: fixedAt,
    reason: `refunded in full by ${refundId}`,
  });
  const accepted = { ...declaration, status: 'ACCEPTED', decidedBy: 'u_fin', decidedAt: '2026-05-13T00:00:00.000Z' };
  const refused = { ...accepted, status: 'REFUSED', reason: 'no ticket, no refund' };
  /** The company's missing list (gsi2: finance's view), by id. */
  const companyMissing = async (co: string) =>
    (
      (
        await doc.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': `C#${co}#MISSING` },
          }),
        )
      ).Items ?? []
    )
      .map((i) => String(i.id))
      .sort();

  it('takes them out of the missing lists and withdraws a pending declaration; nothing else; once, and can run again', async () => {
    const co = company();
    const seeded = {
      // Refunded in full (one refund, then two) while missing its receipt: the missing keys stayed…
      full: oldPurchase(co, 'full', { refunded: '9000', refundIds: ['rf1'] }),
      // …and the declaration pending on it too (the second refund completed it).
      fullPending: oldPurchase(co, 'fullPending', {
        refunded: '9000',
        refundIds: ['rf2a', 'rf2b'],
        lostReceipt: declaration,
      }),
      // Completed by a refund that removed the missing keys but left the declaration pending.
      pendingNoKeys: oldPurchase(co, 'pendingNoKeys', {
        refunded: '9000',
        refundIds: ['rf3'],
        missing: false,
        lostReceipt: declaration,
      }),
      // Refused before the refund completed it: out of the lists, the decision kept.
      refusedKeys: oldPurchase(co, 'refusedKeys', { refunded: '9000', refundIds: ['rf4'], lostReceipt: refused }),
      // Left alone: a partial refund (still waits), no refund, an accepted or refused declaration out of the lists…
      partial: oldPurchase(co, 'partial', { refunded: '4000', refundIds: ['rf5'], lostReceipt: declaration }),
      notRefunded: oldPurchase(co, 'notRefunded', { lostReceipt: declaration }),
      accepted: oldPurchase(co, 'accepted', {
        refunded: '9000',
        refundIds: ['rf6'],
        missing: false,
        lostReceipt: accepted,
      }),
      refused: oldPurchase(co, 'refused', {
        refunded: '9000',
        refundIds: ['rf7'],
        missing: false,
        lostReceipt: refused,
      }),
      // …and a declaration left pending by a link made before links withdrew them (in neither index: not fixed).
      linkedPending: oldPurchase(co, 'linkedPending', {
        refunded: '9000',
        refundIds: ['rf8'],
        missing: false,
        open: false,
        receiptId: 'r_old',
        lostReceipt: declaration,
      }),
    };
    for (const Item of Object.values(seeded)) await doc.send(new PutCommand({ TableName: table, Item }));
    expect(await companyMissing(co)).toEqual(['full', 'fullPending', 'notRefunded', 'partial', 'refusedKeys']);

    // The local cloud ran it at start: again only without its record.
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toBeDefined();
    expect(await backfillRefundedInFull(doc, table, now)).toBe(0);
    expect(await rawTx(co, 'full')).toEqual(seeded.full);
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    // Other tests' purchases may be counted too (one left pending by an older refund).
    expect(await backfillRefundedInFull(doc, table, now)).toBeGreaterThanOrEqual(4);
    expect((await doc.send(new GetCommand({ TableName: table, Key: ran }))).Item).toMatchObject({
      marked: expect.any(Number),
    });

    const expected: Record<keyof typeof seeded, Record<string, unknown>> = {
      full: without(seeded.full, MISSING_KEYS),
      fullPending: { ...without(seeded.fullPending, MISSING_KEYS), lostReceipt: withdrawnByFix('rf2b') },
      pendingNoKeys: { ...seeded.pendingNoKeys, lostReceipt: withdrawnByFix('rf3') },
      refusedKeys: without(seeded.refusedKeys, MISSING_KEYS),
      partial: seeded.partial,
      notRefunded: seeded.notRefunded,
      accepted: seeded.accepted,
      refused: seeded.refused,
      linkedPending: seeded.linkedPending,
    };
    for (const [id, item] of Object.entries(expected)) expect({ id, item: await rawTx(co, id) }).toEqual({ id, item });
    expect(await companyMissing(co)).toEqual(['notRefunded', 'partial']);
    expect((await missingOf(co)).sort()).toEqual(['notRefunded', 'partial']);
    // Still open charges (gsi4) as before: a refund completing a purchase does not close it either.
    expect(await rawTx(co, 'full')).toMatchObject(keys.openTransactionsByEmployee(co, 'u1', authorizedAt, 'full'));
    // Finance sees why there is nothing to decide; the partial refund's declaration is still theirs to decide.
    const decision = { accepted: true, by: 'u_fin', at: '2026-06-02T00:00:00.000Z', reason: null };
    expect(await store.decideLost(co, 'fullPending', decision)).toBeNull();
    expect((await store.transaction(co, 'fullPending'))?.lostReceipt).toEqual(withdrawnByFix('rf2b'));

    // Recorded once; run again without its record (later, another clock), it changes nothing.
    for (const later of ['2026-06-03T00:00:00.000Z', '2026-06-04T00:00:00.000Z']) {
      await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
      expect(await backfillRefundedInFull(doc, table, () => new Date(later))).toBe(0);
      for (const [id, item] of Object.entries(expected)) {
        expect({ id, item: await rawTx(co, id) }).toEqual({ id, item });
      }
    }
    expect(await store.decideLost(co, 'partial', decision)).toMatchObject({ status: 'ACCEPTED', decidedBy: 'u_fin' });
  });

  it('a change between its read and its write is not overwritten: the purchase is read again and decided again', async () => {
    const co = company();
    const linked = oldPurchase(co, 'linked', { refunded: '9000', refundIds: ['rf1'], lostReceipt: declaration });
    const decided = oldPurchase(co, 'decided', { refunded: '9000', refundIds: ['rf2'], lostReceipt: declaration });
    for (const Item of [linked, decided]) await doc.send(new PutCommand({ TableName: table, Item }));
    await putReceipt(co, 'r');
    const byHand = {
      transactionId: 'linked',
      score: 1,
      reasons: ['by hand'],
      by: 'user:u9',
      at: '2026-05-14T09:00:00.000Z',
    };
    // Just before the fix writes each purchase: a receipt linked to one (its link withdraws the declaration), a
    // decision (as a version before the fix could make) on the other.
    const raced = new Map<string, Record<string, unknown> | undefined>();
    const racing = {
      send: async (command: unknown) => {
        const pk = command instanceof UpdateCommand ? String(command.input.Key?.pk) : '';
        if (pk === linked.pk && !raced.has('linked')) {
          expect(await store.link(co, 'r', byHand)).toBe(true);
          raced.set('linked', await rawTx(co, 'linked'));
        }
        if (pk === decided.pk && !raced.has('decided')) {
          await doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: decided.pk, sk: 'TX' },
              UpdateExpression: 'SET lostReceipt = :d',
              ExpressionAttributeValues: { ':d': refused },
            }),
          );
          raced.set('decided', await rawTx(co, 'decided'));
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    await doc.send(new DeleteCommand({ TableName: table, Key: ran }));
    expect(await backfillRefundedInFull(racing, table, now)).toBeGreaterThanOrEqual(1);
    expect([...raced.keys()].sort()).toEqual(['decided', 'linked']);

    // The link stands as it wrote it: receipt linked, declaration withdrawn by the link, out of every list.
    const afterLink = raced.get('linked') as Record<string, unknown>;
    expect(afterLink).toEqual({
      ...without(linked, [...MISSING_KEYS, 'gsi4pk', 'gsi4sk']),
      receiptId: 'r',
      lostReceipt: {
        ...declaration,
        status: 'WITHDRAWN',
        decidedBy: 'user:u9',
        decidedAt: byHand.at,
        reason: 'receipt r linked',
      },
    });
    expect(await rawTx(co, 'linked')).toEqual(afterLink);
    // The decision stands; read again, the purchase still left the missing lists.
    expect(raced.get('decided')).toEqual({ ...decided, lostReceipt: refused });
    expect(await rawTx(co, 'decided')).toEqual(without({ ...decided, lostReceipt: refused }, MISSING_KEYS));
    expect(await companyMissing(co)).toEqual([]);
  });
});
