import { describe, expect, it } from 'vitest';
import {
  endAuthorization,
  matchReceipt,
  matchTransaction,
  type OnlineMatchDeps,
} from '../../../shared/domain/matching/online.ts';
import type { DomainEvent } from '../../../shared/ports/event-publisher.ts';
import type { MatchLink, MatchStore, OnlineReceipt, OnlineTransaction } from '../../../shared/ports/match-store.ts';
import { receipt as matchReceiptOf, tx as matchTxOf } from './helpers.ts';

/**
 * An in-memory MatchStore with the DynamoDB adapter's semantics: candidates are unlinked items in a time window,
 * links are all-or-nothing and conditioned on every item being unlinked, refunds on the refunded amount read.
 * Every call yields to the event loop, so concurrent handlers interleave like real ones.
 */
const newTxShape = (id: string, employeeId: string, at: string): OnlineTransaction => ({
  ...matchTxOf({ id, employeeId, authorizedAt: at }),
  companyId: 'co',
  receiptId: null,
});

const memoryStore = () => {
  const receipts = new Map<string, OnlineReceipt & { receivedAt: string; suggestions?: unknown }>();
  const txs = new Map<string, OnlineTransaction & { receiptIds?: string[] }>();
  const waiting = new Set<string>();
  const tick = () => new Promise((r) => setTimeout(r, 0));
  const clone = <T>(x: T): T => structuredClone(x);
  const store: MatchStore = {
    async receipt(_c, id) {
      await tick();
      return clone(receipts.get(id) ?? null);
    },
    async transaction(_c, id) {
      await tick();
      return clone(txs.get(id) ?? null);
    },
    async transactionsNear(_c, emp, from, to) {
      await tick();
      return [...txs.values()]
        .filter(
          (t) =>
            t.employeeId === emp &&
            !t.receiptId &&
            !t.capturedBy &&
            t.authorizedAt >= from &&
            t.authorizedAt <= `${to}~`,
        )
        .map(clone);
    },
    async transactionsOf(_c, emp, from, to) {
      await tick();
      return [...txs.values()]
        .filter((t) => t.employeeId === emp && t.authorizedAt >= from && t.authorizedAt <= `${to}~`)
        .map(clone);
    },
    async receiptsNear(_c, emp, from, to) {
      await tick();
      return [...receipts.values()]
        .filter((r) => r.employeeId === emp && !r.link && r.receivedAt >= from && r.receivedAt <= `${to}~`)
        .map(clone);
    },
    async recordTransaction(t) {
      await tick();
      if (txs.has(t.id)) return false;
      txs.set(t.id, clone(t));
      return true;
    },
    async followAuthorization(_c, slotId, capture, at, explain) {
      await tick();
      const slot = txs.get(slotId);
      if (!slot) {
        txs.set(slotId, { ...clone(capture), id: slotId, employeeId: '', capturedBy: capture.id });
        return null;
      }
      if (slot.capturedBy) return null;
      const waiting = slot.receiptId;
      const explanation = waiting && explain ? await explain(waiting) : null;
      // Written at once after the read, as the adapter's conditional transaction: re-checked here.
      if (slot.capturedBy || slot.receiptId !== waiting) return null;
      slot.capturedBy = capture.id;
      const r = slot.receiptId ? receipts.get(slot.receiptId) : undefined;
      const cap = txs.get(capture.id);
      if (!r?.link || r.link.transactionId !== slotId || r.link.transactionIds || !cap || cap.receiptId) return null;
      r.link = {
        ...r.link,
        transactionId: capture.id,
        ...(explanation ? { score: explanation.score } : {}),
        reasons: [...(explanation?.reasons ?? r.link.reasons), 'followed its authorization to the capture'],
        at,
      };
      cap.receiptId = r.id;
      slot.receiptId = null;
      return clone(r.link);
    },
    async endSlot(_c, slotId, ending) {
      await tick();
      const slot = txs.get(slotId);
      if (!slot) {
        txs.set(slotId, {
          ...newTxShape(slotId, ending.employeeId, ending.at),
          pending: true,
          capturedBy: `ended:${ending.status}`,
        });
        return null;
      }
      if (slot.capturedBy) return null;
      slot.capturedBy = `ended:${ending.status}`;
      const rid = slot.receiptId;
      slot.receiptId = null;
      const r = rid ? receipts.get(rid) : undefined;
      if (r?.link?.transactionId === slotId) r.link = null;
      return rid ?? null;
    },
    async link(c, rid, link) {
      const t = txs.get(link.transactionId);
      if (!t) return false;
      return store.linkGroup(c, { shape: 'one-to-one', receiptIds: [rid], transactions: [t], ...link });
    },
    async linkGroup(_c, g) {
      await tick();
      const rs = g.receiptIds.map((id) => receipts.get(id));
      const ts = g.transactions.map((t) => txs.get(t.id));
      if (rs.some((r) => !r || r.link) || ts.some((t) => !t || t.receiptId || t.capturedBy)) return false;
      const link: MatchLink = {
        transactionId: g.transactions[0]?.id as string,
        score: g.score,
        reasons: g.reasons,
        by: g.by,
        at: g.at,
        ...(g.shape !== 'one-to-one' ? { shape: g.shape } : {}),
        ...(g.transactions.length > 1 ? { transactionIds: g.transactions.map((t) => t.id) } : {}),
        ...(g.receiptIds.length > 1 ? { receiptIds: [...g.receiptIds] } : {}),
      };
      for (const r of rs) if (r) r.link = clone(link);
      for (const t of ts) if (t) t.receiptId = g.receiptIds[0] as string;
      return true;
    },
    async noteWaitingRefund(refund) {
      await tick();
      waiting.add(refund.id);
    },
    async waitingRefunds(_c, emp) {
      await tick();
      return [...waiting].flatMap((id) => {
        const t = txs.get(id);
        return t && t.employeeId === emp ? [clone(t)] : [];
      });
    },
    async linkRefund(_c, refund, purchase, link) {
      await tick();
      const r = txs.get(refund.id);
      const p = txs.get(purchase.id);
      const seen = purchase.refundedMinor ?? 0n;
      const back = -refund.amount.minor;
      if (!r || !p || r.refundOf || (p.refundedMinor ?? 0n) !== seen || seen + back > p.amount.minor) return false;
      r.refundOf = link;
      p.refundedMinor = seen + back;
      p.refundIds = [...(p.refundIds ?? []), refund.id];
      waiting.delete(refund.id);
      return true;
    },
    async unlink(_c, rid) {
      await tick();
      const r = receipts.get(rid);
      const current = r?.link;
      if (!r || !current) return null;
      const tids = current.transactionIds ?? [current.transactionId];
      for (const id of current.receiptIds ?? [rid]) {
        const x = receipts.get(id);
        if (!x) continue;
        x.link = null;
        x.refusedTransactionIds = [...x.refusedTransactionIds, ...tids];
      }
      for (const id of tids) {
        const t = txs.get(id);
        if (t) t.receiptId = null;
      }
      return current;
    },
    async suggest(_c, rid, suggestions) {
      await tick();
      const r = receipts.get(rid);
      if (r && !r.link) r.suggestions = suggestions;
    },
    async declareLost() {
      return false;
    },
    async decideLost() {
      return null;
    },
  };
  return { store, receipts, txs };
};

