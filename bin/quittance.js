#!/usr/bin/env node
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
// `npx quittance …`: the TypeScript CLI (npx puts the project's Node 22 first on PATH).
//
// It runs from one ES module that esbuild bundles on first use and again whenever a file it was built from changed
// (size or modification time, checked on each start: a stat per file, about a millisecond). Loading that bundle
// takes about 0.2 s less than tsx compiling and loading each source file, which a batch command of a few seconds
// feels. Without esbuild (an install without dev dependencies) or when the bundle can't be written, it runs the
// sources through tsx as before.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cache = join(root, 'node_modules', '.cache', 'quittance-cli');
const bundle = join(cache, 'cli.mjs');
const manifest = join(cache, 'inputs.json');

/** Whether every input the bundle was built from is unchanged (files as [path from root, size, mtimeMs]). */
const fresh = () => {
  try {
    const inputs = JSON.parse(readFileSync(manifest, 'utf8'));
    return inputs.every(([path, size, mtimeMs]) => {
      const s = statSync(join(root, path));
      return s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
};

/** Bundles cli/main.ts (packages stay imports of node_modules) and records its inputs; false when it can't. */
const build = async () => {
  try {
    const { buildSync } = await import('esbuild');
    const started = Date.now();
    const result = buildSync({
      absWorkingDir: root,
      entryPoints: ['cli/main.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const inputs = [...Object.keys(result.metafile.inputs), 'bin/quittance.js', 'package.json', 'tsconfig.json'].map(
      (path) => {
        const s = statSync(join(root, path));
        // A file modified since the build started may have been read before the change: recorded as changed.
        return [path, s.size, s.mtimeMs >= started ? -1 : s.mtimeMs];
      },
    );
    mkdirSync(cache, { recursive: true });
    // Written under temporary names, then renamed: a start running at the same time sees the old pair or the new.
    const suffix = `.${process.pid}.tmp`;
    writeFileSync(bundle + suffix, result.outputFiles[0].contents);
    writeFileSync(manifest + suffix, JSON.stringify(inputs));
    renameSync(bundle + suffix, bundle);
    renameSync(manifest + suffix, manifest);
    return true;
  } catch {
    return false;
  }
};

if (fresh() || (await build())) {
  // V8's code cache for the bundle (kept beside it; Node checks it against the source).
  module.enableCompileCache?.(join(cache, 'v8'));
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
