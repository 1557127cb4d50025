import { type AddressObject, simpleParser } from 'mailparser';
import type { MailPart } from '../../domain/receipts/attachments.ts';
import type { InboundEmail } from '../../domain/receipts/ingest-email.ts';

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((a) => a.value)
    .map((v) => v.address)
    .filter((a): a is string => typeof a === 'string' && a.length > 0);

const headerText = (value: unknown): string[] => {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(headerText);
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return [value.text];
  return [String(value)];
};

/** "for <alice@x>" in Received headers carries the envelope recipient (SES adds it; so does our local SMTP). */
const envelopeRecipients = (received: string[]): string[] =>
  received.flatMap((r) => [...r.matchAll(/\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?/gi)].map((m) => m[1] ?? ''));

const verdict = (value: unknown): string | undefined => headerText(value)[0]?.trim().toUpperCase();

const authResult = (authResults: string[], method: string): string | undefined => {
  const m = new RegExp(`\\b${method}=(\\w+)`, 'i').exec(authResults.join(';'));
  return m?.[1]?.toUpperCase();
};

/**
 * Parses a raw MIME message as SES stores it in S3 (or as the local SMTP server stores it),
 * into what the intake use case needs. Never throws on odd content: mailparser is lenient.
 */
export const parseInboundEmail = async (
  raw: Uint8Array,
  meta: { mailId: string; rawObject: { bucket: string; key: string }; storedAt: string },
): Promise<InboundEmail> => {
  const parsed = await simpleParser(Buffer.from(raw), { skipHtmlToText: false, skipTextToHtml: true });
  const received = headerText(parsed.headers.get('received'));
  const recipients = [
    ...envelopeRecipients(received),
    ...headerText(parsed.headers.get('x-original-to')),
    ...headerText(parsed.headers.get('delivered-to')),
    ...addresses(parsed.to),
    ...addresses(parsed.cc),
  ];
  const authResults = headerText(parsed.headers.get('authentication-results'));
  const parts: MailPart[] = parsed.attachments.map((a) => ({
    fileName: a.filename ?? null,
    contentType: a.contentType,
    bytes: new Uint8Array(a.content),
    inline: a.contentDisposition === 'inline' || (a.related ?? false),
  }));
  const sentAt = (
    parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : new Date(meta.storedAt)
  ).toISOString();
  return {
    mailId: meta.mailId,
    rawObject: meta.rawObject,
    from: addresses(parsed.from)[0] ?? null,
    recipients: [...new Set(recipients.map((r) => r.trim()).filter(Boolean))],
    subject: parsed.subject ?? null,
    receivedAt: meta.storedAt,
    sentAt,
    verdicts: {
      spam: verdict(parsed.headers.get('x-ses-spam-verdict')),
      virus: verdict(parsed.headers.get('x-ses-virus-verdict')),
      spf: authResult(authResults, 'spf'),
      dkim: authResult(authResults, 'dkim'),
      dmarc: authResult(authResults, 'dmarc'),
    },
    parts,
  };
};
