/**
 * Reimbursement: approved expenses paid by employees become one SEPA credit transfer initiation file,
 * ISO 20022 pain.001.001.03 (the version every SEPA bank accepts), with one payment information block debiting the
 * company's account and one transaction per expense (EndToEndId = the expense id, so the bank statement leads back).
 */
import { formatMoney, type Money, sumMoney } from '../money.ts';
import { type Expense, isReimbursable } from './expense.ts';
import { validateBic, validateIban } from './iban.ts';

export interface BankAccountHolder {
  name: string;
  iban: string;
  /** Optional for SEPA payments since 2016 (IBAN-only); the debtor's is required here. */
  bic: string | null;
}

export interface CreditTransfer {
  endToEndId: string;
  amount: Money;
  creditor: BankAccountHolder;
  remittance: string;
}

export interface ReimbursementPlan {
  transfers: CreditTransfer[];
  /** Expenses left out, with why (fix and pay them in a later batch). */
  excluded: { expenseId: string; reason: string }[];
}

/** SEPA rulebook limits: names 70 characters, unstructured remittance 140, amounts ≤ 999 999 999.99 EUR. */
const NAME_MAX = 70;
const REMITTANCE_MAX = 140;
const MAX_AMOUNT_MINOR = 99_999_999_999n;
const ID_RE = /^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/;

/**
 * EndToEndId of an expense: its id with "_" written "-", because "_" is outside the SEPA character set
 * (a-z A-Z 0-9 / - ? : ( ) . , ' + space) that banks may enforce. Our ids (prefix_ULID) have no "-", so the
 * mapping is reversible: `expenseIdFromEndToEndId`.
 */
export const endToEndIdFor = (expenseId: string): string => expenseId.replace(/_/g, '-');
export const expenseIdFromEndToEndId = (endToEndId: string): string => endToEndId.replace(/-/g, '_');

const clip = (s: string, n: number) => [...s.replace(/\s+/g, ' ').trim()].slice(0, n).join('');

/**
 * Picks what can be paid: APPROVED or BOOKED expenses the employee paid (out-of-pocket, mileage, per diem), in EUR,
 * positive, not already paid, whose employee has a valid IBAN (and BIC when given). Everything else is listed in
 * `excluded` with its reason.
 */
export const planReimbursements = (
  expenses: readonly Expense[],
  payees: Readonly<Record<string, BankAccountHolder | undefined>>,
  alreadyPaid: ReadonlySet<string> = new Set(),
): ReimbursementPlan => {
  const plan: ReimbursementPlan = { transfers: [], excluded: [] };
  const seen = new Set<string>();
  for (const e of expenses) {
    const out = (reason: string) => plan.excluded.push({ expenseId: e.id, reason });
    if (!isReimbursable(e.type)) out('paid by the company card: nothing to reimburse');
    else if (e.status !== 'APPROVED' && e.status !== 'BOOKED') out(`not approved (${e.status})`);
    else if (alreadyPaid.has(e.id) || seen.has(e.id)) out('already in a reimbursement');
    else if (e.amount.currency !== 'EUR') out(`SEPA pays EUR, the expense is in ${e.amount.currency}`);
    else if (e.amount.minor <= 0n || e.amount.minor > MAX_AMOUNT_MINOR) out('amount out of SEPA range');
    else if (!ID_RE.test(endToEndIdFor(e.id))) out('expense id is not a valid EndToEndId (35 SEPA characters)');
    else {
      const payee = payees[e.employeeId];
      const iban = payee ? validateIban(payee.iban) : null;
      const bic = payee?.bic ? validateBic(payee.bic) : null;
      if (!payee || !iban) out(`no bank details for ${e.employeeId}`);
      else if (!iban.ok) out(`employee IBAN: ${iban.reason}`);
      else if (bic && !bic.ok) out(`employee BIC: ${bic.reason}`);
      else {
        seen.add(e.id);
        const what = e.description ? ` ${e.description}` : '';
        plan.transfers.push({
          endToEndId: endToEndIdFor(e.id),
          amount: e.amount,
          creditor: { name: clip(payee.name, NAME_MAX), iban: iban.iban, bic: bic?.ok ? bic.bic : null },
          remittance: clip(`Note de frais ${e.id} du ${e.spentOn}${what}`, REMITTANCE_MAX),
        });
      }
    }
  }
  return plan;
};

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot carry. */
export const escapeXml = (s: string): string =>
  s
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the control characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

export class InvalidTransferFileError extends Error {
  override readonly name = 'InvalidTransferFileError';
}

export interface Pain001Input {
  /** Unique per file for the bank (Max35Text). */
  messageId: string;
  paymentInfoId: string;
  /** ISO 8601 UTC; written as xs:dateTime without fraction or zone (UTC), as French banks' guides show. */
  createdAt: string;
  /** YYYY-MM-DD. */
  requestedExecutionDate: string;
  /** The company: its name, IBAN and BIC. */
  debtor: BankAccountHolder & { bic: string };
  transfers: readonly CreditTransfer[];
  /** One debit on the company's statement for the whole batch (true), or one per transfer. */
  batchBooking?: boolean;
}

