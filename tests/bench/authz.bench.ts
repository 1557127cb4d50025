import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import { DEMO_CONTROLS } from '../../infra/local/seed.ts';
import {
  authorizationClosed,
  authorizationCreated,
  authorizationRequest,
  newAuthorization,
  signStripe,
  transactionCreated,
  transactionObject,
} from '../../infra/local/stripe-simulator.ts';
import { makeApi } from '../support/api-client.ts';
import { startCloudProcess } from '../support/local-cloud-process.ts';

/**
 * `npm run bench:authz`: real-time authorization against the local cloud, with signed Stripe requests.
 * 1. Latency at a steady rate, open loop: each request leaves at its scheduled time whether or not earlier ones
 *    have answered; latency counts from the scheduled time, so queueing shows.
 * 2. Saturation: rising open-loop rates until errors or p99 > 2 s.
 * 3. Budgets exactly consistent afterwards.
 * 4. Replay: 10 000 events (30 % duplicates) in shuffled order produce exactly the expected transactions.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const RATE = Number(process.env.RATE ?? 100);
const DURATION_S = Number(process.env.DURATION ?? 60);
const SECRET = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
const CARD = { id: 'ic_bench', last4: '9999', cardholderId: 'ich_bench' };
const MERCHANT = { name: 'BENCH CAFE', mcc: '5812', city: 'PARIS', country: 'FR' };

const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-authz-'));
const cloud = await startCloudProcess(dataDir);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const post = async (payload: unknown) => {
  const body = JSON.stringify(payload);
  const res = await fetch(`${cloud.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { approved?: boolean } };
};

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s on Linux). */
const cpuSeconds = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};
const childrenOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
/** CPU used by the local cloud's Node process, DynamoDB Local (its Java child) and this load generator. */
const cpuNow = () => {
  const node = cloud.child.pid ?? 0;
  const own = process.cpuUsage();
  return {
    cloud: cpuSeconds(node),
    dynamodb: childrenOf(node).reduce((t, c) => t + cpuSeconds(c), 0),
    client: (own.user + own.system) / 1e6,
  };
};

/** Open loop: request i leaves at t0 + i / rate. */
const openLoop = async (rate: number, seconds: number, amount: number) => {
  const n = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let approved = 0;
  const t0 = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const at = t0 + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 1) await sleep(wait);
    const payload = authorizationRequest(newAuthorization(CARD, MERCHANT, amount));
    inFlight.push(
      post(payload)
        .then((r) => {
          latencies.push(performance.now() - at);
          if (r.status !== 200) errors++;
          else if (r.body.approved) approved++;
        })
        .catch(() => {
          latencies.push(performance.now() - at);
          errors++;
        }),
    );
  }
  await Promise.all(inFlight);
  return { n, errors, approved, p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies) };
};