const setup = () => {
  const mem = memoryStore();
  const published: DomainEvent[] = [];
  const deps: OnlineMatchDeps = {
    store: mem.store,
    events: { publish: async (e) => void published.push(...e) },
    now: () => new Date('2024-06-01T10:00:00Z'),
  };
  const addReceipt = (over: Parameters<typeof matchReceiptOf>[0] & { receivedAt?: string }) => {
    const { receivedAt, ...rest } = over;
    const r = matchReceiptOf(rest);
    mem.receipts.set(r.id, {
      ...r,
      companyId: 'co',
      link: null,
      refusedTransactionIds: [],
      receivedAt: receivedAt ?? `${r.date}T18:00:00.000Z`,
    });
    return r.id;
  };
  const newTx = (over: Parameters<typeof matchTxOf>[0]): OnlineTransaction => ({
    ...matchTxOf(over),
    companyId: 'co',
    receiptId: null,
  });
  const receiptArrives = (id: string) => matchReceipt(deps, { companyId: 'co', receiptId: id });
  const txArrives = (t: OnlineTransaction) => matchTransaction(deps, t);
  return { ...mem, deps, published, addReceipt, newTx, receiptArrives, txArrives };
};

const amazon = { merchantName: 'AMZN Mktp FR*2K4L81', mcc: '5942' };
const split = (s: ReturnType<typeof setup>) => ({
  order: { id: 'order', vendor: 'Amazon.fr', totalStr: '89.97', date: '2024-05-04' },
  a: s.newTx({ ...amazon, id: 'a', amountStr: '29.99', authorizedAt: '2024-05-05T10:00:00Z' }),
  b: s.newTx({ ...amazon, id: 'b', amountStr: '59.98', authorizedAt: '2024-05-09T10:00:00Z' }),
});

