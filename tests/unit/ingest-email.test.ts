import { beforeEach, describe, expect, it } from 'vitest';
import { type InboundEmail, ingestEmail } from '../../shared/domain/receipts/ingest-email.ts';
import { inMemory } from '../support/in-memory.ts';

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF');
const PNG_LOGO = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const mail = (over: Partial<InboundEmail> = {}): InboundEmail => ({
  mailId: 'm1',
  messageId: '<m1@acme.fr>',
  bodyHtml: null,
  bodyText: 'see attached',
  bulk: false,
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
    ['no receipt attached', { parts: [] }, /no receipt was found/],
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

  it('links the same file sent again to the original and does not extract it twice', async () => {
    await ingestEmail(mem.deps, mail());
    const second = await ingestEmail(mem.deps, mail({ mailId: 'm2', rawObject: { bucket: 'raw', key: 'inbound/m2' } }));
    const receipts = [...mem.state.receipts.values()];
    expect(receipts.map((r) => r.status).sort()).toEqual(['DUPLICATE', 'RECEIVED']);
    const dup = receipts.find((r) => r.status === 'DUPLICATE');
    expect(dup?.duplicateOf).toBe(receipts.find((r) => r.status === 'RECEIVED')?.id);
    expect(second.outcome === 'receipts' && second.duplicates).toEqual([dup?.id]);
    expect(mem.state.published.filter((e) => e.name === 'ReceiptReceived')).toHaveLength(1);
  });

  it('makes the body the receipt when nothing is attached and the body is one (ride-hailing)', async () => {
    const result = await ingestEmail(
      mem.deps,
      mail({
        parts: [],
        bodyHtml: '<p>Merci pour votre course avec Uber.</p><p>Total payé : 23,40 €</p><script>alert(1)</script>',
        bodyText: 'Merci pour votre course avec Uber. Total payé : 23,40 €',
        bulk: true,
      }),
    );
    expect(result.outcome).toBe('receipts');
    const [receipt] = [...mem.state.receipts.values()];
    expect(receipt?.document).toMatchObject({ contentType: 'text/html', fileName: 'email-body.html' });
  });

  it('quarantines a newsletter', async () => {
    const result = await ingestEmail(
      mem.deps,
      mail({ parts: [], bodyHtml: null, bodyText: 'Our summer sale: everything from 9,99 €!', bulk: true }),
    );
    expect(result).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/newsletter/) });
  });

  it('quarantines a spoofed From (DMARC fail) without replying to it', async () => {
    const result = await ingestEmail(mem.deps, mail({ verdicts: { spam: 'PASS', virus: 'PASS', dmarc: 'FAIL' } }));
    expect(result).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/spoofed/) });
    expect(mem.state.sent).toEqual([]);
  });

  it('acknowledges to the employee what was received and what was not', async () => {
    await ingestEmail(
      mem.deps,
      mail({
        parts: [
          { fileName: 'lunch.pdf', contentType: 'application/pdf', bytes: PDF, inline: false },
          { fileName: 'empty.pdf', contentType: 'application/pdf', bytes: new Uint8Array(), inline: false },
        ],
      }),
    );
    expect(mem.state.sent).toHaveLength(1);
    expect(mem.state.sent[0]).toMatchObject({ to: 'Alice+notes@Acme.fr', inReplyTo: '<m1@acme.fr>' });
    expect(mem.state.sent[0]?.text).toMatch(/lunch\.pdf: received/);
    expect(mem.state.sent[0]?.text).toMatch(/empty\.pdf: empty file/);
  });

  it('tells an unknown but authenticated sender why, and never replies to unroutable mail', async () => {
    await ingestEmail(mem.deps, mail({ from: 'alice.perso@gmail.example' }));
    expect(mem.state.sent[0]?.text).toMatch(/not a registered address/);
    await ingestEmail(mem.deps, mail({ mailId: 'm3', recipients: ['nobody@elsewhere.example'] }));
    expect(mem.state.sent).toHaveLength(1);
  });
});
