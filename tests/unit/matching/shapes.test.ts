import { describe, expect, it } from 'vitest';
import { type MatchProposal, reconcile } from '../../../shared/domain/matching/index.ts';
import { receipt, tx } from './helpers.ts';

const pairs = (ps: readonly MatchProposal[], auto = true) =>
  ps
    .filter((p) => p.auto === auto)
    .map((p) => `${p.receiptId}-${p.transactionId}`)
    .sort();

describe('reconcile shapes', () => {
  it('one receipt ↔ one transaction, auto with reasons', () => {
    const { proposals } = reconcile([receipt()], [tx(), tx({ id: 't2', amountStr: '13.00' })]);
    expect(pairs(proposals)).toEqual(['r1-t1']);
    expect(proposals[0]?.reasons[0]).toBe('amount exact');
  });

  it('split shipment: one receipt ↔ the charges that sum to it', () => {
    const r = receipt({ vendor: 'Amazon.fr', totalStr: '89.97', date: '2024-05-04' });
    const base = { merchantName: 'AMZN Mktp FR*2K4L81', mcc: '5942' };
    const { proposals, chosen } = reconcile(
      [r],
      [
        tx({ ...base, id: 'a', amountStr: '29.99', authorizedAt: '2024-05-05T10:00:00Z' }),
        tx({ ...base, id: 'b', amountStr: '59.98', authorizedAt: '2024-05-09T10:00:00Z' }),
        tx({ ...base, id: 'c', amountStr: '12.00', authorizedAt: '2024-05-06T10:00:00Z' }),
      ],
    );
    expect(pairs(proposals)).toEqual(['r1-a', 'r1-b']);
    expect(chosen[0]?.shape).toBe('receipt-to-many');
    expect(proposals[0]?.reasons[0]).toBe('amount: sum of 2 transactions = receipt total (29.99 + 59.98 = 89.97 EUR)');
  });

  it('hotel deposit + final charge', () => {
    const r = receipt({ vendor: 'Hôtel Mercure Lyon Centre', totalStr: '412.00', date: '2024-05-10' });
    const base = { merchantName: 'MERCURE LYON CENTRE', mcc: '3503' };
    const { proposals } = reconcile(
      [r],
      [
        tx({ ...base, id: 'dep', amountStr: '100.00', authorizedAt: '2024-05-07T15:00:00Z' }),
        tx({ ...base, id: 'fin', amountStr: '312.00', authorizedAt: '2024-05-10T09:00:00Z' }),
      ],
    );
    expect(pairs(proposals)).toEqual(['r1-dep', 'r1-fin']);
    expect(proposals[0]?.reasons).toContain('hotel deposit + final charge');
  });

  it('several receipts ↔ one transaction', () => {
    const base = { vendor: 'Bureau Vallée', date: '2024-05-02' };
    const { proposals } = reconcile(
      [receipt({ ...base, id: 'x', totalStr: '30.00' }), receipt({ ...base, id: 'y', totalStr: '12.50' })],
      [tx({ merchantName: 'BUREAU VALLEE #12 LYON', mcc: '5943', amountStr: '42.50' })],
    );
    expect(pairs(proposals)).toEqual(['x-t1', 'y-t1']);
    expect(proposals[0]?.reasons[0]).toBe('amount: sum of 2 receipts = transaction amount (30.00 + 12.50 = 42.50 EUR)');
  });

  it('a refund links to its purchase, and through it to the purchase receipt', () => {
    const { proposals, refunds } = reconcile(
      [receipt()],
      [tx(), tx({ id: 'refund', amountStr: '-42.00', authorizedAt: '2024-05-12T10:00:00Z' })],
    );
    expect(refunds).toHaveLength(1);
    expect(refunds[0]?.purchaseTransactionId).toBe('t1');
    expect(pairs(proposals)).toEqual(['r1-refund', 'r1-t1']);
    expect(proposals.find((p) => p.transactionId === 'refund')?.reasons[0]).toBe(
      'refund of transaction t1 (full amount 42.00 EUR)',
    );
  });

  it('partial refunds never exceed the purchase', () => {
    const { refunds } = reconcile(
      [receipt()],
      [
        tx(),
        tx({ id: 'r-a', amountStr: '-30.00', authorizedAt: '2024-05-10T10:00:00Z' }),
        tx({ id: 'r-b', amountStr: '-30.00', authorizedAt: '2024-05-11T10:00:00Z' }),
      ],
    );
    expect(refunds).toHaveLength(1);
  });

  it('same amount at the same merchant on neighbouring days: each receipt takes its own day', () => {
    const { proposals } = reconcile(
      [receipt({ id: 'mon', date: '2024-05-06' }), receipt({ id: 'tue', date: '2024-05-07' })],
      [
        tx({ id: 'tmon', authorizedAt: '2024-05-06T08:30:00Z' }),
        tx({ id: 'ttue', authorizedAt: '2024-05-07T08:30:00Z' }),
      ],
    );
    expect(pairs(proposals)).toEqual(['mon-tmon', 'tue-ttue']);
  });

  it('two identical candidates on the same day: a suggestion, never an auto link', () => {
    const { proposals } = reconcile(
      [receipt()],
      [tx({ id: 'a', authorizedAt: '2024-05-02T10:00:00Z' }), tx({ id: 'b', authorizedAt: '2024-05-02T11:00:00Z' })],
    );
    expect(proposals.every((p) => !p.auto)).toBe(true);
    expect(proposals.map((p) => p.transactionId).sort()).toEqual(['a', 'b']);
  });

  it('a receipt without spend gets no auto link to another employee’s charge', () => {
    const { proposals } = reconcile([receipt({ employeeId: 'e2' })], [tx()]);
    expect(proposals).toEqual([]);
  });
});
