import { describe, expect, it } from 'vitest';
import { VAT_RULES, type VatLineContext, vatDeductibility } from '../../../shared/domain/ledger/index.ts';
import { eur } from './helpers.ts';

const invoice = { invoice: true, inCompanyName: true, vatCountry: 'FR' };
const ctx = (over: Partial<VatLineContext>): VatLineContext => ({
  date: '2024-06-01',
  kind: 'standard',
  evidence: invoice,
  ...over,
});
const rate = (over: Partial<VatLineContext>) => vatDeductibility(ctx(over)).deductibleRate;

describe('French VAT deductibility rules', () => {
  it('deducts ordinary purchases in full', () => {
    expect(vatDeductibility(ctx({}))).toMatchObject({
      deductibleRate: '1',
      reason: 'deductible',
      source: 'CGI art. 271',
    });
  });

  it.each([
    // [fuel, vehicle, date, expected]
    ['diesel', 'passenger-car', '2024-06-01', '0.8'],
    ['diesel', 'utility', '2024-06-01', '1'],
    ['e85', 'passenger-car', '2019-06-01', '0.8'],
    ['petrol', 'passenger-car', '2017-06-01', '0.1'],
    ['petrol', 'passenger-car', '2018-12-31', '0.2'],
    ['petrol', 'passenger-car', '2019-01-01', '0.4'],
    ['petrol', 'passenger-car', '2020-06-01', '0.6'],
    ['petrol', 'passenger-car', '2021-01-01', '0.8'],
    ['petrol', 'passenger-car', '2025-01-01', '0.8'],
    ['petrol', 'utility', '2017-06-01', '0'],
    ['petrol', 'utility', '2021-12-31', '0.8'],
    ['petrol', 'utility', '2022-01-01', '1'],
    ['lpg', 'passenger-car', '2024-06-01', '1'],
    ['natural-gas', 'utility', '2024-06-01', '1'],
    ['electricity', 'passenger-car', '2024-06-01', '1'],
  ] as const)('fuel: %s in a %s on %s → %s', (fuel, vehicle, date, expected) => {
    const d = vatDeductibility(ctx({ kind: 'fuel', fuel, vehicle, date }));
    expect(d.deductibleRate).toBe(expected);
    expect(d.source).toMatch(/CGI art\. 298, 4-1°/);
  });

  it('refuses fuel before the dated rules start, and fuel without the vehicle kind', () => {
    expect(
      vatDeductibility(ctx({ kind: 'fuel', fuel: 'petrol', vehicle: 'utility', date: '2016-12-31' })),
    ).toMatchObject({
      deductibleRate: '0',
      reason: 'no-rule-in-force',
    });
    expect(vatDeductibility(ctx({ kind: 'fuel', fuel: 'diesel' }))).toMatchObject({
      deductibleRate: '0',
      reason: 'missing-detail',
    });
  });

  it('never deducts passenger transport or staff lodging; deducts lodging of third parties', () => {
    expect(vatDeductibility(ctx({ kind: 'passenger-transport' }))).toMatchObject({
      deductibleRate: '0',
      reason: 'passenger-transport',
      source: expect.stringContaining('206 IV-2-5°'),
    });
    expect(vatDeductibility(ctx({ kind: 'lodging', beneficiary: 'staff' }))).toMatchObject({
      deductibleRate: '0',
      reason: 'staff-lodging',
      source: expect.stringContaining('206 IV-2-2°'),
    });
    expect(rate({ kind: 'lodging', beneficiary: 'third-party' })).toBe('1');
    expect(rate({ kind: 'vehicle-costs', vehicle: 'passenger-car' })).toBe('0');
    expect(rate({ kind: 'vehicle-costs', vehicle: 'utility' })).toBe('1');
  });

  it('deducts meals and receptions only on an invoice in the company’s name', () => {
    expect(rate({ kind: 'meal' })).toBe('1');
    expect(vatDeductibility(ctx({ kind: 'reception', evidence: { ...invoice, inCompanyName: false } }))).toMatchObject({
      deductibleRate: '0',
      reason: 'invoice-not-in-company-name',
    });
    // Office supplies on an invoice not in the company's name stay deductible (simplified invoices ≤ 150 € HT)
    expect(rate({ evidence: { ...invoice, inCompanyName: false } })).toBe('1');
  });

  it('deducts nothing without a proper invoice, nor foreign VAT', () => {
    expect(vatDeductibility(ctx({ evidence: { ...invoice, invoice: false } }))).toMatchObject({
      reason: 'no-invoice',
      deductibleRate: '0',
    });
    expect(vatDeductibility(ctx({ evidence: { ...invoice, vatCountry: 'DE' } }))).toMatchObject({
      reason: 'foreign-vat',
      deductibleRate: '0',
    });
  });

  it('applies the dated gift limit per beneficiary and year (69 € TTC 2016–2020, 73 € TTC since 2021)', () => {
    const gift = (date: string, value: string, prior: string) =>
      vatDeductibility(
        ctx({
          kind: 'gift',
          date,
          gift: { beneficiaryId: 'client-1', valueInclVat: eur(value), priorThisYearInclVat: eur(prior) },
        }),
      );
    expect(gift('2024-12-01', '73.00', '0')).toMatchObject({ deductibleRate: '1', ruleId: 'gift-limit-2021' });
    expect(gift('2024-12-01', '73.01', '0')).toMatchObject({ deductibleRate: '0', reason: 'gift-over-limit' });
    expect(gift('2024-12-01', '40.00', '40.00')).toMatchObject({ deductibleRate: '0', reason: 'gift-over-limit' });
    expect(gift('2020-12-31', '70.00', '0')).toMatchObject({ deductibleRate: '0', ruleId: 'gift-limit-2016' });
    expect(gift('2021-01-01', '70.00', '0')).toMatchObject({ deductibleRate: '1', ruleId: 'gift-limit-2021' });
    expect(gift('2015-06-01', '10.00', '0')).toMatchObject({ deductibleRate: '0', reason: 'no-rule-in-force' });
    expect(vatDeductibility(ctx({ kind: 'gift' }))).toMatchObject({ deductibleRate: '0', reason: 'missing-detail' });
  });

  it('keeps every rule dated, sourced, and without overlapping windows for the same case', () => {
    for (const r of VAT_RULES) {
      expect(r.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.validTo === null || r.validTo >= r.validFrom).toBe(true);
      expect(r.source.length).toBeGreaterThan(5);
    }
    const cases = new Map<string, typeof VAT_RULES>();
    for (const r of VAT_RULES) {
      const k = JSON.stringify([r.kind, r.when ?? {}]);
      cases.set(k, [...(cases.get(k) ?? []), r]);
    }
    for (const rules of cases.values()) {
      const sorted = [...rules].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1];
        expect(prev?.validTo !== null && (prev?.validTo ?? '') < (sorted[i]?.validFrom ?? '')).toBe(true);
      }
    }
  });
});
