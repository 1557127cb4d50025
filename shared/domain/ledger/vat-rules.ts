/**
 * French VAT deductibility per expense line, as dated rules kept in data. Each rule has a validity window and the
 * text it comes from; `vatDeductibility` picks the rule in force on the line's date. Outside every window the answer
 * is "not deductible" with the reason saying so: booking less VAT than allowed is a cost, booking more is a
 * tax reassessment.
 *
 * Sources (checked for this module; BOFiP = Bulletin officiel des finances publiques):
 * - general right to deduct, with the VAT shown on an invoice: CGI art. 271 (II-1-a and II-2); the invoice names the
 *   parties: CGI art. 289 II and ann. II art. 242 nonies A (BOI-TVA-DED-40-10-20, BOI-TVA-DECLA-30-20-20-10).
 * - exclusions, CGI ann. II art. 206 IV-2: 2° free lodging of managers and staff (BOI-TVA-DED-30-30-10);
 *   3° goods given away, except goods of very low value (see gifts below);
 *   5° passenger transport and its accessory services (BOI-TVA-DED-30-30-30);
 *   6°–7° vehicles designed to carry people and their parts (BOI-TVA-DED-30-30-20).
 * - fuel: CGI art. 298, 4-1° as amended by loi n° 2016-1917 (LF 2017) art. 31, which aligned petrol on diesel over
 *   2017–2022 (BOI-TVA-DED-30-30-40): diesel and E85 80 % in passenger cars, 100 % in utility vehicles; petrol
 *   10/20/40/60/80 % (2017→2021+) in passenger cars, 0/20/40/60/80/100 % (2017→2022+) in utility vehicles. LPG, natural
 *   gas and electricity are not among the restricted petroleum products: ordinary rules (100 %).
 * - gifts: "very low value" = at most 69 € TTC per beneficiary per year from 1 January 2016 (arrêté du 10 juin 2016),
 *   73 € TTC from 1 January 2021 (BOFiP update of 17 May 2021, BOI-IR-RICI-390 § 220), CGI ann. IV art. 28-00 A.
 * - meals and receptions: deductible since 1 January 2008 (the former 206 IV-2-3° exclusion was narrowed), provided
 *   the invoice names the company (a till receipt in no one's name does not carry the right to deduct).
 */
import { type Money, parseMoney } from '../money.ts';

export type VatKind =
  | 'standard'
  | 'fuel'
  | 'passenger-transport'
  | 'lodging'
  | 'meal'
  | 'reception'
  | 'gift'
  | 'vehicle-costs';

export type FuelType = 'diesel' | 'petrol' | 'e85' | 'lpg' | 'natural-gas' | 'electricity';
export type VehicleKind = 'passenger-car' | 'utility';

export interface VatEvidence {
  /** A proper invoice showing the VAT (not a card slip or a till receipt without VAT detail). */
  invoice: boolean;
  /** The invoice names the company as the customer. */
  inCompanyName: boolean;
  /** Country whose VAT was charged (ISO 3166-1 alpha-2). Only French VAT goes to the French return. */
  vatCountry: string;
}

export interface VatLineContext {
  /** Date of the operation (the receipt's date), YYYY-MM-DD. */
  date: string;
  kind: VatKind;
  evidence: VatEvidence;
  fuel?: FuelType;
  vehicle?: VehicleKind;
  /** Lodging: for the company's own managers and staff, or for third parties (clients, guests). */
  beneficiary?: 'staff' | 'third-party';
  /** Gifts: TTC value of this gift and of the gifts already given to the same beneficiary in the calendar year. */
  gift?: { beneficiaryId: string; valueInclVat: Money; priorThisYearInclVat: Money };
}

export type VatReason =
  | 'deductible'
  | 'foreign-vat'
  | 'no-invoice'
  | 'invoice-not-in-company-name'
  | 'staff-lodging'
  | 'passenger-transport'
  | 'fuel-partial'
  | 'fuel-not-deductible'
  | 'passenger-car-costs'
  | 'gift-over-limit'
  | 'missing-detail'
  | 'no-rule-in-force';

export interface VatDecision {
  /** Share of the VAT that is deductible, as a decimal string: "0", "0.8", "1". */
  deductibleRate: string;
  reason: VatReason;
  /** Id of the dated rule applied (or of the check that failed), with its source. */
  ruleId: string;
  source: string;
}

export interface DatedRule {
  id: string;
  kind: VatKind;
  /** Matches when every given field equals the context's. */
  when?: { fuel?: FuelType; vehicle?: VehicleKind; beneficiary?: 'staff' | 'third-party' };
  validFrom: string;
  /** Inclusive; null while in force. */
  validTo: string | null;
  deductibleRate: string;
  reason: VatReason;
  source: string;
}

