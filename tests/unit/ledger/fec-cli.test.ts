import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/command.ts';
import { decodeFec, fileNameFromDisposition, parseExportArgs } from '../../../cli/commands/fec.ts';

const root = resolve(import.meta.dirname, '../../..');
const fixtures = resolve(root, 'tests/fixtures/ledger');
const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'fec-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [resolve(root, 'bin/quittance.js'), 'fec', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('quittance fec check', () => {
  it('exits 0 on a valid FEC and 1 with each problem and its line on a broken one', async () => {
    const ok = await cli(['check', `${fixtures}/123456789FEC20241231.txt`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid FEC — 9 lines, 4 entries, debit 1453,72 = credit 1453,72/);
    const bad = await cli(['check', `${fixtures}/broken-fec.txt`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('broken-fec.txt:3: error [missing-value] PieceRef: PieceRef is mandatory');
    expect(bad.stdout).toContain('broken-fec.txt:4: error [number-format] Credit: Credit "10.00" is not a FEC number');
    expect(bad.stdout.trim().split('\n')).toHaveLength(12);
  }, 30_000);

  it('reads ISO 8859-15 files too', () => {
    const latin1 = new Uint8Array([0x4e, 0x44, 0x46, 0x09, 0x48, 0xf4, 0x74, 0x65, 0x6c]); // "NDF\tHôtel"
    expect(decodeFec(latin1)).toBe('NDF\tHôtel');
  });
});

describe('quittance fec (export)', () => {
  it('parses its arguments, the demo company by default', () => {
    expect(parseExportArgs(['--from', '2024-01-01', '--to', '2024-12-31', '--out', 'x'])).toEqual({
      company: 'demo',
      from: '2024-01-01',
      to: '2024-12-31',
      out: 'x',
    });
    expect(() => parseExportArgs(['--from', '2024-12-31', '--to', '2024-01-01', '--out', 'x'])).toThrow(UsageError);
    expect(() => parseExportArgs(['--from', '2024-01-01', '--to', '2024-12-31'])).toThrow(/--out/);
    expect(fileNameFromDisposition('attachment; filename="123456789FEC20241231.txt"')).toBe('123456789FEC20241231.txt');
    expect(fileNameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileNameFromDisposition(null)).toBeNull();
  });

  it('gets a token, downloads /exports/fec and writes the named file', async () => {
    const body = readFileSync(`${fixtures}/123456789FEC20241231.txt`);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      if (req.url === '/_local/token') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: 't0k', claims: { 'custom:companyId': 'demo' } }));
        return;
      }
      res.setHeader('content-disposition', 'attachment; filename="123456789FEC20241231.txt"');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const out = join(tmp, 'out');
      const r = await cli(['--from', '2024-01-01', '--to', '2024-12-31', '--out', out], { QUITTANCE_API_URL: url });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readFileSync(join(out, '123456789FEC20241231.txt'))).toEqual(body);
      expect(seen).toEqual(['POST /_local/token ', 'GET /exports/fec?from=2024-01-01&to=2024-12-31 Bearer t0k']);
    } finally {
      server.close();
    }
  }, 30_000);
});
