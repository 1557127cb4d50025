import { beforeEach, describe, expect, it } from 'vitest';
import { type InboundEmail, ingestEmail } from '../../shared/domain/receipts/ingest-email.ts';
import { inMemory } from '../support/in-memory.ts';

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF');
const PNG_LOGO = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const mail = (over: Partial<InboundEmail> = {}): InboundEmail => ({
  mailId: 'm1',
  rawObject: { bucket: 'raw', key: 'inbound/m1' },
  from: 'Alice+notes@Acme.fr',
  recipients: ['receipts@acme.quittance.local'],
  subject: 'Lunch',
  receivedAt: '2026-11-20T12:00:00.000Z',
  sentAt: '2026-11-20T11:59:00.000Z',
  verdicts: { spam: 'PASS', virus: 'PASS' },
  parts: [{ fileName: 'lunch.pdf', contentType: 'application/pdf', bytes: PDF, inline: false }],
  ...over,
});

describe('ingestEmail', () => {
  let mem: ReturnType<typeof inMemory>;
  beforeEach(() => {
    mem = inMemory();
    mem.addInbox('receipts@acme.quittance.local', 'acme');
    mem.addUser({
      companyId: 'acme',
      userId: 'u1',
      displayName: 'Alice',
      email: 'alice@acme.fr',
      roles: ['employee'],
      active: true,
    });
  });

  it('creates one RECEIVED receipt per receipt attachment and publishes ReceiptReceived', async () => {
    const result = await ingestEmail(mem.deps, mail());
    expect(result).toMatchObject({ outcome: 'receipts', companyId: 'acme', employeeId: 'u1' });
    const [receipt] = [...mem.state.receipts.values()];
    expect(receipt).toMatchObject({ status: 'RECEIVED', employeeId: 'u1', document: { fileName: 'lunch.pdf' } });
    expect(mem.state.objects.get(receipt?.document.key ?? '')).toEqual(PDF);
    expect(mem.state.published.map((e) => e.name)).toEqual(['ReceiptReceived']);
  });

  it('is idempotent: the same mail processed twice yields the same single receipt', async () => {
    await ingestEmail(mem.deps, mail());
    await ingestEmail(mem.deps, mail());
    expect(mem.state.receipts.size).toBe(1);
  });

  it('makes several receipts from several attachments and skips signature logos', async () => {
    const result = await ingestEmail(
      mem.deps,
      mail({
        parts: [
          { fileName: 'a.pdf', contentType: 'application/pdf', bytes: PDF, inline: false },
          { fileName: 'logo.png', contentType: 'image/png', bytes: PNG_LOGO, inline: true },
          { fileName: 'b.pdf', contentType: 'application/octet-stream', bytes: PDF, inline: false },
        ],
      }),
    );
    expect(result.outcome === 'receipts' && result.receiptIds.length).toBe(2);
    expect(result.outcome === 'receipts' && result.skipped[0]).toMatch(/logo\.png: small inline image/);
  });

  it.each([
    ['an unknown inbox', { recipients: ['nobody@acme.quittance.local'] }, /no company receives receipts/],
    ['an unknown sender', { from: 'mallory@evil.example' }, /not a registered address/],
    ['a virus verdict', { verdicts: { virus: 'FAIL' } }, /virus/],
    ['a spam verdict', { verdicts: { spam: 'FAIL' } }, /spam/],
    ['no receipt attached', { parts: [] }, /no receipt found/],
    [
      'only a non-receipt attachment',
      {
        parts: [
          { fileName: 'notes.txt', contentType: 'text/plain', bytes: new TextEncoder().encode('hi'), inline: false },
        ],
      },
      /not a receipt format/,
    ],
  ])('quarantines mail with %s, keeping its reason, and creates no receipt', async (_label, over, reason) => {
    const result = await ingestEmail(mem.deps, mail(over as Partial<InboundEmail>));
    expect(result.outcome).toBe('quarantined');
    expect(mem.state.receipts.size).toBe(0);
    expect(mem.state.quarantined[0]?.reason).toMatch(reason);
    expect(mem.state.published.map((e) => e.name)).toEqual(['ReceiptQuarantined']);
  });

  it('refuses a deactivated user', async () => {
    mem.addUser({
      companyId: 'acme',
      userId: 'u2',
      displayName: 'Gone',
      email: 'gone@acme.fr',
      roles: ['employee'],
      active: false,
    });
    const result = await ingestEmail(mem.deps, mail({ from: 'gone@acme.fr' }));
    expect(result).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/deactivated/) });
  });
});
