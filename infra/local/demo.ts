import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { checkFec } from '../../shared/domain/ledger/fec-check.ts';
import { LOCAL_WEBHOOK_SECRETS } from './local-secrets.ts';
import { makeSampleReceiptPdf } from './sample-receipt.ts';
import { DEMO_COMPANY } from './seed.ts';
import {
  authorizationClosed,
  authorizationCreated,
  authorizationRequest,
  newAuthorization,
  sendStripe,
  transactionCreated,
  transactionObject,
} from './stripe-simulator.ts';

/**
 * `npm run demo`: drives the running local cloud through the flow built so far and prints what happens.
 * Today: an employee e-mails a receipt PDF → it is stored raw, becomes a receipt, and finance lists it.
 */
const api = (process.env.QUITTANCE_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
const step = (n: number, text: string) => process.stdout.write(`\n${n}. ${text}\n`);
const fail = (message: string): never => {
  process.stderr.write(`\ndemo failed: ${message}\n`);
  process.exit(1);
};

const health = await fetch(`${api}/health`).catch(() => null);
if (!health?.ok) fail(`the local cloud is not answering at ${api}/health: start it with \`npm start\` first`);

const runId = randomUUID().slice(0, 8);
// Each run pays its own amount, so the receipt and the card payment of this run match each other only.
const cents = 3000 + (Number.parseInt(runId.slice(0, 4), 16) % 3000);
const printed = `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
const decimal = printed.replace(',', '.');
const tip = 350;
const now = new Date();
const today = `${String(now.getUTCDate()).padStart(2, '0')}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${now.getUTCFullYear()}`;
const subject = `Déjeuner client (demo ${runId})`;
step(1, `Alice e-mails a restaurant receipt to ${DEMO_COMPANY.receiptsAddress} (SMTP 127.0.0.1:${smtpPort})`);
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
const info = await transport.sendMail({
  from: 'Alice Martin <alice@demo.quittance.local>',
  to: DEMO_COMPANY.receiptsAddress,
  subject,
  text: 'Ci-joint le ticket du déjeuner avec le client.',
  attachments: [
    {
      filename: `brasserie-${runId}.pdf`,
      content: Buffer.from(await makeSampleReceiptPdf({ total: printed, date: today })),
    },
  ],
});
process.stdout.write(`   accepted by the SMTP server: ${info.response}\n`);

step(2, 'Finance (finance@demo.quittance.local) gets a token from the local identity provider');
const tokenRes = await fetch(`${api}/_local/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'finance@demo.quittance.local' }),
});
const { token } = (await tokenRes.json()) as { token?: string };
if (!token) fail('no token');
process.stdout.write(`   token: ${token?.slice(0, 24)}…\n`);

