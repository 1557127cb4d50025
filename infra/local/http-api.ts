import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';

export interface HttpRoute {
  routeKey: string;
  auth: 'jwt' | 'none';
  invoke: (event: unknown) => Promise<unknown>;
}

/** Extra endpoints of the local cloud itself (health, local identity provider). */
export type LocalEndpoint = (req: IncomingMessage, body: Buffer) => Promise<{ status: number; body: unknown } | null>;

const MAX_BODY = 10 * 1024 * 1024; // API Gateway HTTP API payload limit

const compileRoute = (routeKey: string) => {
  const [method = '', path = ''] = routeKey.split(' ');
  const names: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)(\+)?\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] ?? '');
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { method, regex: new RegExp(`^${source}$`), names };
};

/** API Gateway's JWT authorizer hands claims to Lambda as strings; arrays become "[a b]". */
const flattenClaims = (payload: JWTPayload): Record<string, string> =>
  Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
};

/**
 * The local HTTP API: routes from the topology, API Gateway HTTP API payload v2.0 events, the JWT
 * authorizer's checks and claim format, and its error answers (401 Unauthorized, 404 Not Found, 500).
 */
export const startHttpApi = (opts: {
  port: number;
  routes: readonly HttpRoute[];
  verifyToken: (token: string) => Promise<JWTPayload>;
  local: LocalEndpoint;
  log: (line: string) => void;
}): Promise<{ server: Server; url: string; port: number }> => {
  const compiled = opts.routes.map((r) => ({ ...r, ...compileRoute(r.routeKey) }));

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return send(res, 413, { message: 'Request Entity Too Large' });
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      const local = await opts.local(req, body);
      if (local) return send(res, local.status, local.body);

      const method = req.method ?? 'GET';
      let match: { route: (typeof compiled)[number]; params: Record<string, string> } | undefined;
      for (const route of compiled) {
        const m = route.method === method || route.method === 'ANY' ? route.regex.exec(url.pathname) : null;
        if (m) {
          match = {
            route,
            params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])),
          };
          break;
        }
      }
      if (!match) return send(res, 404, { message: 'Not Found' });

      let claims: Record<string, string> | undefined;
      if (match.route.auth === 'jwt') {
        const authz = req.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(authz)?.[1];
        if (!token) return send(res, 401, { message: 'Unauthorized' });
        try {
          claims = flattenClaims(await opts.verifyToken(token));
        } catch {
          return send(res, 401, { message: 'Unauthorized' });
        }
      }

      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
      const textual = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/.test(headers['content-type'] ?? '');
      const now = new Date();
      const event = {
        version: '2.0',
        routeKey: match.route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(Object.keys(match.params).length ? { pathParameters: match.params } : {}),
        ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
        isBase64Encoded: body.length > 0 && !textual,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
          domainName: headers.host ?? '127.0.0.1',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: match.route.routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
      };
      const result = (await match.route.invoke(event)) as
        | { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }
        | string
        | undefined;
      if (result && typeof result === 'object' && typeof result.statusCode === 'number') {
        res.writeHead(result.statusCode, result.headers ?? {});
        res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
      } else {
        send(res, 200, result ?? '');
      }
    } catch (error) {
      opts.log(`HTTP ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? String(error)}`);
      send(res, 500, { message: 'Internal Server Error' });
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      resolve({ server, port, url: `http://127.0.0.1:${port}` });
    });
  });
};