const requireId = (label: string, v: string) => {
  if (!ID_RE.test(v)) throw new InvalidTransferFileError(`${label} must be 1–35 SEPA characters, got "${v}"`);
};

/** The pain.001.001.03 XML. Throws InvalidTransferFileError when an input would make an invalid file. */
export const buildPain001 = (input: Pain001Input): string => {
  const { debtor, transfers } = input;
  if (transfers.length === 0) throw new InvalidTransferFileError('a transfer file needs at least one transfer');
  requireId('MsgId', input.messageId);
  requireId('PmtInfId', input.paymentInfoId);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.requestedExecutionDate)) {
    throw new InvalidTransferFileError('requestedExecutionDate must be YYYY-MM-DD');
  }
  const created = new Date(input.createdAt);
  if (Number.isNaN(created.getTime())) throw new InvalidTransferFileError('createdAt must be an ISO date-time');
  const debtorIban = validateIban(debtor.iban);
  const debtorBic = validateBic(debtor.bic);
  if (!debtorIban.ok) throw new InvalidTransferFileError(`debtor IBAN: ${debtorIban.reason}`);
  if (!debtorBic.ok) throw new InvalidTransferFileError(`debtor BIC: ${debtorBic.reason}`);
  const ids = new Set<string>();
  for (const t of transfers) {
    requireId('EndToEndId', t.endToEndId);
    if (ids.has(t.endToEndId)) throw new InvalidTransferFileError(`EndToEndId ${t.endToEndId} appears twice`);
    ids.add(t.endToEndId);
    if (t.amount.currency !== 'EUR' || t.amount.minor <= 0n || t.amount.minor > MAX_AMOUNT_MINOR) {
      throw new InvalidTransferFileError(`${t.endToEndId}: SEPA amounts are positive EUR up to 999999999.99`);
    }
    if (!validateIban(t.creditor.iban).ok) throw new InvalidTransferFileError(`${t.endToEndId}: invalid creditor IBAN`);
    if (t.creditor.bic && !validateBic(t.creditor.bic).ok) {
      throw new InvalidTransferFileError(`${t.endToEndId}: invalid creditor BIC`);
    }
    if (clip(t.creditor.name, NAME_MAX) === '') throw new InvalidTransferFileError(`${t.endToEndId}: creditor name`);
  }
  const total = formatMoney(
    sumMoney(
      transfers.map((t) => t.amount),
      'EUR',
    ),
  );
  const count = String(transfers.length);
  const x = escapeXml;
  const name = (s: string) => x(clip(s, NAME_MAX));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '  <CstmrCdtTrfInitn>',
    '    <GrpHdr>',
    `      <MsgId>${x(input.messageId)}</MsgId>`,
    `      <CreDtTm>${created.toISOString().slice(0, 19)}</CreDtTm>`,
    `      <NbOfTxs>${count}</NbOfTxs>`,
    `      <CtrlSum>${total}</CtrlSum>`,
    `      <InitgPty><Nm>${name(debtor.name)}</Nm></InitgPty>`,
    '    </GrpHdr>',
    '    <PmtInf>',
    `      <PmtInfId>${x(input.paymentInfoId)}</PmtInfId>`,
    '      <PmtMtd>TRF</PmtMtd>',
    `      <BtchBookg>${input.batchBooking ?? true}</BtchBookg>`,
    `      <NbOfTxs>${count}</NbOfTxs>`,
    `      <CtrlSum>${total}</CtrlSum>`,
    '      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>',
    `      <ReqdExctnDt>${input.requestedExecutionDate}</ReqdExctnDt>`,
    `      <Dbtr><Nm>${name(debtor.name)}</Nm></Dbtr>`,
    `      <DbtrAcct><Id><IBAN>${debtorIban.iban}</IBAN></Id></DbtrAcct>`,
    `      <DbtrAgt><FinInstnId><BIC>${debtorBic.bic}</BIC></FinInstnId></DbtrAgt>`,
    '      <ChrgBr>SLEV</ChrgBr>',
    ...transfers.flatMap((t) => [
      '      <CdtTrfTxInf>',
      `        <PmtId><EndToEndId>${x(t.endToEndId)}</EndToEndId></PmtId>`,
      `        <Amt><InstdAmt Ccy="EUR">${formatMoney(t.amount)}</InstdAmt></Amt>`,
      ...(t.creditor.bic
        ? [`        <CdtrAgt><FinInstnId><BIC>${x(t.creditor.bic)}</BIC></FinInstnId></CdtrAgt>`]
        : []),
      `        <Cdtr><Nm>${name(t.creditor.name)}</Nm></Cdtr>`,
      `        <CdtrAcct><Id><IBAN>${x(t.creditor.iban.replace(/\s+/g, '').toUpperCase())}</IBAN></Id></CdtrAcct>`,
      `        <RmtInf><Ustrd>${x(clip(t.remittance, REMITTANCE_MAX))}</Ustrd></RmtInf>`,
      '      </CdtTrfTxInf>',
    ]),
    '    </PmtInf>',
    '  </CstmrCdtTrfInitn>',
    '</Document>',
    '',
  ];
  return lines.join('\n');
};