try {
  const api = makeApi(cloud.apiUrl);
  const finance = await api.token('finance@demo.quittance.local');
  const put = (path: string, body: unknown) =>
    fetch(`${cloud.apiUrl}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: JSON.stringify(body),
    });
  const controlsSet = await put('/cards/controls', {
    ...DEMO_CONTROLS,
    perTransactionCap: null,
    budgets: [
      {
        id: 'bench',
        scope: { kind: 'employee', employeeId: 'u_bob' },
        period: { kind: 'month' },
        limit: { amount: '10000000.00', currency: 'EUR' },
      },
    ],
  });
  if (!controlsSet.ok) throw new Error(`PUT /cards/controls: HTTP ${controlsSet.status} ${await controlsSet.text()}`);
  const assigned = await put(`/cards/stripe/${CARD.id}`, { employeeId: 'u_bob' });
  if (!assigned.ok) throw new Error(`PUT /cards/stripe/${CARD.id}: HTTP ${assigned.status} ${await assigned.text()}`);
  const line = async () => {
    const res = await api.get<{
      items: { budgetId: string; reserved: { amount: string }; settled: { amount: string } }[];
    }>('/cards/budgets', finance);
    if (!res.body.items) throw new Error(`GET /cards/budgets: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const l = res.body.items.find((i) => i.budgetId === 'bench');
    return {
      reserved: Math.round(Number(l?.reserved.amount ?? 0) * 100),
      settled: Math.round(Number(l?.settled.amount ?? 0) * 100),
    };
  };

  // Warm-up: the first requests load the handler modules and let both JITs (V8, the JVM of DynamoDB Local) settle.
  await openLoop(30, Number(process.env.WARMUP ?? 10), 100);
  const before = await line();
  const cpu0 = cpuNow();
  const steady = await openLoop(RATE, DURATION_S, 100);
  await sleep(5_000); // the card-activity queue (slots, cash-out report) finishes what the steady phase gave it
  const cpu1 = cpuNow();
  const perAuthz = (k: keyof typeof cpu0) => ((cpu1[k] - cpu0[k]) * 1000) / steady.n;
  const afterSteady = await api
    .eventually(async () => {
      const l = await line();
      return l.reserved - before.reserved === steady.approved * 100 ? l : undefined;
    }, 60_000)
    .catch(async () => line());
  const consistent = afterSteady.reserved - before.reserved === steady.approved * 100;

  type Step = { rate: number; p99: number; errors: number; approved: number; n: number };
  // A rate is held when every request is answered by the rules in time: no error, p99 ≤ 2 s, and no answer by the
  // deadline's fallback (the budget is ample, so any decline here is the fallback's).
  const held = (s: Step | undefined) => !!s && s.errors === 0 && s.p99 <= 2000 && s.approved === s.n;
  const saturation: Step[] = [];
  for (const rate of (process.env.SATURATION ?? '50,75,100,150,200,250,300,400,500,700,1000')
    .split(',')
    .filter(Boolean)
    .map(Number)) {
    const r = await openLoop(rate, 10, 1);
    saturation.push({ rate, p99: r.p99, errors: r.errors, approved: r.approved, n: r.n });
    if (!held(saturation.at(-1))) break;
  }
  const sustained = saturation.filter(held).at(-1)?.rate ?? 0;

  // An overloaded step leaves work behind: decisions that finish after their deadline (the fallback answered) are
  // then recorded as the answer given and their reservation released. Wait until the line stops moving, then check
  // that exactly the approved answers hold money (1 cent each in these steps).
  const settled = async () => {
    let prev = await line();
    for (let i = 0; i < 60; i++) {
      await sleep(2_000);
      const cur = await line();
      if (cur.reserved === prev.reserved && cur.settled === prev.settled) return cur;
      prev = cur;
    }
    return prev;
  };
  const afterSaturation = await settled();
  const saturationApproved = saturation.reduce((s, x) => s + x.approved, 0);
  const saturationConsistent = afterSaturation.reserved - afterSteady.reserved === saturationApproved;

  // Replay: authorizations, captures and closes, 30 % delivered twice, all shuffled.
  const REPLAY = Number(process.env.REPLAY ?? 10_000);
  const uniqueTarget = Math.round(REPLAY / 1.3);
  const events: unknown[] = [];
  let expectedSettled = 0;
  for (let i = 0; events.length < uniqueTarget; i++) {
    const a = newAuthorization(CARD, MERCHANT, 500 + (i % 7) * 10);
    const tx = transactionObject(a, a.amount + (i % 3) * 25);
    expectedSettled += a.amount + (i % 3) * 25;
    events.push(authorizationCreated(a, true), transactionCreated(tx), authorizationClosed(a, [tx]));
  }
  const deliveries = [...events, ...events.slice(0, REPLAY - events.length)];
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }
  const replayBefore = afterSaturation;
  const r0 = performance.now();
  let next = 0;
  let replayErrors = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < deliveries.length) {
        const payload = deliveries[next++];
        for (let attempt = 0; attempt < 5; attempt++) {
          const r = await post(payload).catch(() => ({ status: 0, body: {} }));
          if (r.status === 200) break;
          if (attempt === 4) replayErrors++;
          await sleep(50 * (attempt + 1));
        }
      }
    }),
  );
  const replaySeconds = (performance.now() - r0) / 1000;
  const replayAfter = await line();
  const replayOk =
    replayAfter.settled - replayBefore.settled === expectedSettled && replayAfter.reserved === replayBefore.reserved;

  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const report = [
    '# Real-time authorization benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:authz\` against the local cloud (signed Stripe`,
    '`issuing_authorization.request` webhooks over HTTP, DynamoDB Local, the whole decision path) on the 2-core dev machine.',
    '',
    `## Steady open loop: ${RATE} requests/s for ${DURATION_S} s`,
    '',
    '| requests | errors | approved | p50 | p99 | max | target |',
    '|---|---|---|---|---|---|---|',
    `| ${steady.n} | ${steady.errors} | ${steady.approved} | ${ms(steady.p50)} | ${ms(steady.p99)} | ${ms(steady.max)} | p99 ≤ 50 ms, 0 errors |`,
    '',
    `Budget consistent afterwards (reserved = approved × amount): **${consistent ? 'yes' : 'NO'}**`,
    '',
    `CPU per authorization at ${RATE}/s (the steady phase and 5 s of queue drain, from /proc; ${cpus().length} cores):`,
    `local cloud (Node: HTTP API, handlers, S3/SQS emulator, event bus) ${perAuthz('cloud').toFixed(2)} ms, DynamoDB`,
    `Local (JVM) ${perAuthz('dynamodb').toFixed(2)} ms, this load generator ${perAuthz('client').toFixed(2)} ms: together`,
    `${(((perAuthz('cloud') + perAuthz('dynamodb') + perAuthz('client')) * RATE) / 10 / cpus().length).toFixed(0)} % of the machine's cores at this rate, the Node process's one thread ${((perAuthz('cloud') * RATE) / 10).toFixed(0)} % busy.`,
    '',
    '## Saturation (open loop, 10 s per step)',
    '',
    '| rate/s | requests | errors | approved | p99 |',
    '|---|---|---|---|---|',
    ...saturation.map((s) => `| ${s.rate} | ${s.n} | ${s.errors} | ${s.approved} | ${ms(s.p99)} |`),
    '',
    `Highest rate sustained (no error, p99 ≤ 2 s, every request decided by the rules): **${sustained}/s** (target`,
    '≥ 500/s). A request the decision could not finish within the company deadline is answered by its fallback',
    '(decline): the bench budget is ample, so every decline in these steps is one.',
    '',
    `Budget consistent once the steps' late work settled (only the ${saturationApproved} approved answers hold money,`,
    `declines by the fallback nothing): **${saturationConsistent ? 'yes' : 'NO'}**`,
    '',
    '## Replay',
    '',
    `${deliveries.length} events (${events.length} unique, ${deliveries.length - events.length} duplicates), shuffled, 16 senders:`,
    `${replaySeconds.toFixed(1)} s, ${replayErrors} undelivered; settled = expected (${expectedSettled / 100} EUR) and nothing`,
    `left reserved: **${replayOk ? 'yes' : 'NO'}**.`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'docs/benchmarks/authz.md'), report);
  process.stdout.write(report);
} catch (error) {
  process.stderr.write(`${cloud.output().slice(-4000)}\n`);
  throw error;
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
