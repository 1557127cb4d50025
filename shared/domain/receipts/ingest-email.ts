import type { Directory } from '../../ports/directory.ts';
import type { DomainEvent, EventPublisher } from '../../ports/event-publisher.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { QuarantineRepository } from '../../ports/quarantine-repository.ts';
import { normalizeAddress } from '../email-address.ts';
import { deterministicId } from '../ids.ts';
import { bodyLooksLikeReceipt, classifyPart, type MailPart } from './attachments.ts';
import type { Receipt } from './receipt.ts';
import { type RegisterDocumentDeps, registerDocument } from './register-document.ts';

/** An inbound e-mail, parsed, with where its raw MIME is kept. */
export interface InboundEmail {
  /** Stable id of the stored raw message (SES message id / object key). */
  mailId: string;
  /** The Message-ID header, to thread the acknowledgement. */
  messageId: string | null;
  rawObject: { bucket: string; key: string };
  from: string | null;
  /** Envelope and header recipients, most specific first. */
  recipients: readonly string[];
  subject: string | null;
  /** When we stored it (the receipt's received time). */
  receivedAt: string;
  /** The Date header: the sender's claim, informative only. */
  sentAt: string;
  /** Verdicts of the receiving server (SES) where present: "PASS", "FAIL", "GRAY", "NONE", … */
  verdicts: { spam?: string; virus?: string; spf?: string; dkim?: string; dmarc?: string };
  /** Attachments, including those of forwarded messages (message/rfc822 parts), flattened. */
  parts: readonly MailPart[];
  bodyHtml: string | null;
  bodyText: string | null;
  /** Bulk mail marker (List-Unsubscribe header). */
  bulk: boolean;
}

export interface IngestEmailDeps extends RegisterDocumentDeps {
  directory: Directory;
  quarantine: QuarantineRepository;
  events: EventPublisher;
  mailer: Mailer;
}

export type IngestEmailResult =
  | {
      outcome: 'receipts';
      companyId: string;
      employeeId: string;
      receiptIds: string[];
      duplicates: string[];
      skipped: string[];
    }
  | { outcome: 'quarantined'; companyId: string | null; reason: string };

/** Attachments beyond this many are listed as skipped (the mail is kept whole in raw storage). */
export const MAX_RECEIPTS_PER_EMAIL = 50;

const authenticationFailure = (v: InboundEmail['verdicts']): string | null => {
  if (v.dmarc === 'FAIL') return 'sender authentication failed (DMARC): the From address may be spoofed';
  if (v.spf === 'FAIL' && v.dkim === 'FAIL') return 'sender authentication failed (SPF and DKIM)';
  return null;
};

/**
 * Turns one stored inbound e-mail into receipts.
 * 1. Find the company from the receipts address it was sent to.
 * 2. Refuse what the mail server flagged: virus, spam, failed sender authentication (spoofed From).
 * 3. Find the employee from the sender among the company's active users (plus-addressing allowed; the one
 *    who forwards a mail is its sender).
 * 4. Every part that can be a receipt becomes a document and a receipt; when nothing is attached, a body that
 *    is itself a receipt becomes one. The same file received before becomes a DUPLICATE linked to the original.
 * 5. Publish ReceiptReceived for each new receipt, and acknowledge to the employee by e-mail.
 * Anything refused is quarantined with its reason, kept, never dropped. Safe to run twice on the same mail.
 */