step(3, 'Finance lists receipts (GET /receipts) until the new one appears');
type Item = {
  id: string;
  status: string;
  subject?: string;
  from?: string;
  document: { fileName: string; size: number };
};
const deadline = Date.now() + 30_000;
let found: Item | undefined;
while (!found && Date.now() < deadline) {
  const res = await fetch(`${api}/receipts?limit=20`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { items?: Item[] };
  found = body.items?.find((r) => r.subject === subject);
  if (!found) await new Promise((r) => setTimeout(r, 250));
}
if (!found) fail('the receipt did not appear within 30 s (see the `npm start` console)');
const r = found as Item;
process.stdout.write(
  `   ${r.id}  ${r.status}  from ${r.from}  "${r.subject}"  ${r.document.fileName} (${r.document.size} bytes)\n`,
);

step(4, 'The receipt is read (extraction queue → built-in engine) and the employee gets an acknowledgement');
type Detail = {
  status: string;
  extraction: null | {
    engine: string;
    vendor?: string;
    date?: string;
    total?: string;
    currency?: string;
    taxes: { rate?: string; amount: string }[];
  };
  document: { url: string };
  history: { at: string; status: string; note: string }[];
};
const readDetail = async () =>
  (await (await fetch(`${api}/receipts/${r.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Detail;
let detail = await readDetail();
while (detail.status === 'RECEIVED' && Date.now() < deadline + 30_000) {
  await new Promise((res) => setTimeout(res, 250));
  detail = await readDetail();
}
if (detail.status !== 'EXTRACTED') fail(`the receipt ended ${detail.status}, not EXTRACTED`);
const x = detail.extraction;
process.stdout.write(
  `   ${detail.status} by ${x?.engine}: ${x?.vendor} · ${x?.date} · ${x?.total} ${x?.currency} · VAT ${x?.taxes
    .map((t) => `${t.rate ?? '?'} % ${t.amount}`)
    .join(', ')}\n`,
);
for (const h of detail.history) process.stdout.write(`   ${h.at}  ${h.status.padEnd(9)}  ${h.note}\n`);
process.stdout.write(`   document link (15 min): ${detail.document.url.slice(0, 80)}…\n`);
const outbox = (await (await fetch(`${api}/_local/outbox?to=alice@demo.quittance.local`)).json()) as {
  items: { subject: string; text: string }[];
};
const ack = outbox.items.filter((m) => m.subject.includes(runId)).at(-1);
if (ack) process.stdout.write(`   e-mail to Alice: "${ack.subject}"\n     ${ack.text.replaceAll('\n', '\n     ')}\n`);

step(5, 'Alice pays with her card: Stripe asks for a real-time decision, then sends the capture (with a tip)');
const secret = process.env.WEBHOOK_SECRETS_STRIPE?.split(',')[0] ?? LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
const auth = newAuthorization(card, { name: 'BRASSERIE DU MARCHE', mcc: '5812', city: 'PARIS', country: 'FR' }, cents);
const decided = await sendStripe(api, secret, authorizationRequest(auth));
process.stdout.write(
  `   issuing_authorization.request ${decimal} EUR → HTTP ${decided.status} ${JSON.stringify(decided.body)}\n`,
);
if (decided.body.approved !== true) fail('the authorization was not approved');
await sendStripe(api, secret, authorizationCreated(auth, true));
const capture = transactionObject(auth, cents + tip);
await sendStripe(api, secret, transactionCreated(capture));
await sendStripe(api, secret, authorizationClosed(auth, [capture]));
process.stdout.write(
  `   issuing_authorization.created, issuing_transaction.created (${((cents + tip) / 100).toFixed(2)} EUR with the tip), .updated (closed) → 200\n`,
);
const budgets = (await (
  await fetch(`${api}/cards/budgets`, { headers: { authorization: `Bearer ${token}` } })
).json()) as {
  items: {
    name: string;
    period: string;
    settled: { amount: string };
    reserved: { amount: string };
    available: { amount: string };
  }[];
};
for (const b of budgets.items) {
  process.stdout.write(
    `   budget ${b.name} (${b.period}): settled ${b.settled.amount}, reserved ${b.reserved.amount}, available ${b.available.amount} EUR\n`,
  );
}

step(6, 'The receipt and the card payment are matched, with the reasons');
process.stdout.write('   (the receipt first takes the approved authorization, then follows it to the capture)\n');
type Linked = { match: null | { transactionId: string; score: number; reasons: string[]; by: string } };
let linked: Linked = { match: null };
const captured = `stripe:${capture.id}`;
const matchDeadline = Date.now() + 20_000;
while (linked.match?.transactionId !== captured && Date.now() < matchDeadline) {
  linked = (await (
    await fetch(`${api}/receipts/${r.id}`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as Linked;
  if (linked.match?.transactionId !== captured) await new Promise((res) => setTimeout(res, 250));
}
if (linked.match?.transactionId !== captured) fail('the receipt was not matched to the card payment');
const m = linked.match as NonNullable<Linked['match']>;
process.stdout.write(`   ${r.id} ↔ ${m.transactionId}  score ${m.score.toFixed(2)} (${m.by})\n`);
for (const reason of m.reasons) process.stdout.write(`     · ${reason}\n`);

step(7, 'The matched payment became a card expense, checked against the policy and routed to its approvers');
type Expense = {
  id: string;
  status: string;
  category: { category: string; explanation?: string } | null;
  violations: { code: string; message: string }[];
  approval: null | { steps: { name: string; approverIds: string[] }[] };
  booking: null | { journalEntryId: string };
  history?: { at: string; actor: { id: string }; from: string | null; to: string }[];
};
const tokenFor = async (email: string) =>
  (
    (await (await fetch(`${api}/_local/token`, { method: 'POST', body: JSON.stringify({ email }) })).json()) as {
      token: string;
    }
  ).token;
const [aliceToken, managerToken] = await Promise.all([
  tokenFor('alice@demo.quittance.local'),
  tokenFor('manager@demo.quittance.local'),
]);
const get = async <T>(path: string, bearer: string) =>
  (await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as T;
let expense: Expense | undefined;
const expenseDeadline = Date.now() + 20_000;
while (!expense && Date.now() < expenseDeadline) {
  const list = await get<{ items: (Expense & { receiptIds: string[] })[] }>('/expenses?limit=50', aliceToken);
  expense = list.items.find((e) => e.receiptIds.includes(r.id) && e.status === 'PENDING_APPROVAL');
  if (!expense) await new Promise((res) => setTimeout(res, 250));
}
if (!expense) fail('no card expense pending approval for the demo receipt');
const pending = expense as Expense;
process.stdout.write(
  `   ${pending.id}  ${pending.status}  category ${pending.category?.category}  violations: ${pending.violations.map((v) => v.code).join(', ') || 'none'}\n`,
);
process.stdout.write(
  `   approval chain: ${pending.approval?.steps.map((st) => `${st.name} (${st.approverIds.join(', ')})`).join(' → ')}\n`,
);

step(8, 'The manager approves, then finance');
const approve = async (bearer: string) =>
  (await (
    await fetch(`${api}/expenses/${pending.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
    })
  ).json()) as Expense;
process.stdout.write(`   manager → ${(await approve(managerToken)).status}\n`);
process.stdout.write(`   finance → ${(await approve(token as string)).status}\n`);

step(9, 'Booked: a balanced, numbered journal entry pushed to the accounting system, then exported as a FEC');
let booked: Expense | undefined;
const bookDeadline = Date.now() + 30_000;
while (!booked && Date.now() < bookDeadline) {
  const e = await get<Expense>(`/expenses/${pending.id}`, token as string);
  if (e.status === 'BOOKED') booked = e;
  else await new Promise((res) => setTimeout(res, 250));
}
if (!booked) fail('the expense was not booked');
const done = booked as Expense;
for (const h of done.history ?? [])
  process.stdout.write(`   ${h.at}  ${(h.from ?? '∅').padEnd(16)} → ${h.to.padEnd(16)} ${h.actor.id}\n`);
const journals = (await (await fetch(`${api}/_local/accounting/manual-journals`)).json()) as {
  items: {
    key: string;
    id: string;
    body: { Narration: string; JournalLines: { AccountCode: string; LineAmount: string; Description: string }[] };
  }[];
};
const pushed = journals.items.find((j) => j.key.endsWith(done.booking?.journalEntryId ?? '?'));
if (pushed) {
  process.stdout.write(`   accounting system received ${pushed.id}: ${pushed.body.Narration}\n`);
  for (const l of pushed.body.JournalLines)
    process.stdout.write(`     ${l.AccountCode.padEnd(8)} ${l.LineAmount.padStart(10)}  ${l.Description}\n`);
}
const year = now.getUTCFullYear();
const fecRes = await fetch(`${api}/exports/fec?from=${year}-01-01&to=${year}-12-31`, {
  headers: { authorization: `Bearer ${token}` },
});
const fecName = /filename="([^"]+)"/.exec(fecRes.headers.get('content-disposition') ?? '')?.[1] ?? 'FEC.txt';
const fecText = await fecRes.text();
const outDir = join(tmpdir(), 'quittance-demo');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, fecName), fecText);
const fecCheck = checkFec(fecText, { fileName: fecName, period: { start: `${year}-01-01`, end: `${year}-12-31` } });
process.stdout.write(
  `   FEC ${join(outDir, fecName)}: ${fecText.split('\n').filter(Boolean).length - 1} lines, check: ${fecCheck.ok ? 'valid' : `${fecCheck.problems.length} problem(s)`}\n`,
);
process.stdout.write(`   (check it yourself: npx quittance fec check ${join(outDir, fecName)})\n`);

process.stdout.write(
  '\nDemo done: receipt e-mailed, read and acknowledged; card payment authorized against budgets and captured;\n' +
    'receipt and payment matched; expense approved by manager and finance; booked, pushed to accounting once,\n' +
    'and exported as a FEC.\n',
);
