/**
 * `npm run bench:match-online`: latency of online matching, the match function's handler on one new event, against
 * DynamoDB Local (the local cloud's database, same launcher, table created from the topology).
 *
 * Seeds a company whose employees have months of history, as in steady state: card payments every working day
 * (most already linked to their receipt, some still waiting), their receipts (most linked), split shipments and
 * hotel stays. Then, one at a time, a new receipt is stored and the handler (`functions/match/handler-core.ts`,
 * with the DynamoDB match store, the production wiring minus EventBridge) is timed on its ReceiptExtracted event:
 * both index queries, the planning with the batch scoring/sum/assignment code, and the conditional link or the
 * suggestions write. Then the same for new card captures (CardTransactionPosted). Events are published to an
 * in-process recorder (PutEvents to the bus is not part of the measured time).
 *
 * Env: BENCH_EMPLOYEES (20), BENCH_DAYS (120), BENCH_PER_DAY (3 payments a working day), BENCH_RUNS (400),
 * BENCH_SEED (7). Results go to docs/benchmarks/match-online.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeHandler } from '../../functions/match/handler-core.ts';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { topology } from '../../infra/topology.ts';
import { QUIET_SDK_LOGGER } from '../../shared/adapters/aws/clients.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import type { DomainEvent } from '../../shared/ports/event-publisher.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 20);
const DAYS = Number(process.env.BENCH_DAYS ?? 120);
const PER_DAY = Number(process.env.BENCH_PER_DAY ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const WARMUP = 60;
const SEED = Number(process.env.BENCH_SEED ?? 7);
const TABLE = 'quittance-bench-main';
const CO = 'bench';
const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
/** The sample event (events/samples), its fields overridden per capture. */
const CAPTURE = JSON.parse(readFileSync(resolve(ROOT, 'events/samples/CardTransactionPosted.json'), 'utf8')) as {
  detail: Record<string, unknown> & { merchant: Record<string, unknown> };
};

let state = SEED >>> 0;
const rnd = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const euros = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

const MERCHANTS = [
  ['Brasserie du Marché', 'SQ *BRASSERIE DU MARCH', '5812'],
  ['Le Petit Zinc', 'SUMUP *LE PETIT ZINC', '5812'],
  ['Café Oberkampf', 'CAFE OBERKAMPF PARIS', '5814'],
  ['G7 Taxi', 'G7 TAXI 75 PARIS', '4121'],
  ['Monoprix', 'MONOPRIX 2211 PARIS', '5411'],
  ['Fnac', 'FNAC PARIS 0032', '5732'],
  ['Amazon EU S.à r.l.', 'AMZN Mktp FR*2K4L81', '5942'],
  ['SNCF Connect', 'SNCF CONNECT', '4112'],
  ['Total Energies', 'TOTALENERGIES 45678', '5541'],
  ['Bureau Vallée', 'BUREAU VALLEE #12 LYON', '5943'],
  ['Hôtel Mercure Lyon Centre', 'MERCURE LYON CENTRE', '3503'],
  ['Pizzeria Napoli', 'TST* PIZZERIA NAPOLI', '5812'],
] as const;

interface Seeded {
  employee: string;
  vendor: string;
  descriptor: string;
  mcc: string;
  cents: number;
  at: number;
}

const txItem = (id: string, s: Seeded, receiptId: string | null) => {
  const at = new Date(s.at).toISOString();
  const postedAt = new Date(s.at + int(1, 3) * DAY).toISOString();
  return {
    pk: `C#${CO}#CARDTX#${id}`,
    sk: 'TX',
    entity: 'CardTransaction',
    gsi1pk: `C#${CO}#EMP#${s.employee}#CARDTX`,
    gsi1sk: `${at}#${id}`,
    ...(receiptId
      ? { receiptId }
      : {
          gsi2pk: `C#${CO}#MISSING`,
          gsi2sk: `${postedAt}#${id}`,
          ...keys.missingReceiptsByEmployee(CO, s.employee, postedAt, id),
          ...keys.openTransactionsByEmployee(CO, s.employee, at, id),
        }),
    companyId: CO,
    id,
    employeeId: s.employee,
    merchantName: s.descriptor,
    mcc: s.mcc,
    amountMinor: String(s.cents),
    currency: 'EUR',
    merchantAmountMinor: String(s.cents),
    merchantCurrency: 'EUR',
    authorizedAt: at,
    postedAt,
    cardLast4: '4242',
  };
};