const linkOf = (s: ReturnType<typeof setup>, id: string) => s.receipts.get(id)?.link ?? null;

describe('online matching: split shipments in every arrival order', () => {
  it('receipt, first charge, second charge: linked to both when the second arrives', async () => {
    const s = setup();
    const { order, a, b } = split(s);
    s.addReceipt(order);
    expect(await s.receiptArrives('order')).toEqual({ suggested: 0 });
    expect(await s.txArrives(a)).not.toHaveProperty('linked');
    expect(linkOf(s, 'order')).toBeNull();
    expect(await s.txArrives(b)).toMatchObject({ linked: 'order', shape: 'receipt-to-many' });
    expect(linkOf(s, 'order')).toMatchObject({ transactionId: 'a', transactionIds: ['a', 'b'], by: 'auto' });
    expect(s.txs.get('a')?.receiptId).toBe('order');
    expect(s.txs.get('b')?.receiptId).toBe('order');
    const matched = s.published.filter((e) => e.name === 'ReceiptMatched').map((e) => e.detail);
    expect(matched).toHaveLength(2);
    expect(matched[0]).toMatchObject({
      receiptId: 'order',
      transactionId: 'a',
      group: { shape: 'receipt-to-many', receiptIds: ['order'], transactionIds: ['a', 'b'] },
    });
  });

  it('both charges first, then the receipt', async () => {
    const s = setup();
    const { order, a, b } = split(s);
    await s.txArrives(a);
    await s.txArrives(b);
    s.addReceipt({ ...order, receivedAt: '2024-05-10T08:00:00.000Z' });
    expect(await s.receiptArrives('order')).toMatchObject({ linked: 'a', transactionIds: ['a', 'b'] });
  });

  it("reads started from the event's employee and date are not trusted over the stored receipt", async () => {
    const s = setup();
    const { order, a, b } = split(s);
    await s.txArrives(a);
    await s.txArrives(b);
    s.addReceipt(order);
    const wrong = await matchReceipt(s.deps, {
      companyId: 'co',
      receiptId: 'order',
      hint: { employeeId: 'e2', date: '2023-01-01' },
    });
    expect(wrong).toMatchObject({ linked: 'a', transactionIds: ['a', 'b'] });
  });

  it('a charge, the receipt, the other charge', async () => {
    const s = setup();
    const { order, a, b } = split(s);
    await s.txArrives(a);
    s.addReceipt(order);
    await s.receiptArrives('order');
    expect(linkOf(s, 'order')).toBeNull();
    await s.txArrives(b);
    expect(linkOf(s, 'order')?.transactionIds).toEqual(['a', 'b']);
  });

  it('both charges at the same moment: one link, never two', async () => {
    const s = setup();
    const { order, a, b } = split(s);
    s.addReceipt(order);
    const results = await Promise.all([s.txArrives(a), s.txArrives(b)]);
    expect(linkOf(s, 'order')?.transactionIds).toEqual(['a', 'b']);
    expect(results.filter((r) => 'linked' in r)).toHaveLength(1);
    expect(s.published.filter((e) => e.name === 'ReceiptMatched')).toHaveLength(2);
  });
});

describe('online matching: several receipts ↔ one charge', () => {
  it('links both receipts when the second one is read', async () => {
    const s = setup();
    const base = { vendor: 'Bureau Vallée', date: '2024-05-02' };
    s.addReceipt({ ...base, id: 'x', totalStr: '30.00' });
    await s.txArrives(s.newTx({ merchantName: 'BUREAU VALLEE #12 LYON', mcc: '5943', amountStr: '42.50' }));
    expect(linkOf(s, 'x')).toBeNull();
    s.addReceipt({ ...base, id: 'y', totalStr: '12.50' });
    expect(await s.receiptArrives('y')).toMatchObject({ shape: 'many-to-transaction', transactionIds: ['t1'] });
    expect(linkOf(s, 'x')).toMatchObject({ transactionId: 't1', shape: 'many-to-transaction' });
    expect([...(linkOf(s, 'y')?.receiptIds ?? [])].sort()).toEqual(['x', 'y']);
  });
});

