/** Local webhook secrets (override with the same environment variables). Never used outside the local cloud. */
export const LOCAL_WEBHOOK_SECRETS = {
  WEBHOOK_SECRETS_STRIPE: 'whsec_local_stripe_demo',
  WEBHOOK_SECRETS_LITHIC: `whsec_${Buffer.from('local-lithic-demo-secret').toString('base64')}`,
  WEBHOOK_CREDENTIALS_MARQETA: 'marqeta:local-marqeta-demo',
  /** Signs the approve/reject links of approval e-mails (≥ 32 bytes, base64; comma-separated during a rotation). */
  APPROVAL_LINK_SECRET: Buffer.from('local-approval-link-secret-0123456789abcdef').toString('base64'),
};
