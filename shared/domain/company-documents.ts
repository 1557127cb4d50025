import { z } from 'zod';
import { fileNameSchema } from './receipts/uploads.ts';

/**
 * Company documents with an expiry: the registration extract (Kbis, valid 3 months for most counterparts), insurance
 * certificates, the bank details (RIB), the URSSAF certificate of vigilance (every 6 months)… Admins are reminded
 * before each expires, once per threshold, and lists show which are valid, expiring or expired.
 */
export const DOCUMENT_KINDS = [
  'registration-extract',
  'insurance',
  'bank-details',
  'tax-certificate',
  'social-certificate',
  'statutes',
  'other',
] as const;

export const DOCUMENT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export const documentInputSchema = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  title: z.string().trim().min(1).max(200),
  /** Last day of validity (YYYY-MM-DD); none for documents that do not expire. */
  expiresOn: z.iso.date().nullable().default(null),
  entityId: z.string().min(1).nullable().default(null),
  fileName: fileNameSchema,
  contentType: z.enum(DOCUMENT_CONTENT_TYPES),
  size: z.number().int().positive().max(MAX_DOCUMENT_BYTES, { error: 'must be at most 20 MB' }),
});
export type DocumentInput = z.output<typeof documentInputSchema>;

export interface CompanyDocument extends DocumentInput {
  id: string;
  key: string;
  uploadedBy: string;
  createdAt: string;
  /** Thresholds (days before expiry) already reminded, so each reminder goes once. */
  reminded: number[];
}

/** Reminders 30 and 7 days before the last day, and on the day after it (expired). */
export const REMINDER_THRESHOLDS = [30, 7, -1] as const;

const DAY = 86_400_000;
const daysUntil = (expiresOn: string, now: Date) =>
  Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`)) / DAY);

export type DocumentState = 'valid' | 'expiring' | 'expired' | 'no-expiry';

export const documentState = (d: Pick<CompanyDocument, 'expiresOn'>, now: Date): DocumentState => {
  if (!d.expiresOn) return 'no-expiry';
  const left = daysUntil(d.expiresOn, now);
  return left < 0 ? 'expired' : left <= 30 ? 'expiring' : 'valid';
};

export interface DocumentReminder {
  documentId: string;
  threshold: number;
  daysLeft: number;
  subject: string;
  text: string;
}

/**
 * The reminders due today: for each document, the tightest threshold reached and not yet sent (a document uploaded
 * 5 days before expiry gets the 7-day reminder, not the 30-day one as well). Pure; the caller records `threshold`.
 */
export const planDocumentReminders = (docs: readonly CompanyDocument[], now: Date): DocumentReminder[] =>
  docs.flatMap((d) => {
    if (!d.expiresOn) return [];
    const left = daysUntil(d.expiresOn, now);
    const reached = REMINDER_THRESHOLDS.filter((t) => left <= t);
    const tightest = reached.at(-1);
    if (tightest === undefined || d.reminded.some((r) => r <= tightest)) return [];
    const when =
      left < 0
        ? `expired on ${d.expiresOn}`
        : left === 0
          ? 'expires today'
          : `expires in ${left} day${left === 1 ? '' : 's'} (${d.expiresOn})`;
    return [
      {
        documentId: d.id,
        threshold: tightest,
        daysLeft: left,
        subject: `${d.title} ${left < 0 ? 'has expired' : 'expires soon'}`,
        text: `The company document "${d.title}" (${d.kind}) ${when}. Upload the new one in Quittance (Company → Documents).`,
      },
    ];
  });
