import { apiUrl } from './api-url.ts';

/** The local cloud's seeded users whose tokens the CLI asks for when none is given. */
export const LOCAL_FINANCE_USER = 'finance@demo.quittance.local';
export const LOCAL_ADMIN_USER = 'admin@demo.quittance.local';

export const unreachable = (error: unknown): never => {
  throw new Error(`cannot reach the API at ${apiUrl()} (is \`npm start\` running?): ${String(error)}`);
};

/**
 * A bearer token for the API: QUITTANCE_TOKEN when set (AWS: a Cognito access token), else one issued by the local
 * cloud for the seeded finance user. Returns the company the token belongs to when the issuer says it.
 */
export const financeSession = (): Promise<{ token: string; companyId: string | null }> =>
  localSession(LOCAL_FINANCE_USER);

/** The same for commands that administer the company (QUITTANCE_TOKEN must then be an admin's). */
export const adminSession = (): Promise<{ token: string; companyId: string | null }> => localSession(LOCAL_ADMIN_USER);

const localSession = async (email: string): Promise<{ token: string; companyId: string | null }> => {
  const given = process.env.QUITTANCE_TOKEN;
  if (given) return { token: given, companyId: null };
  const res = await fetch(`${apiUrl()}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  }).catch(unreachable);
  const body = (await res.json()) as { token?: string; claims?: Record<string, unknown>; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? `token request failed with HTTP ${res.status}`);
  const company = body.claims?.['custom:companyId'];
  return { token: body.token, companyId: typeof company === 'string' ? company : null };
};

/** GET on the API with the session's token; throws with the API's own message on an error status. */
export const apiGet = async (token: string, path: string): Promise<Response> => {
  const res = await fetch(`${apiUrl()}${path}`, { headers: { authorization: `Bearer ${token}` } }).catch(unreachable);
  if (!res.ok)
    throw new Error(`GET ${path.split('?')[0]} failed with HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return res;
};

/** POST on the API with the session's token; throws with the API's own message on an error status. */
export const apiPost = async (token: string, path: string, body: unknown = {}): Promise<Response> => {
  const res = await fetch(`${apiUrl()}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(unreachable);
  if (!res.ok) throw new Error(`POST ${path} failed with HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return res;
};
