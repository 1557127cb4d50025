import { randomInt, randomUUID } from 'node:crypto';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import {
  authorizationCreated,
  authorizationRequest,
  newAuthorization,
  sendStripe,
  transactionCreated,
  transactionObject,
} from '../../infra/local/stripe-simulator.ts';
import { authorizationSlotId } from '../../shared/domain/matching/online.ts';
import { sendMail } from './api-client.ts';

/**
 * Random letters for merchant names. Without B, H, O and W, so that a name can never hold a word the extractor
 * takes for a receipt's header rather than its merchant (HTTP, WWW, THANK, PHONE, ORDER, TABLE, BILL…): one CI run
 * drew "HTTPVIG HTAMVG", which reads as no vendor and left the receipt at a suggestion.
 */
const ALPHABET = 'ACDEFGIJKLMNPRSTUVZ';
const letters = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/**
 * A purchase by Alice that nobody else in the suite makes: its own merchant and amount (26 € to 45 €: above the
 * demo chain's 25 € finance step, and small enough that the whole suite's purchases stay within Alice's 1 500 €
 * monthly budget, or the last ones would be declined). The name is letters only: tokens with digits count only when
 * both names carry a non-store-like code (merchant.ts), and a plain letters name keeps the other tests' purchases
 * from ever competing.
 */
export const purchase = () => {
  const cents = randomInt(2600, 4500);
  const vendor = `${letters(7)} ${letters(6)}`;
  return { vendor, cents, printed: `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}` };
};
export type Purchase = ReturnType<typeof purchase>;

const today = () => {
  const d = new Date();
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};

/** Alice e-mails the receipt; returns the mail's subject. */
export const emailReceipt = async (smtpPort: number, p: Purchase): Promise<string> => {
  const subject = `purchase ${randomUUID()}`;
  await sendMail(smtpPort, {
    from: 'alice@demo.quittance.local',
    to: 'receipts@demo.quittance.local',
    subject,
    attachments: [
      {
        filename: 'r.pdf',
        content: Buffer.from(await makeSampleReceiptPdf({ vendor: p.vendor, total: p.printed, date: today() })),
      },
    ],
  });
  return subject;
};

/** Alice pays with her Stripe card (authorization request, creation, capture); returns the transaction id. */
export const cardPayment = async (
  apiUrl: string,
  p: Purchase,
  tip = 0,
  /** Runs between the authorization and its capture, with the authorization's receipt slot id. */
  beforeCapture?: (slotId: string) => Promise<unknown>,
): Promise<string> => {
  const secret = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
  const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
  const a = newAuthorization(card, { name: p.vendor, mcc: '5812', city: 'PARIS', country: 'FR' }, p.cents);
  const answer = await sendStripe(apiUrl, secret, authorizationRequest(a));
  if (answer.body.approved !== true) throw new Error(`authorization declined: ${JSON.stringify(answer.body)}`);
  await sendStripe(apiUrl, secret, authorizationCreated(a, true));
  await beforeCapture?.(authorizationSlotId('stripe', a.id));
  const tx = transactionObject(a, p.cents + tip);
  await sendStripe(apiUrl, secret, transactionCreated(tx));
  return `stripe:${tx.id}`;
};

/** A charge at a shop (MCC 5942) authorized and captured at once, for the given amount. */
export const shopCharge = async (apiUrl: string, vendor: string, cents: number): Promise<string> => {
  const secret = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
  const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
  const a = newAuthorization(card, { name: vendor, mcc: '5942', city: 'PARIS', country: 'FR' }, cents);
  const answer = await sendStripe(apiUrl, secret, authorizationRequest(a));
  if (answer.body.approved !== true) throw new Error(`authorization declined: ${JSON.stringify(answer.body)}`);
  await sendStripe(apiUrl, secret, authorizationCreated(a, true));
  const tx = transactionObject(a, cents);
  const res = await sendStripe(apiUrl, secret, transactionCreated(tx));
  if (res.status !== 200) throw new Error(`capture refused: ${res.status} ${JSON.stringify(res.body)}`);
  return `stripe:${tx.id}`;
};

/** A purchase shipped in two parts, each charged on its own (40 % and 60 %). */
export const splitParts = (p: Purchase) => {
  const first = Math.floor(p.cents * 0.4);
  return [first, p.cents - first] as const;
};

/** The merchant refunds part of Alice's purchase to her card (a Stripe refund transaction, no authorization). */
export const cardRefund = async (apiUrl: string, p: Purchase, cents: number): Promise<string> => {
  const secret = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
  const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
  const a = newAuthorization(card, { name: p.vendor, mcc: '5812', city: 'PARIS', country: 'FR' }, cents);
  const tx = { ...transactionObject(a, -cents), type: 'refund', authorization: null };
  const res = await sendStripe(
    apiUrl,
    secret,
    transactionCreated(tx as unknown as ReturnType<typeof transactionObject>),
  );
  if (res.status !== 200) throw new Error(`refund refused: ${res.status} ${JSON.stringify(res.body)}`);
  return `stripe:${tx.id}`;
};

/**
 * What the API shows of a purchase's trail (its receipt by mail subject, its card transaction, the expenses naming
 * it): printed when a flow does not end as expected.
 */
export const purchaseTrail = async (
  apiUrl: string,
  token: string,
  of: { subject?: string; txId?: string },
): Promise<string> => {
  const get = async (path: string) =>
    (await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{
      items?: Record<string, unknown>[];
    }>;
  const receipts = of.subject
    ? ((await get('/receipts?limit=100')).items ?? []).filter((r) => r.subject === of.subject)
    : [];
  const details = await Promise.all(receipts.map((r) => get(`/receipts/${String(r.id)}`)));
  const missing = of.txId
    ? ((await get('/cards/transactions?missingReceipt=true&limit=100')).items ?? []).filter((t) => t.id === of.txId)
    : [];
  const expenses = of.txId
    ? ((await get('/expenses?limit=100')).items ?? []).filter((e) =>
        (e.cardTransactionIds as string[] | undefined)?.includes(of.txId ?? ''),
      )
    : [];
  // Other unmatched receipts proposed for the same charges: the rivals that kept a link from being automatic.
  const charges = new Set(
    details.flatMap((d) =>
      ((d as { suggestions?: { transactionId: string }[] }).suggestions ?? []).map((x) => x.transactionId),
    ),
  );
  const unmatched = (await get('/receipts?unmatched=true&limit=100')).items ?? [];
  const rivals = (await Promise.all(unmatched.map((r) => get(`/receipts/${String(r.id)}`))))
    .map((d) => d as { id?: string; suggestions?: { transactionId: string }[]; extraction?: unknown })
    .filter((d) => d.id && !receipts.some((r) => r.id === d.id))
    .filter((d) => (d.suggestions ?? []).some((x) => charges.has(x.transactionId)))
    .map((d) => ({ id: d.id, extraction: d.extraction, suggestions: d.suggestions }));
  return JSON.stringify({ receipts: details, rivals, transactionMissingItsReceipt: missing, expenses });
};
