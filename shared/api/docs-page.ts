import type { openApiDocument } from './openapi.ts';

type Doc = ReturnType<typeof openApiDocument>;
type Schema = Record<string, unknown>;

const escapeHtml = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A short, readable type: "string (date)", "one of: a, b", "integer 1–100, default 50". */
const describeType = (s: Schema): string => {
  if (Array.isArray(s.enum)) return `one of: ${s.enum.join(', ')}`;
  if (s.const !== undefined) return `"${String(s.const)}"`;
  const parts = [String(s.type ?? 'any')];
  if (s.format) parts.push(`(${String(s.format)})`);
  if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`${s.minimum}–${s.maximum}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(' ');
};

/**
 * The readable documentation page (`GET /docs`): rendered on the server from the OpenAPI document, no script and
 * nothing fetched from elsewhere, so it works offline and under a strict content-security policy.
 */
export const docsPage = (doc: Doc): string => {
  const sections = doc.tags.map(({ name, description }) => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, Schema>)
        .filter(([, op]) => (op.tags as string[]).includes(name))
        .map(([method, op]) => {
          const params = (op.parameters as { name: string; in: string; required: boolean; schema: Schema }[]) ?? [];
          const body = (op.requestBody as { content: Record<string, { schema: Schema }> } | undefined)?.content[
            'application/json'
          ]?.schema;
          const roles = op['x-roles'] as string[] | undefined;
          return `<article id="${escapeHtml(op.operationId)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)}</p>
${op.description ? `<p class="d">${escapeHtml(op.description).replaceAll('\n\n', '<br>')}</p>` : ''}
<p class="r">${roles ? `Roles: ${roles.map((r) => `<b>${escapeHtml(r)}</b>`).join(' ')}` : 'Public (signed by other means)'}</p>
${
  params.length
    ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th></tr>${params
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${escapeHtml(describeType(p.schema))}</td><td>${p.required ? 'yes' : ''}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${body ? `<details><summary>JSON body</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>` : ''}
</article>`;
        }),
    );
    return `<section><h2 id="${escapeHtml(name)}">${escapeHtml(description)}</h2>${ops.join('\n')}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f5f7;padding:.75rem;overflow:auto;font-size:13px}
article{border-top:1px solid #e3e5e8;padding:.5rem 0}h3{margin:.4rem 0;font-size:1rem}
.m{display:inline-block;min-width:4rem;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;color:#fff;background:#555}
.get{background:#2f6f4f}.post{background:#2d5b9a}.put,.patch{background:#8a5a12}.delete{background:#9a2d2d}
.r,.d{color:#555;margin:.2rem 0}table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #e3e5e8;padding:.2rem .5rem;text-align:left}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>
(locally: <code>npx quittance token</code>).</p>
<nav>${doc.tags.map((t) => `<a href="#${escapeHtml(t.name)}">${escapeHtml(t.name)}</a>`).join(' · ')}</nav>
${sections.join('\n')}
</body></html>`;
};