export const ingestEmail = async (deps: IngestEmailDeps, mail: InboundEmail): Promise<IngestEmailResult> => {
  const reply = async (text: string) => {
    if (!mail.from) return;
    await deps.mailer.send({
      to: mail.from,
      subject: `Re: ${mail.subject ?? 'your receipt'}`,
      text,
      ...(mail.messageId ? { inReplyTo: mail.messageId } : {}),
    });
  };
  const quarantine = async (
    companyId: string | null,
    reason: string,
    notifySender: boolean,
  ): Promise<IngestEmailResult> => {
    await deps.quarantine.put({
      companyId,
      mailId: mail.mailId,
      reason,
      from: mail.from,
      subject: mail.subject,
      rawObject: mail.rawObject,
      quarantinedAt: mail.receivedAt,
    });
    await deps.events.publish([
      {
        name: 'ReceiptQuarantined',
        detail: {
          companyId,
          mailId: mail.mailId,
          reason,
          from: mail.from,
          rawObject: mail.rawObject,
          quarantinedAt: mail.receivedAt,
        },
      },
    ]);
    if (notifySender) {
      await reply(
        `We could not accept your e-mail "${mail.subject ?? ''}": ${reason}.\n\n` +
          'It is kept, and your finance team can see it. If this address is yours, ask them to register it.',
      );
    }
    return { outcome: 'quarantined', companyId, reason };
  };

  let companyId: string | null = null;
  for (const recipient of mail.recipients) {
    const inbox = await deps.directory.companyForInbox(normalizeAddress(recipient));
    if (inbox) {
      companyId = inbox.companyId;
      break;
    }
  }
  // No reply to anything we did not positively accept from a genuine sender: that would be backscatter.
  if (!companyId) {
    return quarantine(null, `no company receives receipts at ${mail.recipients.join(', ') || '(no recipient)'}`, false);
  }
  if (mail.verdicts.virus === 'FAIL') return quarantine(companyId, 'a virus was detected by the mail scanner', false);
  if (mail.verdicts.spam === 'FAIL') return quarantine(companyId, 'the mail scanner marked it as spam', false);
  const authFailure = authenticationFailure(mail.verdicts);
  if (authFailure) return quarantine(companyId, authFailure, false);
  if (!mail.from) return quarantine(companyId, 'no sender address', false);

  const user = await deps.directory.userByAddress(companyId, normalizeAddress(mail.from));
  if (!user) {
    return quarantine(companyId, `the sender ${mail.from} is not a registered address of a user of the company`, true);
  }
  if (!user.active) return quarantine(companyId, `the sender ${mail.from} belongs to a deactivated user`, true);

  const receivedMs = Date.parse(mail.receivedAt);
  const idFor = (index: number | 'body') =>
    deterministicId('rcpt', receivedMs, deps.sha256(new TextEncoder().encode(`${mail.mailId}#${index}`)));
  const source = {
    channel: 'email' as const,
    mailId: mail.mailId,
    from: mail.from,
    subject: mail.subject,
    rawObject: mail.rawObject,
  };
  const registered: Receipt[] = [];
  const events: DomainEvent[] = [];
  const skipped: string[] = [];

  for (const [index, part] of mail.parts.entries()) {
    const label = part.fileName ?? `part ${index + 1}`;
    const verdict = classifyPart(part);
    if (!verdict.keep) {
      skipped.push(`${label}: ${verdict.reason}`);
      continue;
    }
    if (registered.length >= MAX_RECEIPTS_PER_EMAIL) {
      skipped.push(`${label}: more than ${MAX_RECEIPTS_PER_EMAIL} receipts in one e-mail`);
      continue;
    }
    const r = await registerDocument(deps, {
      companyId,
      employeeId: user.userId,
      receiptId: idFor(index),
      bytes: part.bytes,
      kind: verdict.kind,
      fileName: part.fileName,
      source,
      receivedAt: mail.receivedAt,
      actor: `email:${mail.from}`,
      note: `received by e-mail (${label})`,
    });
    registered.push(r.receipt);
    if (r.event) events.push(r.event);
  }

  if (registered.length === 0) {
    const body = mail.bodyHtml ?? mail.bodyText;
    const bodyText = mail.bodyText ?? mail.bodyHtml?.replace(/<[^>]*>/g, ' ') ?? '';
    if (body && bodyLooksLikeReceipt(bodyText, mail.bulk)) {
      const r = await registerDocument(deps, {
        companyId,
        employeeId: user.userId,
        receiptId: idFor('body'),
        bytes: new TextEncoder().encode(body),
        kind: mail.bodyHtml ? 'html' : 'txt',
        fileName: mail.bodyHtml ? 'email-body.html' : 'email-body.txt',
        source: { ...source, body: true },
        receivedAt: mail.receivedAt,
        actor: `email:${mail.from}`,
        note: 'received by e-mail (the message body is the receipt)',
      });
      registered.push(r.receipt);
      if (r.event) events.push(r.event);
    }
  }

  if (registered.length === 0) {
    const why = mail.bulk ? 'it looks like a newsletter, not a receipt' : 'no receipt was found in it';
    return quarantine(companyId, `${why}${skipped.length ? ` (${skipped.join('; ')})` : ''}`, true);
  }

  await deps.events.publish(events);
  const duplicates = registered.filter((r) => r.status === 'DUPLICATE');
  await reply(
    [
      `Thank you, ${user.displayName}. We received ${registered.length} receipt${registered.length > 1 ? 's' : ''}:`,
      ...registered.map(
        (r) =>
          `- ${r.document.fileName ?? 'document'}: ${r.status === 'DUPLICATE' ? `already received (same file as ${r.duplicateOf})` : 'received, being read'} [${r.id}]`,
      ),
      ...(skipped.length ? ['', 'Not kept as receipts:', ...skipped.map((s) => `- ${s}`)] : []),
    ].join('\n'),
  );
  return {
    outcome: 'receipts',
    companyId,
    employeeId: user.userId,
    receiptIds: registered.map((r) => r.id),
    duplicates: duplicates.map((r) => r.id),
    skipped,
  };
};
