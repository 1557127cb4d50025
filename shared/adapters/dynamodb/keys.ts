/**
 * The single table's key design. Every key of company data starts with the company (`C#<companyId>`),
 * so tenant isolation is structural. The only global keys are routing records that map an external
 * identifier to a company (a receipts inbox, a login), and mail that reached no company.
 */
export const keys = {
  company: (companyId: string) => ({ pk: `C#${companyId}`, sk: 'COMPANY' }),
  user: (companyId: string, userId: string) => ({ pk: `C#${companyId}`, sk: `USER#${userId}` }),
  userAddress: (companyId: string, address: string) => ({ pk: `C#${companyId}`, sk: `ADDR#${address}` }),
  inbox: (address: string) => ({ pk: `INBOX#${address}`, sk: 'INBOX' }),
  login: (email: string) => ({ pk: `LOGIN#${email}`, sk: 'LOGIN' }),
  receipt: (companyId: string, receiptId: string) => ({ pk: `C#${companyId}#RCPT#${receiptId}`, sk: 'RECEIPT' }),
  receiptHistory: (companyId: string, receiptId: string, at: string, status: string) => ({
    pk: `C#${companyId}#RCPT#${receiptId}`,
    sk: `HIST#${at}#${status}`,
  }),
  /** gsi1: a company's receipts by time. */
  receiptsByCompany: (companyId: string, receivedAt: string, receiptId: string) => ({
    gsi1pk: `C#${companyId}#RECEIPTS`,
    gsi1sk: `${receivedAt}#${receiptId}`,
  }),
  /** gsi2: an employee's receipts by time. */
  receiptsByEmployee: (companyId: string, employeeId: string, receivedAt: string, receiptId: string) => ({
    gsi2pk: `C#${companyId}#EMP#${employeeId}#RECEIPTS`,
    gsi2sk: `${receivedAt}#${receiptId}`,
  }),
  /**
   * gsi3 (on receipts): an employee's open receipts (extracted, not linked) by time. Sparse: a receipt has these
   * keys only while it is open, so the matcher reads the few open receipts, not months of linked ones.
   */
  openReceiptsByEmployee: (companyId: string, employeeId: string, receivedAt: string, receiptId: string) => ({
    gsi3pk: `C#${companyId}#EMP#${employeeId}#OPENRCPT`,
    gsi3sk: `${receivedAt}#${receiptId}`,
  }),
  /**
   * gsi4 (on card transactions): an employee's open charges (no receipt, not a retired authorization slot) by
   * authorization time. Sparse like the open receipts: the matcher's candidates without the linked history.
   */
  openTransactionsByEmployee: (companyId: string, employeeId: string, authorizedAt: string, transactionId: string) => ({
    gsi4pk: `C#${companyId}#EMP#${employeeId}#OPENTX`,
    gsi4sk: `${authorizedAt}#${transactionId}`,
  }),
  /**
   * gsi3 (on card transactions): an employee's charges still missing their receipt, oldest first, by posting time
   * (the authorization time when not posted). Sparse, and set exactly when gsi2 holds the company-wide missing key
   * (`C#<co>#MISSING`, same sort key), removed in the same write: the card lock reads the oldest one (Limit 1).
   */
  missingReceiptsByEmployee: (companyId: string, employeeId: string, postedAt: string, transactionId: string) => ({
    gsi3pk: `C#${companyId}#EMP#${employeeId}#MISSING`,
    gsi3sk: `${postedAt}#${transactionId}`,
  }),
  quarantine: (companyId: string | null, at: string, mailId: string) => ({
    pk: companyId ? `C#${companyId}#QUARANTINE` : 'UNROUTED#QUARANTINE',
    sk: `${at}#${mailId}`,
  }),
} as const;

export const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'expiresAt',
  'entity',
] as const;

/** Removes key attributes so items map back to domain objects. */
export const stripKeys = <T>(item: Record<string, unknown>): T => {
  const copy: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return copy as T;
};

/** Cursors are the last evaluated key, base64url JSON; opaque to clients. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | null =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;

export const decodeCursor = (cursor: string | null): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError('cursor is not one this API issued');
};

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}