const FUEL_SOURCE = 'CGI art. 298, 4-1° (LF 2017 art. 31); BOI-TVA-DED-30-30-40';
const LAW_2008 = '2008-01-01';

const petrol = (vehicle: VehicleKind, steps: readonly [string, string | null, string][]): DatedRule[] =>
  steps.map(([validFrom, validTo, rate]) => ({
    id: `fuel-petrol-${vehicle}-${validFrom.slice(0, 4)}`,
    kind: 'fuel',
    when: { fuel: 'petrol', vehicle },
    validFrom,
    validTo,
    deductibleRate: rate,
    reason: rate === '1' ? 'deductible' : rate === '0' ? 'fuel-not-deductible' : 'fuel-partial',
    source: FUEL_SOURCE,
  }));

export const VAT_RULES: readonly DatedRule[] = [
  {
    id: 'standard',
    kind: 'standard',
    validFrom: '1968-01-01',
    validTo: null,
    deductibleRate: '1',
    reason: 'deductible',
    source: 'CGI art. 271',
  },
  {
    id: 'meal',
    kind: 'meal',
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '1',
    reason: 'deductible',
    source: 'CGI ann. II art. 206 IV-2 (restaurant and reception costs deductible since 2008); CGI art. 271',
  },
  {
    id: 'reception',
    kind: 'reception',
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '1',
    reason: 'deductible',
    source: 'CGI ann. II art. 206 IV-2 (restaurant and reception costs deductible since 2008); CGI art. 271',
  },
  {
    id: 'lodging-staff',
    kind: 'lodging',
    when: { beneficiary: 'staff' },
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '0',
    reason: 'staff-lodging',
    source: 'CGI ann. II art. 206 IV-2-2°; BOI-TVA-DED-30-30-10',
  },
  {
    id: 'lodging-third-party',
    kind: 'lodging',
    when: { beneficiary: 'third-party' },
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '1',
    reason: 'deductible',
    source: 'CGI ann. II art. 206 IV-2-2° (applies to managers and staff only); CGI art. 271',
  },
  {
    id: 'passenger-transport',
    kind: 'passenger-transport',
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '0',
    reason: 'passenger-transport',
    source: 'CGI ann. II art. 206 IV-2-5°; BOI-TVA-DED-30-30-30',
  },
  {
    id: 'vehicle-costs-passenger-car',
    kind: 'vehicle-costs',
    when: { vehicle: 'passenger-car' },
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '0',
    reason: 'passenger-car-costs',
    source: 'CGI ann. II art. 206 IV-2-6° and 7°; BOI-TVA-DED-30-30-20',
  },
  {
    id: 'vehicle-costs-utility',
    kind: 'vehicle-costs',
    when: { vehicle: 'utility' },
    validFrom: LAW_2008,
    validTo: null,
    deductibleRate: '1',
    reason: 'deductible',
    source: 'CGI art. 271 (utility vehicles are outside the 206 IV-2-6° exclusion)',
  },
  ...(['diesel', 'e85'] as const).flatMap((fuel): DatedRule[] => [
    {
      id: `fuel-${fuel}-passenger-car`,
      kind: 'fuel',
      when: { fuel, vehicle: 'passenger-car' },
      validFrom: '2017-01-01',
      validTo: null,
      deductibleRate: '0.8',
      reason: 'fuel-partial',
      source: FUEL_SOURCE,
    },
    {
      id: `fuel-${fuel}-utility`,
      kind: 'fuel',
      when: { fuel, vehicle: 'utility' },
      validFrom: '2017-01-01',
      validTo: null,
      deductibleRate: '1',
      reason: 'deductible',
      source: FUEL_SOURCE,
    },
  ]),
  ...petrol('passenger-car', [
    ['2017-01-01', '2017-12-31', '0.1'],
    ['2018-01-01', '2018-12-31', '0.2'],
    ['2019-01-01', '2019-12-31', '0.4'],
    ['2020-01-01', '2020-12-31', '0.6'],
    ['2021-01-01', null, '0.8'],
  ]),
  ...petrol('utility', [
    ['2017-01-01', '2017-12-31', '0'],
    ['2018-01-01', '2018-12-31', '0.2'],
    ['2019-01-01', '2019-12-31', '0.4'],
    ['2020-01-01', '2020-12-31', '0.6'],
    ['2021-01-01', '2021-12-31', '0.8'],
    ['2022-01-01', null, '1'],
  ]),
  ...(['lpg', 'natural-gas', 'electricity'] as const).map(
    (fuel): DatedRule => ({
      id: `fuel-${fuel}`,
      kind: 'fuel',
      when: { fuel },
      validFrom: '2017-01-01',
      validTo: null,
      deductibleRate: '1',
      reason: 'deductible',
      source: `${FUEL_SOURCE} (not a restricted product: ordinary rules)`,
    }),
  ),
];

