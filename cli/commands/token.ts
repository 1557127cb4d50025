import { parseArgs } from 'node:util';
import { apiUrl } from '../api-url.ts';
import { type Command, UsageError } from '../command.ts';

/**
 * Prints a bearer token for a user of the local cloud. The local identity provider signs it with
 * the same claims Cognito puts in an ID token (sub, email, custom:companyId, cognito:groups).
 */
export const tokenCommand: Command = {
  name: 'token',
  usage: [
    'Usage: quittance token --email <address> [--json]',
    '',
    'Asks the running local cloud (QUITTANCE_API_URL) for a signed JWT for that user and prints it.',
    '  --email   the user’s login e-mail, e.g. finance@demo.quittance.local',
    '  --json    print {"token", "claims"} instead of the bare token',
    '',
    'Example: curl -H "Authorization: Bearer $(npx quittance token --email finance@demo.quittance.local)" \\',
    '              http://127.0.0.1:3000/receipts',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { email: { type: 'string' }, json: { type: 'boolean' } } });
    if (!values.email) throw new UsageError('--email is required');
    const res = await fetch(`${apiUrl()}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: values.email }),
    }).catch((error: unknown) => {
      throw new Error(`cannot reach the local cloud at ${apiUrl()} (is \`npm start\` running?): ${String(error)}`);
    });
    const body = (await res.json()) as { token?: string; claims?: unknown; message?: string };
    if (!res.ok || !body.token) throw new Error(body.message ?? `token request failed with HTTP ${res.status}`);
    process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : `${body.token}\n`);
    return 0;
  },
};