const receiptItem = (id: string, s: Seeded, cents: number, link: string | null, receivedAt: number) => {
  const date = new Date(s.at).toISOString().slice(0, 10);
  const received = new Date(receivedAt).toISOString();
  const total = euros(cents);
  return {
    ...keys.receipt(CO, id),
    entity: 'Receipt',
    ...keys.receiptsByCompany(CO, received, id),
    ...keys.receiptsByEmployee(CO, s.employee, received, id),
    ...(link === null ? keys.openReceiptsByEmployee(CO, s.employee, received, id) : {}),
    companyId: CO,
    id,
    employeeId: s.employee,
    status: 'EXTRACTED',
    source: { channel: 'email', from: `${s.employee}@bench.local`, subject: 'receipt', messageId: `<${id}@bench>` },
    document: {
      bucket: 'documents',
      key: `${CO}/${id}.pdf`,
      contentType: 'application/pdf',
      fileName: 'receipt.pdf',
      sha256: id.padEnd(64, '0'),
      size: 48_213,
    },
    receivedAt: received,
    updatedAt: received,
    extraction: {
      engine: 'pdf-text',
      vendor: s.vendor,
      date,
      currency: 'EUR',
      total,
      taxes: [{ rate: '10.00', amount: euros(Math.round(cents / 11)) }],
      cardLast4: '4242',
      lineItems: [{ description: 'Article', quantity: '1', unitPrice: total, amount: total }],
      confidence: { vendor: 0.6, date: 0.95, currency: 0.95, total: 0.85, taxes: 0.6, cardLast4: 0.85 },
      warnings: [],
    },
    ...(link
      ? {
          link: {
            transactionId: link,
            score: 0.97,
            reasons: ['amount exact', 'date same day'],
            by: 'auto',
            at: received,
          },
        }
      : {}),
  };
};

const writeAll = async (doc: DynamoDBDocumentClient, items: Record<string, unknown>[]) => {
  for (let i = 0; i < items.length; i += 25) {
    let batch: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (batch && batch.length > 0) {
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: batch as never } }));
      batch = res.UnprocessedItems?.[TABLE] as Record<string, unknown>[] | undefined;
    }
  }
};

