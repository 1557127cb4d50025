import nodemailer from 'nodemailer';

/** Small helpers for integration tests: tokens from the local identity provider, JSON calls, SMTP sends. */
export const makeApi = (apiUrl: string) => {
  const token = async (email: string): Promise<string> => {
    const res = await fetch(`${apiUrl}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const body = (await res.json()) as { token?: string };
    if (!body.token) throw new Error(`no token for ${email}: HTTP ${res.status}`);
    return body.token;
  };
  const post = async <T = unknown>(
    path: string,
    body: unknown,
    bearer?: string,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const get = async <T = unknown>(path: string, bearer?: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${apiUrl}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    return { status: res.status, body: (await res.json()) as T };
  };
  /**
   * Polls until `check` returns a value (the pipeline is asynchronous, like in AWS). On timeout, `explain` says what
   * the system shows instead (a red CI run is only as useful as what it prints).
   */
  const eventually = async <T>(
    check: () => Promise<T | undefined>,
    timeoutMs = 20_000,
    explain?: () => Promise<string>,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const seen = explain ? await explain().catch((e: unknown) => `(explain failed: ${String(e)})`) : '';
        throw new Error(`condition not met in time${seen ? `; the system shows: ${seen}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  return { token, get, post, eventually };
};

export interface TestMail {
  from: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  envelope?: { from: string; to: string };
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
}

export const sendMail = (smtpPort: number, mail: TestMail) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
    .sendMail({ ...(mail.html ? {} : { text: 'receipt attached' }), ...mail });
