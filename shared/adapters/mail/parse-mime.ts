import { type AddressObject, type Attachment, simpleParser } from 'mailparser';
import type { MailPart } from '../../domain/receipts/attachments.ts';
import type { InboundEmail } from '../../domain/receipts/ingest-email.ts';

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((a) => a.value)
    .map((v) => v.address)
    .filter((a): a is string => typeof a === 'string' && a.length > 0);

/** Header lines of the top-level header block, unfolded, in order. */
const rawHeaders = (raw: Uint8Array): { name: string; value: string }[] => {
  const text = Buffer.from(raw.subarray(0, Math.min(raw.length, 256 * 1024))).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
  return block.split(/\r?\n/).flatMap((line) => {
    const i = line.indexOf(':');
    return i > 0 ? [{ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() }] : [];
  });
};

/**
 * Verdict headers are trusted only in their first (topmost) occurrence: the receiving server (SES, or the local
 * SMTP server) prepends its own; any copy further down was written by the sender and may lie.
 */
const firstHeader = (headers: { name: string; value: string }[], name: string): string | undefined =>
  headers.find((h) => h.name === name)?.value;

/** "for <alice@x>" in Received headers carries the envelope recipient (SES adds it; so does our local SMTP). */
const envelopeRecipients = (headers: { name: string; value: string }[]): string[] =>
  headers
    .filter((h) => h.name === 'received')
    .flatMap((h) => [...h.value.matchAll(/\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?/gi)].map((m) => m[1] ?? ''));

const authResult = (authResults: string | undefined, method: string): string | undefined =>
  authResults ? new RegExp(`\\b${method}=(\\w+)`, 'i').exec(authResults)?.[1]?.toUpperCase() : undefined;

const MAX_FORWARD_DEPTH = 3;

/** Attachments, with those of attached (forwarded) messages flattened in order. */
const flattenParts = async (attachments: Attachment[], depth: number): Promise<MailPart[]> => {
  const parts: MailPart[] = [];
  for (const a of attachments) {
    if (a.contentType === 'message/rfc822' && depth < MAX_FORWARD_DEPTH) {
      const inner = await simpleParser(a.content, { skipHtmlToText: true, skipTextToHtml: true });
      parts.push(...(await flattenParts(inner.attachments, depth + 1)));
      continue;
    }
    parts.push({
      fileName: a.filename ?? null,
      contentType: a.contentType,
      bytes: new Uint8Array(a.content),
      inline: a.contentDisposition === 'inline' || (a.related ?? false),
    });
  }
  return parts;
};

/**
 * Parses a raw MIME message as SES stores it in S3 (or as the local SMTP server stores it) into what the
 * intake use case needs. mailparser is lenient: odd content yields empty fields, not exceptions.
 */
export const parseInboundEmail = async (
  raw: Uint8Array,
  meta: { mailId: string; rawObject: { bucket: string; key: string }; storedAt: string },
): Promise<InboundEmail> => {
  const headers = rawHeaders(raw);
  const parsed = await simpleParser(Buffer.from(raw), { skipHtmlToText: false, skipTextToHtml: true });
  const recipients = [
    ...envelopeRecipients(headers),
    ...headers.filter((h) => h.name === 'x-original-to' || h.name === 'delivered-to').map((h) => h.value),
    ...addresses(parsed.to),
    ...addresses(parsed.cc),
  ];
  const authResults = firstHeader(headers, 'authentication-results');
  const sentAt = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : meta.storedAt;
  return {
    mailId: meta.mailId,
    messageId: parsed.messageId ?? null,
    rawObject: meta.rawObject,
    from: addresses(parsed.from)[0] ?? null,
    recipients: [...new Set(recipients.map((r) => r.trim()).filter(Boolean))],
    subject: parsed.subject ?? null,
    receivedAt: meta.storedAt,
    sentAt,
    verdicts: {
      spam: firstHeader(headers, 'x-ses-spam-verdict')?.toUpperCase(),
      virus: firstHeader(headers, 'x-ses-virus-verdict')?.toUpperCase(),
      spf: authResult(authResults, 'spf'),
      dkim: authResult(authResults, 'dkim'),
      dmarc: authResult(authResults, 'dmarc'),
    },
    parts: await flattenParts(parsed.attachments, 0),
    bodyHtml: typeof parsed.html === 'string' ? parsed.html : null,
    bodyText: parsed.text ?? null,
    bulk: headers.some((h) => h.name === 'list-unsubscribe' || (h.name === 'precedence' && /bulk|list/i.test(h.value))),
  };
};
