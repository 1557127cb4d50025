import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalModules, packageClosure, shipCommands, shippedPackagesFor } from '../../infra/cdk/bundling.ts';
import { PROJECT_ROOT } from '../../infra/cdk/quittance.ts';

const fixture = (f: string) => resolve(PROJECT_ROOT, 'tests/cdk/fixtures', f);

describe('function bundling', () => {
  it('keeps the runtime SDK and native addons out of every bundle', () => {
    expect(externalModules()).toEqual(expect.arrayContaining(['@aws-sdk/*', '@smithy/*', '@napi-rs/canvas']));
  });

  it('ships a file-reading package only to functions whose import graph reaches it', () => {
    expect(shippedPackagesFor(fixture('handler.ts'))).toEqual([]);
    expect(shippedPackagesFor(fixture('pdf-handler.ts'))).toEqual(['pdfjs-dist']);
  });

  it('copies a package with its production dependencies, not its optional native ones', () => {
    const names = packageClosure(['tesseract.js', 'pdfjs-dist'], PROJECT_ROOT).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['tesseract.js', 'tesseract.js-core', 'pdfjs-dist']));
    expect(names.some((n) => n.startsWith('@napi-rs/'))).toBe(false);
    expect(new Set(names).size).toBe(names.length);
  });

  it('quotes the copy commands', () => {
    const [mkdir, cp] = shipCommands([{ name: '@scope/pkg', dir: "/p/it's" }], '/out dir');
    expect(mkdir).toBe("mkdir -p '/out dir/node_modules/@scope'");
    expect(cp).toBe("cp -R '/p/it'\\''s' '/out dir/node_modules/@scope/pkg'");
  });

  it('names the package when it is not installed', () => {
    expect(() => packageClosure(['no-such-package-xyz'], PROJECT_ROOT)).toThrow(/cannot ship no-such-package-xyz/);
  });
});
