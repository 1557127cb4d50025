import { describe, expect, it } from 'vitest';
import { convertMoney, type RateSource, scorePair } from '../../../shared/domain/matching/index.ts';
import { parseMoney } from '../../../shared/domain/money.ts';
import { receipt, tx } from './helpers.ts';

describe('amount', () => {
  it('exact amount', () => {
    const s = scorePair(receipt(), tx());
    expect(s.rejected).toBeNull();
    expect(s.reasons[0]).toBe('amount exact');
    expect(s.score).toBeGreaterThan(0.9);
  });

  it('restaurant tip within tolerance, with the percentage', () => {
    const s = scorePair(receipt({ totalStr: '80.00' }), tx({ amountStr: '92.00', mcc: '5812' }));
    expect(s.reasons[0]).toBe('amount within restaurant tip tolerance (+15.0 %)');
    expect(s.components.amount).toBeLessThan(1);
  });

  it('taxi tip (4121) accepted, same difference refused for a shop', () => {
    expect(scorePair(receipt({ totalStr: '30.00' }), tx({ amountStr: '33.00', mcc: '4121' })).rejected).toBeNull();
    expect(scorePair(receipt({ totalStr: '30.00' }), tx({ amountStr: '33.00', mcc: '5943' })).rejected).toBe(
      'amount out of tolerance',
    );
  });

  it('tips beyond the tolerance or below the printed total are refused', () => {
    expect(scorePair(receipt({ totalStr: '80.00' }), tx({ amountStr: '110.00', mcc: '5812' })).rejected).not.toBeNull();
    expect(scorePair(receipt({ totalStr: '80.00' }), tx({ amountStr: '79.00', mcc: '5812' })).rejected).not.toBeNull();
  });

  it('foreign currency compared with the merchant amount', () => {
    const s = scorePair(
      receipt({ totalStr: '45.00', currency: 'USD' }),
      tx({ amountStr: '42.57', merchant: ['45.00', 'USD'] }),
    );
    expect(s.reasons[0]).toBe('foreign currency: receipt 45.00 USD = merchant amount');
    expect(s.components.amount).toBe(1);
  });

  it('foreign currency with a tip on the merchant amount', () => {
    const s = scorePair(
      receipt({ totalStr: '40.00', currency: 'USD' }),
      tx({ amountStr: '42.57', merchant: ['46.00', 'USD'], mcc: '5812' }),
    );
    expect(s.reasons[0]).toBe('foreign currency: receipt 40.00 USD: amount within restaurant tip tolerance (+15.0 %)');
  });

  it('foreign currency through a rate source, allowing the card fee', () => {
    const rates: RateSource = (from, to) => (from === 'USD' && to === 'EUR' ? '0.92' : null);
    const r = receipt({ totalStr: '100.00', currency: 'USD' });
    const ok = scorePair(r, tx({ amountStr: '94.76' }), { rateSource: rates }); // 92.00 + 3 %
    expect(ok.rejected).toBeNull();
    expect(ok.reasons[0]).toMatch(/^foreign currency: receipt 100.00 USD ≈ 92.00 EUR at 0.92 \(card FX fee \+3.0 %\)$/);
    expect(scorePair(r, tx({ amountStr: '99.00', mcc: '5943' }), { rateSource: rates }).rejected).toBe(
      'amount out of tolerance',
    );
    // Without a rate: not comparable, weak at best.
    const none = scorePair(r, tx({ amountStr: '94.76' }));
    expect(none.score).toBeLessThan(0.8);
  });

  it('a refund never matches a purchase receipt (signs differ)', () => {
    expect(scorePair(receipt(), tx({ amountStr: '-42.00' })).rejected).toBe('amount out of tolerance');
    expect(scorePair(receipt({ totalStr: '-42.00' }), tx({ amountStr: '-42.00' })).rejected).toBeNull();
  });

  it('converts exactly across exponents', () => {
    expect(convertMoney(parseMoney('1000', 'JPY'), '0.0061', 'EUR')).toEqual(parseMoney('6.10', 'EUR'));
    expect(convertMoney(parseMoney('10.00', 'EUR'), '163.5', 'JPY')).toEqual(parseMoney('1635', 'JPY'));
    expect(convertMoney(parseMoney('1.005', 'KWD'), '2.5', 'EUR')).toEqual(parseMoney('2.51', 'EUR')); // 2.5125 → half-even
  });
});

