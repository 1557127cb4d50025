import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ibanCheckDigits, validateBic, validateIban } from '../../../shared/domain/expenses/iban.ts';
import {
  buildPain001,
  escapeXml,
  expenseIdFromEndToEndId,
  InvalidTransferFileError,
  planReimbursements,
} from '../../../shared/domain/expenses/sepa.ts';
import { eur, expense } from './helpers.ts';
import { validatePain001 } from './pain001-schema.ts';

describe('IBAN and BIC', () => {
  it.each([
    'FR76 3000 6000 0112 3456 7890 189',
    'DE89370400440532013000',
    'gb82 west 1234 5698 7654 32',
    'BE68539007547034',
    'NO9386011117947',
  ])('accepts %s', (iban) => {
    expect(validateIban(iban).ok).toBe(true);
  });

  it('explains what is wrong', () => {
    expect(validateIban('FR7630006000011234567890188')).toEqual({ ok: false, reason: 'wrong check digits' });
    expect(validateIban('FR76300060000112345678901')).toEqual({
      ok: false,
      reason: 'a FR IBAN has 27 characters, not 25',
    });
    expect(validateIban('US12345678901234')).toMatchObject({ ok: false, reason: 'US does not use IBANs' });
    expect(validateIban('12FR')).toMatchObject({ ok: false });
  });

  it('detects every single-digit substitution (mod 97)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{23}$/), fc.nat(22), fc.integer({ min: 1, max: 9 }), (bban, pos, delta) => {
        const iban = `FR${ibanCheckDigits('FR', bban)}${bban}`;
        expect(validateIban(iban).ok).toBe(true);
        const digit = (Number(bban[pos]) + delta) % 10;
        const typo = `${iban.slice(0, 4 + pos)}${digit}${iban.slice(5 + pos)}`;
        expect(validateIban(typo).ok).toBe(false);
      }),
    );
  });

  it('checks BIC format as the pain.001 XSD does', () => {
    expect(validateBic('BNPAFRPP')).toEqual({ ok: true, bic: 'BNPAFRPP' });
    expect(validateBic('bnpa fr pp xxx')).toEqual({ ok: true, bic: 'BNPAFRPPXXX' });
    expect(validateBic('BNPAFR').ok).toBe(false);
    expect(validateBic('BNPAFR1P').ok).toBe(false); // 7th character 0/1 not allowed
    expect(validateBic('BNPAFRPO').ok).toBe(false); // 8th character O not allowed
  });
});