describe("online matching never undoes a person's decision", () => {
  it("a person's one-to-one link stays when the other part of a split arrives", async () => {
    const s = setup();
    const { order, a, b } = split(s);
    s.addReceipt(order);
    await s.txArrives(a);
    expect(
      await s.store.link('co', 'order', { transactionId: 'a', score: 1, reasons: ['person'], by: 'user:u1', at: 'x' }),
    ).toBe(true);
    await s.txArrives(b);
    expect(linkOf(s, 'order')).toMatchObject({ transactionId: 'a', by: 'user:u1' });
    expect(linkOf(s, 'order')?.transactionIds).toBeUndefined();
    expect(s.txs.get('b')?.receiptId).toBeNull();
  });

  it('an unlinked sum is never proposed again', async () => {
    const s = setup();
    const { order, a, b } = split(s);
    s.addReceipt(order);
    await s.txArrives(a);
    await s.txArrives(b);
    await s.store.unlink('co', 'order', 'user:u1', 'x');
    expect(s.receipts.get('order')?.refusedTransactionIds).toEqual(['a', 'b']);
    expect(await s.receiptArrives('order')).toEqual({ suggested: 0 });
    expect(linkOf(s, 'order')).toBeNull();
  });
});

describe('online refunds', () => {
  it('a refund links to its purchase; partial refunds never exceed it', async () => {
    const s = setup();
    const fnac = { merchantName: 'FNAC PARIS', mcc: '5732' };
    s.addReceipt({ id: 'p', vendor: 'Fnac', totalStr: '129.00', date: '2024-05-02' });
    await s.txArrives(s.newTx({ ...fnac, id: 'buy', amountStr: '129.00' }));
    expect(linkOf(s, 'p')?.transactionId).toBe('buy');
    const first = s.newTx({ ...fnac, id: 'rf1', amountStr: '-100.00', authorizedAt: '2024-05-10T10:00:00Z' });
    expect(await s.txArrives(first)).toEqual({ refundOf: 'buy' });
    expect(s.txs.get('rf1')?.refundOf).toMatchObject({ transactionId: 'buy', by: 'auto' });
    expect(s.txs.get('buy')?.refundedMinor).toBe(10_000n);
    const second = s.newTx({ ...fnac, id: 'rf2', amountStr: '-40.00', authorizedAt: '2024-05-11T10:00:00Z' });
    expect(await s.txArrives(second)).toMatchObject({ skipped: expect.stringMatching(/no purchase/) });
    expect(s.txs.get('buy')?.refundedMinor).toBe(10_000n);
  });

  it('a refund delivered before its purchase is linked when the purchase is recorded, and announced', async () => {
    const s = setup();
    const fnac = { merchantName: 'FNAC PARIS', mcc: '5732' };
    const refund = s.newTx({ ...fnac, id: 'rf', amountStr: '-29.00', authorizedAt: '2024-05-12T10:00:00Z' });
    expect(await s.txArrives(refund)).toMatchObject({ skipped: expect.stringMatching(/no purchase/) });
    // A later purchase cannot be what it reverses; the earlier one, delivered now, is.
    await s.txArrives(s.newTx({ ...fnac, id: 'later', amountStr: '29.00', authorizedAt: '2024-05-20T10:00:00Z' }));
    expect(s.txs.get('rf')?.refundOf).toBeUndefined();
    await s.txArrives(s.newTx({ ...fnac, id: 'buy', amountStr: '129.00', authorizedAt: '2024-05-02T10:00:00Z' }));
    expect(s.txs.get('rf')?.refundOf).toMatchObject({ transactionId: 'buy', by: 'auto' });
    expect(s.txs.get('buy')?.refundedMinor).toBe(2_900n);
    const announced = s.published.filter((e) => e.name === 'RefundMatched').map((e) => e.detail);
    expect(announced).toEqual([
      expect.objectContaining({
        refundTransactionId: 'rf',
        purchaseTransactionId: 'buy',
        amount: { amount: '-29.00', currency: 'EUR' },
      }),
    ]);
    expect(await s.store.waitingRefunds('co', 'e1')).toEqual([]);
  });

  it('a credit-note receipt takes its refund before any purchase link', async () => {
    const s = setup();
    s.addReceipt({ id: 'cn', vendor: 'Fnac', totalStr: '-20.00', date: '2024-05-10' });
    const refund = s.newTx({
      merchantName: 'FNAC PARIS',
      mcc: '5732',
      id: 'rf',
      amountStr: '-20.00',
      authorizedAt: '2024-05-10T12:00:00Z',
    });
    expect(await s.txArrives(refund)).toMatchObject({ linked: 'cn' });
    expect(s.txs.get('rf')?.refundOf).toBeUndefined();
  });
});