describe('date', () => {
  it('same day scores best; time-zone slack is plausible but weaker', () => {
    const same = scorePair(receipt({ date: '2024-05-02' }), tx({ authorizedAt: '2024-05-02T15:00:00Z' }));
    const west = scorePair(receipt({ date: '2024-05-01' }), tx({ authorizedAt: '2024-05-02T03:00:00Z' }));
    expect(same.reasons[1]).toBe('date same day as authorization');
    expect(west.reasons[1]).toBe('date 1 day before authorization (time zone slack)');
    expect(west.components.date).toBeLessThan(same.components.date);
  });

  it('receipt days before a late authorization / posting', () => {
    const s = scorePair(receipt({ date: '2024-04-29' }), tx({ authorizedAt: '2024-05-02T15:00:00Z' }));
    expect(s.reasons[1]).toBe('date 3 days before authorization');
    const noAuth = scorePair(
      receipt({ date: '2024-04-25' }),
      tx({ authorizedAt: '2024-05-02T15:00:00Z', postedAt: '2024-05-02T15:00:00Z' }),
    );
    expect(noAuth.reasons[1]).toMatch(/late posting/);
  });

  it('hotel stay: receipt at checkout, authorization at check-in', () => {
    const s = scorePair(
      receipt({ vendor: 'Hôtel Mercure Lyon Centre', date: '2024-05-06', totalStr: '400.00' }),
      tx({
        merchantName: 'MERCURE LYON CENTRE',
        mcc: '3503',
        amountStr: '400.00',
        authorizedAt: '2024-05-02T15:00:00Z',
      }),
    );
    expect(s.reasons[1]).toBe('hotel stay: receipt (checkout) 4 nights after check-in authorization');
    // The same gap is out of window for a shop.
    expect(scorePair(receipt({ date: '2024-05-20' }), tx({ authorizedAt: '2024-05-02T15:00:00Z' })).rejected).toBe(
      'date out of window',
    );
  });
});

describe('merchant, card, employee', () => {
  it('explains the merchant similarity', () => {
    const s = scorePair(receipt(), tx({ merchantName: 'SQ *BLUE BOTTLE' }));
    expect(s.reasons[2]).toMatch(/^merchant similar: 'SQ \*BLUE BOTTLE' ~ 'Blue Bottle Coffee' \(0\.\d\d\)$/);
  });

  it('card last 4: a match helps, a mismatch costs', () => {
    const match = scorePair(receipt({ cardLast4: '4242' }), tx());
    const unknown = scorePair(receipt(), tx());
    const other = scorePair(receipt({ cardLast4: '1111' }), tx());
    expect(match.reasons).toContain('card last 4 match');
    expect(match.score).toBeGreaterThan(unknown.score);
    expect(other.score).toBeLessThan(unknown.score - 0.2);
  });

  it('a different known employee is a hard no; an unknown one is neutral', () => {
    expect(scorePair(receipt({ employeeId: 'e2' }), tx()).rejected).toBe('different employee');
    const unknown = scorePair(receipt({ employeeId: null }), tx());
    expect(unknown.rejected).toBeNull();
    expect(unknown.reasons).not.toContain('same employee');
    expect(scorePair(receipt(), tx()).reasons).toContain('same employee');
  });

  it('category hints confirm the MCC', () => {
    const s = scorePair(receipt({ category: 'restaurant' }), tx({ mcc: '5812' }));
    expect(s.reasons).toContain('category restaurant matches MCC 5812');
  });
});
