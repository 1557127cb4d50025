import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { buildSync } from 'esbuild';

/** The ESM bundle still has CommonJS dependencies that call `require`: give them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Provided by the Lambda Node.js 22 runtime (the CDK default for this runtime). */
const RUNTIME_PROVIDED = ['@aws-sdk/*', '@smithy/*'];

/**
 * Native addons that are never bundled nor shipped: this machine installs the linux-x64 build and Lambda runs
 * arm64, so the code's optional path applies in AWS (for @napi-rs/canvas: no rendering of scanned PDFs).
 */
const NATIVE_LEFT_OUT = ['@napi-rs/canvas'];

/**
 * Packages esbuild cannot inline because they read their own files at run time (fonts and cmaps, WASM, worker
 * scripts, language models): when a function's import graph reaches the key, the listed packages and their
 * production dependencies are copied next to its bundle (node_modules/), from the project's node_modules, so the
 * versions are the lock file's and synthesis needs no network. Optional dependencies are not copied (native).
 */
export const SHIPPED_PACKAGES: Record<string, readonly string[]> = {
  'pdfjs-dist': ['pdfjs-dist'],
  // The OCR engine resolves its language models by package name (eng + fra).
  'tesseract.js': ['tesseract.js', '@tesseract.js-data/eng', '@tesseract.js-data/fra'],
};

export const externalModules = (): string[] => [
  ...RUNTIME_PROVIDED,
  ...NATIVE_LEFT_OUT,
  ...Object.keys(SHIPPED_PACKAGES),
];

const packageOf = (importPath: string): string => {
  const parts = importPath.split('/');
  return importPath.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? importPath);
};

const graphCache = new Map<string, string[]>();

/**
 * Which SHIPPED_PACKAGES keys an entry's import graph reaches: a quick esbuild pass (no output written) with
 * the same externals as the real bundling.
 */
export const shippedPackagesFor = (entry: string): string[] => {
  const cached = graphCache.get(entry);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: externalModules(),
    logLevel: 'silent',
  });
  const imported = new Set(
    Object.values(result.metafile?.outputs ?? {}).flatMap((o) =>
      o.imports.filter((i) => i.external).map((i) => packageOf(i.path)),
    ),
  );
  const keys = Object.keys(SHIPPED_PACKAGES).filter((k) => imported.has(k));
  graphCache.set(entry, keys);
  return keys;
};

/** Package folders to copy (top-level ones only: nested node_modules travel with their parent). */
export const packageClosure = (roots: readonly string[], projectRoot: string): { name: string; dir: string }[] => {
  const found = new Map<string, string>(); // package folder → name
  const walk = (name: string, fromPackageJson: string) => {
    let pj: string;
    try {
      pj = createRequire(fromPackageJson).resolve(`${name}/package.json`);
    } catch {
      throw new Error(`cannot ship ${name}: not installed (resolved from ${fromPackageJson}); run npm ci`);
    }
    const dir = dirname(pj);
    if (found.has(dir)) return;
    found.set(dir, name);
    const deps = (JSON.parse(readFileSync(pj, 'utf8')) as { dependencies?: Record<string, string> }).dependencies;
    for (const dep of Object.keys(deps ?? {})) walk(dep, pj);
  };
  for (const root of roots) walk(root, join(projectRoot, 'package.json'));
  const topLevel = resolve(projectRoot, 'node_modules');
  return [...found.entries()]
    .map(([dir, name]) => ({ name, dir }))
    .filter(({ name, dir }) => relative(topLevel, dir) === name.split('/').join(sep));
};

/** Shell commands (afterBundling hook) copying the shipped packages into the bundle's node_modules/. */
export const shipCommands = (packages: { name: string; dir: string }[], outputDir: string): string[] =>
  packages.flatMap(({ name, dir }) => {
    const target = join(outputDir, 'node_modules', name);
    return [`mkdir -p ${quote(dirname(target))}`, `cp -R ${quote(dir)} ${quote(target)}`];
  });

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
