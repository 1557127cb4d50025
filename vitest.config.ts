import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// CDK tests write cdk.out folders under TMPDIR: keep them inside the project (and out of git).
const tmp = resolve(import.meta.dirname, '.tmp');
mkdirSync(tmp, { recursive: true });
process.env.TMPDIR = tmp;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/cdk/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts'],
          // Flows cross queues and the bus: on a loaded CI machine one can take well over 30 s (seen: a run 1.6×
          // slower than usual failed three flows waiting 30 s). They finish in seconds on a quiet one.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