const alice = { name: 'Alice Dupré & Fils <SARL>', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: null };
const bob = { name: 'Bob "O\'Neil"', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' };
const company = { name: 'ACME Café SAS', iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPPAR' };

const approved = (id: string, employeeId: string, amount: string, over = {}) =>
  expense({ id, employeeId, amount: eur(amount), status: 'APPROVED', description: 'Dîner client', ...over });

describe('reimbursement batch (pain.001.001.03)', () => {
  const batch = [
    approved('exp_A', 'u_alice', '42.10'),
    approved('exp_B', 'u_bob', '1234.56'),
    approved('exp_C', 'u_alice', '0.09', {
      type: 'mileage',
      mileage: {
        fiscalYear: 2025,
        fiscalHorsepower: 4,
        electric: false,
        distanceKm: 1,
        priorDistanceKm: 0,
        from: 'a',
        to: 'b',
      },
    }),
    approved('exp_D', 'u_alice', '10.00', { type: 'card', cardTransactionIds: ['itx'] }),
    approved('exp_E', 'u_alice', '10.00', { status: 'SUBMITTED' }),
    approved('exp_F', 'u_carol', '10.00'),
    approved('exp_G', 'u_alice', '10.00', { amount: { minor: 1000n, currency: 'USD' } }),
    approved('exp_H', 'u_alice', '10.00'),
    approved('exp_I', 'u_bad', '10.00'),
  ];
  const payees = { u_alice: alice, u_bob: bob, u_bad: { name: 'Bad', iban: 'FR7630006000011234567890188', bic: null } };

  it('pays approved employee-paid EUR expenses and says why the others are left out', () => {
    const plan = planReimbursements(batch, payees, new Set(['exp_H']));
    expect(plan.transfers.map((t) => t.endToEndId)).toEqual(['exp-A', 'exp-B', 'exp-C']);
    expect(expenseIdFromEndToEndId('exp-A')).toBe('exp_A');
    expect(plan.excluded).toEqual([
      { expenseId: 'exp_D', reason: 'paid by the company card: nothing to reimburse' },
      { expenseId: 'exp_E', reason: 'not approved (SUBMITTED)' },
      { expenseId: 'exp_F', reason: 'no bank details for u_carol' },
      { expenseId: 'exp_G', reason: 'SEPA pays EUR, the expense is in USD' },
      { expenseId: 'exp_H', reason: 'already in a reimbursement' },
      { expenseId: 'exp_I', reason: 'employee IBAN: wrong check digits' },
    ]);
  });

  const file = () =>
    buildPain001({
      messageId: 'QTC-20260302-0001',
      paymentInfoId: 'QTC-20260302-0001-1',
      createdAt: '2026-03-02T09:15:42.123Z',
      requestedExecutionDate: '2026-03-03',
      debtor: company,
      transfers: planReimbursements(batch, payees, new Set(['exp_H'])).transfers,
    });

  it('is valid against the pain.001.001.03 schema rules', () => {
    expect(validatePain001(file())).toEqual([]);
  });

  it('has exact counts and control sums, 2-decimal amounts, escaped names, ISO dates', () => {
    const xml = file();
    const doc = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      isArray: (n) => n === 'CdtTrfTxInf',
    }).parse(xml);
    const init = doc.Document.CstmrCdtTrfInitn;
    expect(init.GrpHdr).toMatchObject({ NbOfTxs: '3', CtrlSum: '1276.75', CreDtTm: '2026-03-02T09:15:42' });
    expect(init.PmtInf).toMatchObject({
      NbOfTxs: '3',
      CtrlSum: '1276.75',
      ReqdExctnDt: '2026-03-03',
      PmtMtd: 'TRF',
      ChrgBr: 'SLEV',
    });
    expect(init.PmtInf.DbtrAcct.Id.IBAN).toBe('FR1420041010050500013M02606');
    const txs = init.PmtInf.CdtTrfTxInf;
    expect(txs.map((t: { Amt: { InstdAmt: { '#text': string } } }) => t.Amt.InstdAmt['#text'])).toEqual([
      '42.10',
      '1234.56',
      '0.09',
    ]);
    expect(txs[0].Cdtr.Nm).toBe('Alice Dupré & Fils <SARL>');
    expect(txs[0].CdtrAgt).toBeUndefined();
    expect(txs[1].CdtrAgt.FinInstnId.BIC).toBe('COBADEFFXXX');
    expect(txs[0].RmtInf.Ustrd).toBe('Note de frais exp_A du 2026-03-02 Dîner client');
    expect(xml).toContain('<Nm>Alice Dupré &amp; Fils &lt;SARL&gt;</Nm>');
    expect(xml).toContain('<Nm>Bob &quot;O&apos;Neil&quot;</Nm>');
  });

  it('the validator is not vacuous: it catches order, occurrence and facet errors', () => {
    const xml = file();
    expect(
      validatePain001(
        xml.replace(
          '<PmtMtd>TRF</PmtMtd>\n      <BtchBookg>true</BtchBookg>',
          '<BtchBookg>true</BtchBookg>\n      <PmtMtd>TRF</PmtMtd>',
        ),
      ),
    ).not.toEqual([]);
    expect(
      validatePain001(xml.replace(/<PmtId><EndToEndId>exp-A<\/EndToEndId><\/PmtId>/, '<PmtId></PmtId>')),
    ).toContainEqual(expect.stringContaining('missing EndToEndId'));
    expect(validatePain001(xml.replace('>42.10<', '>42.101234<'))).toContainEqual(
      expect.stringContaining('fraction digits'),
    );
    expect(validatePain001(xml.replace('Ccy="EUR"', 'Ccy="euro"'))).not.toEqual([]);
    expect(
      validatePain001(xml.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>SLEV</ChrgBr><ChrgBr>SLEV</ChrgBr>')),
    ).not.toEqual([]);
    expect(validatePain001(xml.replace('PSSTFRPPPAR', 'PSSTFR1PPAR'))).not.toEqual([]);
    expect(validatePain001(xml.replace('pain.001.001.03"', 'pain.001.001.09"'))).not.toEqual([]);
    expect(validatePain001(xml.replace('</Document>', ''))[0]).toMatch(/not well-formed/);
  });

  it('keeps CtrlSum exact for any batch (never floats)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 99_999_999_999n }), { minLength: 1, maxLength: 30 }),
        (amounts) => {
          const transfers = amounts.map((minor, i) => ({
            endToEndId: `exp-${i}`,
            amount: { minor, currency: 'EUR' },
            creditor: alice,
            remittance: 'r',
          }));
          const xml = buildPain001({
            messageId: 'M',
            paymentInfoId: 'P',
            createdAt: '2026-03-02T09:00:00Z',
            requestedExecutionDate: '2026-03-03',
            debtor: company,
            transfers,
          });
          const total = amounts.reduce((a, b) => a + b, 0n);
          const expected = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
          expect(xml).toContain(`<CtrlSum>${expected}</CtrlSum>`);
          expect(validatePain001(xml)).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses to build an invalid file', () => {
    const t = planReimbursements(batch, payees).transfers;
    const input = {
      messageId: 'M',
      paymentInfoId: 'P',
      createdAt: '2026-03-02T09:00:00Z',
      requestedExecutionDate: '2026-03-03',
      debtor: company,
      transfers: t,
    };
    expect(() => buildPain001({ ...input, transfers: [] })).toThrow(InvalidTransferFileError);
    expect(() => buildPain001({ ...input, messageId: 'x'.repeat(36) })).toThrow(/MsgId/);
    expect(() => buildPain001({ ...input, debtor: { ...company, iban: 'FR1420041010050500013M02607' } })).toThrow(
      /debtor IBAN/,
    );
    expect(() => buildPain001({ ...input, transfers: [...t, t[0] as (typeof t)[number]] })).toThrow(/appears twice/);
  });

  it('escapes XML specials and drops forbidden control characters', () => {
    expect(escapeXml(`a&b<c>d"e'f\u0001g`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;fg');
  });
});
