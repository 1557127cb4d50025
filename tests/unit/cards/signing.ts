import { createHmac } from 'node:crypto';

/**
 * Independent signers following each processor's documented scheme (the `stripe` package is not installed, so
 * Stripe signatures are computed here the way its docs describe: HMAC-SHA256 hex of "<t>.<body>").
 */
export const stripeSignature = (body: string, secret: string, t: number): string =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

export const stripeHeader = (body: string, secrets: readonly string[], t: number): string =>
  [`t=${t}`, ...secrets.map((s) => `v1=${stripeSignature(body, s, t)}`)].join(',');

export const standardWebhooksSignature = (body: string, secret: string, id: string, t: number): string =>
  `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${t}.${body}`)
    .digest('base64')}`;

export const marqetaSignature = (body: string, key: string): string =>
  createHmac('sha256', key).update(body).digest('hex');

export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
