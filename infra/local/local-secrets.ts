/** Local webhook secrets (override with the same environment variables). Never used outside the local cloud. */
export const LOCAL_WEBHOOK_SECRETS = {
  WEBHOOK_SECRETS_STRIPE: 'whsec_local_stripe_demo',
  WEBHOOK_SECRETS_LITHIC: `whsec_${Buffer.from('local-lithic-demo-secret').toString('base64')}`,
  WEBHOOK_CREDENTIALS_MARQETA: 'marqeta:local-marqeta-demo',
};