describe('authorization slots: a receipt may take a pending authorization and follows it to its capture', () => {
  const slotAndCapture = (s: ReturnType<typeof setup>, captured = '46.00') => {
    const slot: OnlineTransaction = {
      ...s.newTx({ id: 'stripe:auth:ia_1', postedAt: null, authorizedAt: '2024-05-02T15:00:00Z' }),
      pending: true,
      authorizationId: 'ia_1',
    };
    // The capture carries a tip (restaurant MCC), and names its authorization's slot.
    const capture: OnlineTransaction = {
      ...s.newTx({ id: 'stripe:ipi_1', amountStr: captured, mcc: '5812', authorizedAt: '2024-05-02T15:00:00Z' }),
      authorizationId: 'stripe:auth:ia_1',
    };
    return { slot, capture };
  };

  it('receipt first, then the authorization: the receipt waits in the slot, announced only when it follows the capture', async () => {
    const s = setup();
    const { slot, capture } = slotAndCapture(s);
    s.addReceipt({ id: 'r1' });
    await s.receiptArrives('r1');
    expect(await s.txArrives(slot)).toMatchObject({ linked: 'r1' });
    expect(linkOf(s, 'r1')?.transactionId).toBe('stripe:auth:ia_1');
    expect(s.published.filter((e) => e.name === 'ReceiptMatched')).toHaveLength(0);
    expect(await s.txArrives(capture)).toMatchObject({ linked: 'r1', transactionIds: ['stripe:ipi_1'] });
    expect(linkOf(s, 'r1')).toMatchObject({ transactionId: 'stripe:ipi_1' });
    expect(linkOf(s, 'r1')?.reasons).toContain('followed its authorization to the capture');
    expect(linkOf(s, 'r1')?.reasons.join(' ')).toMatch(/tip/); // explained against the capture, tip included
    expect(s.txs.get('stripe:ipi_1')?.receiptId).toBe('r1');
    expect(s.txs.get('stripe:auth:ia_1')).toMatchObject({ receiptId: null, capturedBy: 'stripe:ipi_1' });
    const matched = s.published.filter((e) => e.name === 'ReceiptMatched').map((e) => e.detail);
    expect(matched).toEqual([expect.objectContaining({ receiptId: 'r1', transactionId: 'stripe:ipi_1' })]);
  });

  it('authorization, receipt, capture: the same end', async () => {
    const s = setup();
    const { slot, capture } = slotAndCapture(s);
    await s.txArrives(slot);
    s.addReceipt({ id: 'r1' });
    expect(await s.receiptArrives('r1')).toMatchObject({ linked: 'stripe:auth:ia_1' });
    await s.txArrives(capture);
    expect(linkOf(s, 'r1')?.transactionId).toBe('stripe:ipi_1');
  });

  it('a capture delivered before its authorization: the late authorization opens no slot, the receipt takes the capture', async () => {
    const s = setup();
    const { slot, capture } = slotAndCapture(s);
    await s.txArrives(capture);
    expect(await s.txArrives(slot)).toEqual({ skipped: 'authorization already captured' });
    s.addReceipt({ id: 'r1' });
    expect(await s.receiptArrives('r1')).toMatchObject({ linked: 'stripe:ipi_1' });
  });

  it.each(['46.00', '42.00'])(
    'a receipt read while both the slot and its capture (%s) are open is linked: one payment, not two rivals',
    async (captured) => {
      const s = setup();
      const { slot, capture } = slotAndCapture(s, captured);
      await s.txArrives(slot);
      await s.store.recordTransaction(capture); // recorded, its handler not yet at the slot
      s.addReceipt({ id: 'r1' });
      expect(await s.receiptArrives('r1')).toHaveProperty('linked');
      await s.txArrives(capture);
      expect(linkOf(s, 'r1')?.transactionId).toBe('stripe:ipi_1');
      expect(s.txs.get('stripe:auth:ia_1')).toMatchObject({ capturedBy: 'stripe:ipi_1' });
    },
  );

  it.each(['46.00', '42.00'])(
    'slot, capture (%s) and receipt handled at the same moment, in any start order and spacing: the receipt ends on the capture',
    async (captured) => {
      const orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ];
      for (const order of orders) {
        for (const spacing of [0, 1, 2, 3, 5, 8]) {
          const s = setup();
          const { slot, capture } = slotAndCapture(s, captured);
          s.addReceipt({ id: 'r1' });
          const starts = [() => s.txArrives(slot), () => s.txArrives(capture), () => s.receiptArrives('r1')];
          const running = order.map(async (which, i) => {
            for (let k = 0; k < i * spacing; k++) await new Promise((r) => setTimeout(r, 0));
            return starts[which]?.();
          });
          await Promise.all(running);
          expect(linkOf(s, 'r1')?.transactionId, JSON.stringify({ order, spacing })).toBe('stripe:ipi_1');
          expect(s.txs.get('stripe:ipi_1')?.receiptId).toBe('r1');
        }
      }
    },
  );

  it('an authorization that expires unused frees the receipt that had taken its slot, which is matched again', async () => {
    const s = setup();
    const { slot } = slotAndCapture(s);
    await s.txArrives(slot);
    s.addReceipt({ id: 'r1' });
    expect(await s.receiptArrives('r1')).toMatchObject({ linked: 'stripe:auth:ia_1' });
    // The merchant charged through another authorization (a new card swipe): that charge is the receipt's now.
    await s.txArrives(s.newTx({ id: 'stripe:ipi_9', authorizedAt: '2024-05-02T16:00:00Z' }));
    const ending = {
      companyId: 'co',
      slotId: 'stripe:auth:ia_1',
      employeeId: 'e1',
      status: 'expired',
      at: '2024-05-09T15:00:00Z',
    };
    expect(await endAuthorization(s.deps, ending)).toMatchObject({ linked: 'stripe:ipi_9' });
    expect(linkOf(s, 'r1')?.transactionId).toBe('stripe:ipi_9');
    expect(s.txs.get('stripe:auth:ia_1')).toMatchObject({ capturedBy: 'ended:expired', receiptId: null });
    expect(s.receipts.get('r1')?.refusedTransactionIds).toEqual([]); // released, not refused by anyone
    expect(await endAuthorization(s.deps, ending)).toEqual({ released: null }); // a redelivery changes nothing
  });

  it('an end delivered before its decision: the late decision opens no slot', async () => {
    const s = setup();
    const { slot } = slotAndCapture(s);
    const ending = {
      companyId: 'co',
      slotId: 'stripe:auth:ia_1',
      employeeId: 'e1',
      status: 'reversed',
      at: '2024-05-02T15:05:00Z',
    };
    expect(await endAuthorization(s.deps, ending)).toEqual({ released: null });
    expect(await s.txArrives(slot)).toEqual({ skipped: 'authorization already captured' });
    s.addReceipt({ id: 'r1' });
    expect(await s.receiptArrives('r1')).not.toHaveProperty('linked');
  });

  it('a slot never joins a sum', async () => {
    const s = setup();
    const { slot } = slotAndCapture(s);
    await s.txArrives({ ...slot, amount: { minor: 2100n, currency: 'EUR' } });
    await s.txArrives(s.newTx({ id: 'other', amountStr: '21.00', authorizedAt: '2024-05-02T16:00:00Z' }));
    s.addReceipt({ id: 'r1' });
    await s.receiptArrives('r1');
    const link = linkOf(s, 'r1');
    expect(link?.transactionIds ?? []).not.toContain('stripe:auth:ia_1');
  });
});
