/**
 * Our SEPA reimbursement files against the official pain.001.001.03 schema (the SEPA-restricted XSD published by
 * the German banking industry in the ISO namespace, tests/fixtures/sepa), validated by the JDK's XML Schema
 * validator — the same check a bank's file intake does first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPain001 } from '../../../shared/domain/expenses/sepa.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const XSD = join(ROOT, 'tests/fixtures/sepa/pain.001.001.03.xsd');

/** Validates every document in one JVM run; returns each one's first error, or null when valid. */
const validate = (docs: string[]): (string | null)[] => {
  const dir = mkdtempSync(join(tmpdir(), 'pain001-'));
  const files = docs.map((xml, i) => {
    const f = join(dir, `${i}.xml`);
    writeFileSync(f, xml);
    return f;
  });
  const out = execFileSync('java', [join(ROOT, 'tests/support/xsd/XsdValidate.java'), XSD, ...files], {
    encoding: 'utf8',
  });
  const byFile = new Map(
    out
      .trim()
      .split('\n')
      .map((line) => {
        const [status, file, error] = line.split('\t');
        return [file, status === 'OK' ? null : (error ?? 'invalid')] as const;
      }),
  );
  return files.map((f) => {
    if (!byFile.has(f)) throw new Error(`validator said nothing about ${f}: ${out}`);
    return byFile.get(f) ?? null;
  });
};

const company = { name: 'Demo SAS', iban: 'FR7630006000011234567890189', bic: 'BNPAFRPPXXX' };
const alice = { name: 'Alice Martin', iban: 'DE89370400440532013000', bic: null };
const file = (transfers: Parameters<typeof buildPain001>[0]['transfers']) =>
  buildPain001({
    messageId: 'QTC-20260302-0001',
    paymentInfoId: 'QTC-20260302-0001-1',
    createdAt: '2026-03-02T09:15:42.123Z',
    requestedExecutionDate: '2026-03-03',
    debtor: company,
    transfers,
  });
const transfer = (i: number, minor: bigint, name = alice.name, remittance = `Quittance exp_${i}`) => ({
  endToEndId: `exp-${i}`,
  amount: { minor, currency: 'EUR' },
  creditor: { ...alice, name },
  remittance,
});

describe('SEPA reimbursement files against the official pain.001.001.03 XSD', () => {
  it('accepts the files we build, for any amounts, names and remittance texts', () => {
    const docs = fc
      .sample(
        fc.record({
          amounts: fc.array(fc.bigInt({ min: 1n, max: 99_999_999_999n }), { minLength: 1, maxLength: 20 }),
          name: fc.string({ minLength: 1, maxLength: 90 }).filter((s) => s.trim().length > 0),
          remittance: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
        }),
        { numRuns: 40, seed: 20261122 },
      )
      .flatMap((r) => {
        try {
          return [file(r.amounts.map((m, i) => transfer(i, m, r.name, r.remittance)))];
        } catch {
          return []; // refused to build (covered by the builder's own tests): nothing to send to a bank
        }
      });
    docs.push(file([transfer(1, 4210n, 'Zoé <Dupont> & "fils"', "Dîner client l'Été")]));
    expect(docs.length).toBeGreaterThan(30);
    expect(validate(docs)).toEqual(docs.map(() => null));
  });

  it('is not vacuous: the schema refuses broken files', () => {
    const xml = file([transfer(1, 4210n), transfer(2, 123456n)]);
    const broken = [
      xml.replace('<ReqdExctnDt>2026-03-03</ReqdExctnDt>', ''), // no requested execution date
      xml.replace('>42.10<', '>42.101<'), // three decimals
      xml.replace('Ccy="EUR"', 'Ccy="USD"'), // SEPA pays euros only
      xml.replace('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>two</NbOfTxs>'),
      xml.replace('BNPAFRPPXXX', 'BNPA-FR'),
    ];
    const results = validate([xml, ...broken]);
    expect(results[0]).toBeNull();
    for (const r of results.slice(1)) expect(r).toMatch(/cvc-/);
  });
});
