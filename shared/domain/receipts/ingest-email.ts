import type { Directory } from '../../ports/directory.ts';
import type { DocumentStore } from '../../ports/document-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { QuarantineRepository } from '../../ports/quarantine-repository.ts';
import type { ReceiptRepository } from '../../ports/receipt-repository.ts';
import { normalizeAddress } from '../email-address.ts';
import { deterministicId } from '../ids.ts';
import { CONTENT_TYPES, classifyPart, type MailPart } from './attachments.ts';
import type { Receipt } from './receipt.ts';

/** An inbound e-mail, parsed, with where its raw MIME is kept. */
export interface InboundEmail {
  /** Stable id of the stored raw message (SES message id / object key). */
  mailId: string;
  rawObject: { bucket: string; key: string };
  from: string | null;
  /** Envelope and header recipients, most specific first. */
  recipients: readonly string[];
  subject: string | null;
  /** When we stored it (the receipt's received time). */
  receivedAt: string;
  /** The Date header: the sender's claim, informative only. */
  sentAt: string;
  /** SES verdicts where present ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED"). */
  verdicts: { spam?: string; virus?: string; spf?: string; dkim?: string; dmarc?: string };
  parts: readonly MailPart[];
}

export interface IngestEmailDeps {
  directory: Directory;
  receipts: ReceiptRepository;
  documents: DocumentStore;
  quarantine: QuarantineRepository;
  events: EventPublisher;
  sha256: (bytes: Uint8Array) => string;
}

export type IngestEmailResult =
  | { outcome: 'receipts'; companyId: string; employeeId: string; receiptIds: string[]; skipped: string[] }
  | { outcome: 'quarantined'; companyId: string | null; reason: string };

const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', xml: 'xml' };

/**
 * Turns one stored inbound e-mail into receipts.
 * 1. Find the company from the receipts address it was sent to.
 * 2. Refuse what SES flagged as spam or virus.
 * 3. Find the employee from the sender, among the company's active users (plus-addressing allowed).
 * 4. Keep every part that can be a receipt; each becomes a document in S3 and a RECEIVED receipt.
 * 5. Publish ReceiptReceived for each. Anything refused is quarantined with its reason, never dropped.
 * Safe to run twice on the same mail: ids derive from the mail and the part, writes are conditional.
 */
export const ingestEmail = async (deps: IngestEmailDeps, mail: InboundEmail): Promise<IngestEmailResult> => {
  const quarantine = async (companyId: string | null, reason: string): Promise<IngestEmailResult> => {
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
  if (!companyId) {
    return quarantine(null, `no company receives receipts at ${mail.recipients.join(', ') || '(no recipient)'}`);
  }

  if (mail.verdicts.virus === 'FAIL') return quarantine(companyId, 'virus detected by the mail scanner');
  if (mail.verdicts.spam === 'FAIL') return quarantine(companyId, 'marked as spam by the mail scanner');

  if (!mail.from) return quarantine(companyId, 'no sender address');
  const user = await deps.directory.userByAddress(companyId, normalizeAddress(mail.from));
  if (!user) return quarantine(companyId, `sender ${mail.from} is not a registered address of a user of the company`);
  if (!user.active) return quarantine(companyId, `sender ${mail.from} belongs to a deactivated user`);

  const receiptIds: string[] = [];
  const skipped: string[] = [];
  const receivedMs = Date.parse(mail.receivedAt);
  for (const [index, part] of mail.parts.entries()) {
    const verdict = classifyPart(part);
    if (!verdict.keep) {
      skipped.push(`${part.fileName ?? `part ${index + 1}`}: ${verdict.reason}`);
      continue;
    }
    const sha256 = deps.sha256(part.bytes);
    const receiptId = deterministicId(
      'rcpt',
      receivedMs,
      deps.sha256(new TextEncoder().encode(`${mail.mailId}#${index}`)),
    );
    const extension = EXTENSIONS[verdict.kind] ?? verdict.kind;
    const contentType = CONTENT_TYPES[verdict.kind];
    const stored = await deps.documents.put({
      key: `companies/${companyId}/receipts/${receiptId}/${sha256}.${extension}`,
      bytes: part.bytes,
      contentType,
      metadata: { 'receipt-id': receiptId, sha256 },
    });
    const receipt: Receipt = {
      companyId,
      id: receiptId,
      employeeId: user.userId,
      status: 'RECEIVED',
      source: {
        channel: 'email',
        mailId: mail.mailId,
        from: mail.from,
        subject: mail.subject,
        rawObject: mail.rawObject,
      },
      document: { ...stored, contentType, fileName: part.fileName, sha256, size: part.bytes.length },
      receivedAt: mail.receivedAt,
      updatedAt: mail.receivedAt,
    };
    await deps.receipts.create(receipt, {
      at: mail.receivedAt,
      status: 'RECEIVED',
      actor: `email:${mail.from}`,
      note: `received by e-mail${part.fileName ? ` (${part.fileName})` : ''}`,
    });
    receiptIds.push(receiptId);
  }

  if (receiptIds.length === 0) {
    return quarantine(companyId, `no receipt found in the e-mail${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  }

  const created = await Promise.all(receiptIds.map((id) => deps.receipts.get(companyId, id)));
  await deps.events.publish(
    created
      .filter((r): r is Receipt => r !== null && r.status === 'RECEIVED')
      .map((r) => ({
        name: 'ReceiptReceived' as const,
        detail: {
          companyId: r.companyId,
          receiptId: r.id,
          employeeId: r.employeeId,
          channel: 'email' as const,
          document: r.document,
          receivedAt: r.receivedAt,
        },
      })),
  );
  return { outcome: 'receipts', companyId, employeeId: user.userId, receiptIds, skipped };
};
