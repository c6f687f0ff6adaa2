import { defineConfig } from 'vitest/config';

/**
 * Two tiers, one run: `unit` (beside the code, no I/O) and `integration`
 * (services/<name>/test, against real Postgres, Redis, Kafka protocol and AD
 * started once per run by the harness in @nes/testing).
 */
const sourceCondition = { conditions: ['@nes/source'] };

export default defineConfig({
  resolve: sourceCondition,
  ssr: { resolve: { conditions: ['@nes/source'], externalConditions: ['@nes/source'] } },
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Unit tests first (fast, no I/O), then the integration tier with its own worker cap.
          sequence: { groupOrder: 0 },
          include: [
            'services/**/src/**/*.test.ts',
            'proto/src/**/*.test.ts',
            'deploy/**/test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['services/**/test/**/*.test.ts', 'proto/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['services/libs/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: files share the harness' servers; keep contention sane.
          maxWorkers: 2,
        },
      },
    ],
  },
});