const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-match-online-'));
mkdirSync(join(dataDir, 'db'), { recursive: true });
const ddbLocal = await startDynamoDbLocal({ dbPath: join(dataDir, 'db') });
try {
  // Configured as awsClients() configures the functions' client (its logger included).
  const raw = new DynamoDBClient({
    endpoint: ddbLocal.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger: QUIET_SDK_LOGGER,
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const spec = topology.tables.main;
  const attrs = [...new Set([spec.partitionKey, spec.sortKey, ...Object.values(spec.indexes).flat()])];
  await raw.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        { AttributeName: spec.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.entries(spec.indexes).map(([IndexName, [pk, sk]]) => ({
        IndexName,
        KeySchema: [
          { AttributeName: pk, KeyType: 'HASH' },
          { AttributeName: sk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );

  // ------------------------------------------------------------ history (steady state)
  const employees = Array.from({ length: EMPLOYEES }, (_, i) => `u_${i}`);
  const items: Record<string, unknown>[] = [];
  let n = 0;
  let waitingTx = 0;
  let waitingReceipts = 0;
  for (const employee of employees) {
    for (let d = DAYS; d >= 1; d--) {
      const day = NOW - d * DAY;
      if (new Date(day).getUTCDay() % 6 === 0) continue; // weekends
      for (let k = 0; k < PER_DAY; k++) {
        const [vendor, descriptor, mcc] = pick(MERCHANTS);
        const s: Seeded = {
          employee,
          vendor,
          descriptor,
          mcc,
          cents: int(450, 18_000),
          at: day + int(7, 20) * 3_600_000,
        };
        const tid = `stripe:hist${n}`;
        const rid = `rcpt_hist${n++}`;
        const recent = d <= 21;
        // Recent payments wait for their receipt more often; older ones mostly have it (or never will).
        const linked = rnd() > (recent ? 0.35 : 0.06);
        const hasReceipt = linked || rnd() < 0.3;
        items.push(txItem(tid, s, linked ? rid : null));
        if (!linked) waitingTx++;
        if (hasReceipt) {
          items.push(receiptItem(rid, s, s.cents, linked ? tid : null, s.at + int(1, 72) * 3_600_000));
          if (!linked) waitingReceipts++;
        }
      }
    }
  }
  const seedStart = performance.now();
  await writeAll(doc, items);
  const seedMs = performance.now() - seedStart;
  console.log(`seeded ${items.length} items in ${(seedMs / 1000).toFixed(1)} s`);

  // ------------------------------------------------------------ the handler, production wiring minus the bus
  const published: DomainEvent[] = [];
  const stats = { linked: 0, suggested: 0, other: 0 };
  // Each store call is timed (the database round trips of an event), per event kind, after the warm-up.
  let callKind: 'receipt' | 'capture' | null = null;
  const calls = new Map<string, number[]>();
  const baseStore = makeDynamoMatchStore(doc, TABLE);
  const timedStore = new Proxy(baseStore, {
    get(target, name, receiver) {
      const f = Reflect.get(target, name, receiver) as unknown;
      if (typeof f !== 'function') return f;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (f as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          if (callKind !== null) {
            const key = `${callKind} ${String(name)}`;
            const list = calls.get(key) ?? [];
            list.push(performance.now() - t0);
            calls.set(key, list);
          }
        }
      };
    },
  });
  const handler = makeHandler(
    {
      store: timedStore,
      events: { publish: async (e) => void published.push(...e) },
      now: () => new Date(NOW),
    },
    { info: () => undefined },
  );
  const envelope = (type: string, detail: unknown) => ({
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': type,
    source: type === 'ReceiptExtracted' ? 'quittance.receipts' : 'quittance.cards',
    account: '000000000000',
    time: new Date(NOW).toISOString(),
    region: 'eu-west-3',
    resources: [],
    detail,
  });

  /** A new receipt for a payment of the last 10 days (70 %), a split shipment (10 %), or no payment (20 %). */
  const newReceipt = async (i: number) => {
    const employee = pick(employees);
    const [vendor, descriptor, mcc] = pick(MERCHANTS);
    const s: Seeded = {
      employee,
      vendor,
      descriptor,
      mcc,
      cents: int(450, 18_000),
      at: NOW - int(0, 10) * DAY - 3_600_000,
    };
    const kind = rnd();
    const extra: Record<string, unknown>[] = [];
    if (kind < 0.7) extra.push(txItem(`stripe:new${i}`, s, null));
    else if (kind < 0.8) {
      const part = Math.floor(s.cents * 0.4);
      extra.push(txItem(`stripe:new${i}a`, { ...s, cents: part, at: s.at + DAY }, null));
      extra.push(txItem(`stripe:new${i}b`, { ...s, cents: s.cents - part, at: s.at + 3 * DAY }, null));
    }
    const rid = `rcpt_new${i}`;
    extra.push(receiptItem(rid, s, s.cents, null, NOW));
    await writeAll(doc, extra);
    return { employee, rid, date: new Date(s.at).toISOString().slice(0, 10), vendor, total: euros(s.cents) };
  };

  const loadBefore = loadavg()[0] ?? 0;
  const receiptLatencies: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const { employee, rid, date, vendor, total } = await newReceipt(i);
    const event = envelope('ReceiptExtracted', {
      companyId: CO,
      receiptId: rid,
      employeeId: employee,
      extraction: {
        engine: 'pdf-text',
        vendor,
        date,
        currency: 'EUR',
        total,
        taxes: [],
        lineItems: [],
        confidence: {},
        warnings: [],
      },
      possibleDuplicateOf: null,
      extractedAt: new Date(NOW).toISOString(),
    });
    callKind = i < WARMUP ? null : 'receipt';
    const t0 = performance.now();
    const result = (await handler(event)) as Record<string, unknown>;
    const ms = performance.now() - t0;
    callKind = null;
    if (i < WARMUP) continue;
    receiptLatencies.push(ms);
    if ('linked' in result) stats.linked++;
    else if ('suggested' in result) stats.suggested++;
    else stats.other++;
  }

  // ------------------------------------------------------------ new captures (the other arrival order)
  const txLatencies: number[] = [];
  const txStats = { linked: 0, suggested: 0, other: 0 };
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const employee = pick(employees);
    const [vendor, descriptor, mcc] = pick(MERCHANTS);
    const cents = int(450, 18_000);
    const at = NOW - int(0, 5) * DAY - 7_200_000;
    const s: Seeded = { employee, vendor, descriptor, mcc, cents, at };
    if (rnd() < 0.6) await writeAll(doc, [receiptItem(`rcpt_cap${i}`, s, cents, null, at + 3_600_000)]);
    const event = envelope('CardTransactionPosted', {
      ...CAPTURE.detail,
      companyId: CO,
      employeeId: employee,
      eventId: `evt_cap${i}`,
      transactionId: `cap${i}`,
      amount: { amount: euros(cents), currency: 'EUR' },
      merchantAmount: { amount: euros(cents), currency: 'EUR' },
      merchant: { ...CAPTURE.detail.merchant, name: descriptor, normalizedName: descriptor, mcc },
      authorizedAt: new Date(at).toISOString(),
      postedAt: new Date(at + DAY).toISOString(),
    });
    callKind = i < WARMUP ? null : 'capture';
    const t0 = performance.now();
    const result = (await handler(event)) as Record<string, unknown>;
    const ms = performance.now() - t0;
    callKind = null;
    if (i < WARMUP) continue;
    txLatencies.push(ms);
    if ('linked' in result) txStats.linked++;
    else if ('suggested' in result) txStats.suggested++;
    else txStats.other++;
  }

  const loadAfter = loadavg()[0] ?? 0;
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  const perEmployeeTx = Math.round(items.filter((x) => x.entity === 'CardTransaction').length / EMPLOYEES);
  const report = `# Online matching latency

Generated by \`npm run bench:match-online\` (tests/bench/match-online.bench.ts), ${new Date().toISOString().slice(0, 10)},
Node ${process.version}, ${cpus().length} shared cores, DynamoDB Local (the local cloud's launcher and JVM flags, data on disk),
table created from the topology. Target (issue 6): one new receipt matched online in ≤ 30 ms p99.

## What is timed

The match function's handler (\`functions/match/handler-core.ts\`: zod parsing of the EventBridge envelope, then
\`matchReceipt\` / \`matchTransaction\` with the DynamoDB match store), one event at a time, from the call to the
returned result: the receipt's consistent read and, in parallel with it (from the event's employee and date,
checked against the stored receipt), the index queries (the employee's open transactions around the receipt's
date and the open receipts that may compete or sum with it, each read from a sparse index of open items), the planning
(batch scoring, sum shapes and assignment over that neighbourhood), and the conditional link transaction or the
suggestions write. Publishing is to an in-process
recorder: the PutEvents call to the bus is not included. ${WARMUP} warm-up events per kind are not counted.

## Data

${EMPLOYEES} employees, ${DAYS} days of history, ${PER_DAY} card payments per working day each (≈ ${perEmployeeTx} per
employee), ${items.length} items: payments mostly linked to their receipt (65 % of the last 3 weeks, 94 % before),
${waitingTx} payments still waiting for a receipt, ${waitingReceipts} receipts still waiting for a payment. A receipt's
candidate window (31 days before, 22 after its date) holds ≈ ${Math.round((53 * 5 * PER_DAY) / 7)} of the employee's payments and its rival
window (by reception, 60 days before to 113 after) ≈ ${Math.round((173 * 5 * PER_DAY) / 7)} receipts; the open-items indexes hold only the unlinked
ones, which is all the queries read (before them, the queries read the whole windows and filtered).
New receipts: 70 % for a new payment of the last 10 days, 10 % a split shipment charged in two parts, 20 % with no
payment (suggestions only). New captures: 60 % with a receipt already read.

## Results (ms)

| event | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
${row('ReceiptExtracted → matchReceipt', receiptLatencies)}
${row('CardTransactionPosted → matchTransaction', txLatencies)}

Store calls inside those events (each a DynamoDB Local round trip or a few; parallel calls overlap):

| event · store call | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
${[...calls.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, xs]) => row(name, xs))
  .join('\n')}

1-minute load average of the machine (other work included) when the timed events started / ended:
${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)} on ${cpus().length} cores. The handler and DynamoDB Local (Java) share those
cores: on a loaded machine the tail grows with the queueing (a run at load ≈ 6–7.5 measured p99 86 ms for receipts).

Outcomes: receipts ${stats.linked} linked, ${stats.suggested} suggestions only, ${stats.other} other; captures
${txStats.linked} linked, ${txStats.suggested} suggestions only, ${txStats.other} other.
Seeding ${items.length} items took ${(seedMs / 1000).toFixed(1)} s (BatchWriteItem).
`;
  writeFileSync(resolve(ROOT, 'docs/benchmarks/match-online.md'), report);
  console.log(report);
} finally {
  await ddbLocal.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