export interface GiftLimit {
  validFrom: string;
  validTo: string | null;
  /** TTC, per beneficiary and calendar year. */
  limitInclVat: Money;
  source: string;
}

export const GIFT_LIMITS: readonly GiftLimit[] = [
  {
    validFrom: '2016-01-01',
    validTo: '2020-12-31',
    limitInclVat: parseMoney('69', 'EUR'),
    source: 'CGI ann. II art. 206 IV-2-3°; CGI ann. IV art. 28-00 A; arrêté du 10 juin 2016',
  },
  {
    validFrom: '2021-01-01',
    validTo: null,
    limitInclVat: parseMoney('73', 'EUR'),
    source: 'CGI ann. II art. 206 IV-2-3°; CGI ann. IV art. 28-00 A; BOFiP 17 May 2021 (BOI-IR-RICI-390 § 220)',
  },
];

const inForce = (r: { validFrom: string; validTo: string | null }, date: string): boolean =>
  r.validFrom <= date && (r.validTo === null || date <= r.validTo);

const decision = (deductibleRate: string, reason: VatReason, ruleId: string, source: string): VatDecision => ({
  deductibleRate,
  reason,
  ruleId,
  source,
});

/**
 * The deductible share of one line's VAT, and why. Order: French VAT only, a proper invoice, an invoice in the
 * company's name for meals and receptions, the gift limit, then the dated rule for the line's kind.
 */
export const vatDeductibility = (ctx: VatLineContext, rules: readonly DatedRule[] = VAT_RULES): VatDecision => {
  if (ctx.evidence.vatCountry !== 'FR') {
    return decision(
      '0',
      'foreign-vat',
      'foreign-vat',
      'CGI art. 271 (foreign VAT is refunded under Directive 2008/9/EC)',
    );
  }
  if (!ctx.evidence.invoice) return decision('0', 'no-invoice', 'invoice-required', 'CGI art. 271 II-2; art. 289');
  if ((ctx.kind === 'meal' || ctx.kind === 'reception') && !ctx.evidence.inCompanyName) {
    return decision(
      '0',
      'invoice-not-in-company-name',
      'invoice-in-company-name',
      'CGI art. 289 II, ann. II art. 242 nonies A',
    );
  }
  if (ctx.kind === 'gift') {
    const limit = GIFT_LIMITS.find((l) => inForce(l, ctx.date));
    if (!limit) return decision('0', 'no-rule-in-force', 'gift-limit', 'CGI ann. IV art. 28-00 A');
    if (!ctx.gift) return decision('0', 'missing-detail', 'gift-limit', limit.source);
    const { valueInclVat, priorThisYearInclVat } = ctx.gift;
    if (
      valueInclVat.currency !== limit.limitInclVat.currency ||
      priorThisYearInclVat.currency !== limit.limitInclVat.currency
    ) {
      return decision('0', 'missing-detail', 'gift-limit', `${limit.source} (values must be in EUR)`);
    }
    const cumulated = valueInclVat.minor + priorThisYearInclVat.minor;
    return cumulated <= limit.limitInclVat.minor
      ? decision('1', 'deductible', `gift-limit-${limit.validFrom.slice(0, 4)}`, limit.source)
      : decision('0', 'gift-over-limit', `gift-limit-${limit.validFrom.slice(0, 4)}`, limit.source);
  }
  const candidates = rules.filter((r) => r.kind === ctx.kind && inForce(r, ctx.date));
  if (candidates.length === 0) return decision('0', 'no-rule-in-force', `${ctx.kind}`, 'no dated rule for this date');
  const rule = candidates.find((r) => {
    const w = r.when ?? {};
    return (
      (w.fuel === undefined || w.fuel === ctx.fuel) &&
      (w.vehicle === undefined || w.vehicle === ctx.vehicle) &&
      (w.beneficiary === undefined || w.beneficiary === ctx.beneficiary)
    );
  });
  if (!rule) {
    return decision('0', 'missing-detail', ctx.kind, `${ctx.kind} needs ${describeNeeds(ctx.kind)} to pick a rule`);
  }
  return decision(rule.deductibleRate, rule.reason, rule.id, rule.source);
};

const describeNeeds = (kind: VatKind): string =>
  kind === 'fuel' ? 'fuel type and vehicle kind' : kind === 'lodging' ? 'the beneficiary' : 'the vehicle kind';
