import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompanyDocument,
  documentState,
  planDocumentReminders,
} from '../../../shared/domain/company-documents.ts';
import { type Entity, entityInputSchema, ledgerSettingsWith, patchEntity } from '../../../shared/domain/entities.ts';
import { luhnValid } from '../../../shared/domain/extraction/identifiers.ts';
import { buildExpenseEntry } from '../../../shared/domain/ledger/index.ts';
import { money } from '../../../shared/domain/money.ts';

/** A valid SIRET of this SIREN: the NIC's last digit chosen to satisfy Luhn. */
const siretOf = (siren: string, nic4: string) => {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${siren}${nic4}${d}`)) return `${siren}${nic4}${d}`;
  throw new Error('unreachable');
};

const SIREN = '732829320';

describe('legal entities', () => {
  it("books an entity's expenses to its own accounts, others to the PCG default", () => {
    const lyon: Entity = {
      ...entityInputSchema.parse({ name: 'Lyon', siren: SIREN, accounting: { categoryAccounts: { meal: '625710' } } }),
      id: 'ent_lyon',
      active: true,
      createdAt: '2026-01-01T00:00:00Z',
    };
    const settings = ledgerSettingsWith('EUR', [lyon]);
    const book = (entityId: string | null) =>
      buildExpenseEntry(
        {
          companyId: 'acme',
          entityId,
          expenseId: `exp_${entityId}`,
          kind: 'card',
          cardProgramme: 'stripe',
          employee: { id: 'u_alice', name: 'Alice' },
          label: 'Brasserie',
          bookingDate: '2026-11-14',
          currency: 'EUR',
          lines: [{ category: 'meal', amount: money(4250, 'EUR'), vat: [{ rate: '10', amount: money(386, 'EUR') }] }],
          evidence: { invoice: true, inCompanyName: true, vatCountry: 'FR' },
          piece: { ref: 'rcpt_1', kind: 'receipt', date: '2026-11-14', documentSha256: null },
          conversion: null,
        },
        settings,
      ).entry.lines.find((l) => l.role === 'expense')?.account;
    expect(book('ent_lyon')).toBe('625710');
    expect(book(null)).toBe('6256');
  });

  it('accepts an entity whose establishments carry its SIREN, with one head office', () => {
    const e = entityInputSchema.parse({
      name: 'Acme Lyon SAS',
      siren: '732 829 320',
      vatNumber: 'fr 44 732829320',
      establishments: [
        { siret: siretOf(SIREN, '0007'), name: 'Siège', headOffice: true },
        { siret: siretOf(SIREN, '0012'), name: 'Entrepôt' },
      ],
      accounting: { categoryAccounts: { meal: '625700' } },
    });
    expect(e.siren).toBe(SIREN);
    expect(e.vatNumber).toBe('FR44732829320');
    expect(e.currency).toBe('EUR');
  });

  it('names the field and the reason of every broken rule', () => {
    const r = entityInputSchema.safeParse({
      name: 'Acme',
      siren: '732829321',
      vatNumber: 'FR45732829320',
      establishments: [
        { siret: siretOf('552100554', '0001'), name: 'Elsewhere', headOffice: true },
        { siret: '73282932000075', name: 'Bad checksum', headOffice: true },
      ],
      accounting: { categoryAccounts: { meal: '12' } },
      colour: 'blue',
    });
    expect(r.success).toBe(false);
    const fields = (r.error?.issues ?? []).map((i) => i.path.join('.'));
    expect(fields).toEqual(
      expect.arrayContaining(['siren', 'establishments.1.siret', 'accounting.categoryAccounts.meal']),
    );
    expect(r.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('refuses establishments of another SIREN, twice the same SIRET and two head offices', () => {
    const r = entityInputSchema.safeParse({
      name: 'Acme',
      siren: SIREN,
      establishments: [
        { siret: siretOf('552100554', '0001'), name: 'Elsewhere', headOffice: true },
        { siret: siretOf(SIREN, '0007'), name: 'A', headOffice: true },
        { siret: siretOf(SIREN, '0007'), name: 'A again' },
      ],
    });
    const messages = (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        `establishments.0.siret: must start with the SIREN ${SIREN}`,
        'establishments.2.siret: listed twice',
        'establishments: one head office at most',
      ]),
    );
  });

  it('patches without ever changing the SIREN, and re-checks the establishments', () => {
    const before: Entity = {
      ...entityInputSchema.parse({ name: 'Acme', siren: SIREN }),
      id: 'ent_1',
      active: true,
      createdAt: '2026-01-01T00:00:00Z',
    };
    expect(patchEntity(before, { active: false }).active).toBe(false);
    expect(() =>
      patchEntity(before, { establishments: [{ siret: siretOf('552100554', '0001'), name: 'x', headOffice: false }] }),
    ).toThrow(/must start with the SIREN/);
  });
});

const doc = (expiresOn: string | null, reminded: number[] = []): CompanyDocument => ({
  id: 'doc_1',
  key: 'k',
  kind: 'insurance',
  title: 'RC Pro 2026',
  expiresOn,
  entityId: null,
  fileName: 'rc.pdf',
  contentType: 'application/pdf',
  size: 1000,
  uploadedBy: 'u_admin',
  createdAt: '2026-01-01T00:00:00Z',
  reminded,
});

describe('company documents', () => {
  const now = new Date('2026-11-22T06:00:00Z');

  it('states valid, expiring (30 days), expired, or no expiry', () => {
    expect(documentState(doc('2027-01-31'), now)).toBe('valid');
    expect(documentState(doc('2026-12-22'), now)).toBe('expiring');
    expect(documentState(doc('2026-11-22'), now)).toBe('expiring');
    expect(documentState(doc('2026-11-21'), now)).toBe('expired');
    expect(documentState(doc(null), now)).toBe('no-expiry');
  });

  it('reminds at 30 days, 7 days and once expired, each once, the tightest only', () => {
    expect(planDocumentReminders([doc('2026-12-23')], now)).toEqual([]);
    expect(planDocumentReminders([doc('2026-12-22')], now).map((r) => r.threshold)).toEqual([30]);
    expect(planDocumentReminders([doc('2026-12-22', [30])], now)).toEqual([]);
    expect(planDocumentReminders([doc('2026-11-27')], now).map((r) => r.threshold)).toEqual([7]);
    expect(planDocumentReminders([doc('2026-11-27', [30])], now).map((r) => r.threshold)).toEqual([7]);
    expect(planDocumentReminders([doc('2026-11-20', [30, 7])], now)[0]).toMatchObject({
      threshold: -1,
      subject: 'RC Pro 2026 has expired',
    });
    expect(planDocumentReminders([doc(null)], now)).toEqual([]);
  });

  it('over any run of daily reminders, sends at most one reminder per threshold and one per day', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 60 }), fc.integer({ min: 1, max: 80 }), (startLeft, days) => {
        const expiresOn = new Date(now.getTime() + startLeft * 86_400_000).toISOString().slice(0, 10);
        const d = doc(expiresOn);
        const sent: number[] = [];
        for (let i = 0; i < days; i++) {
          const planned = planDocumentReminders([d], new Date(now.getTime() + i * 86_400_000));
          expect(planned.length).toBeLessThanOrEqual(1);
          for (const p of planned) {
            sent.push(p.threshold);
            d.reminded.push(p.threshold);
          }
        }
        expect(new Set(sent).size).toBe(sent.length);
      }),
    );
  });
});
