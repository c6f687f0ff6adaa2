import type { TestProject } from 'vitest/node';
import { startInfra, stopInfra } from './infra.js';
import { elapsedMs, stderrLog } from './log.js';
import './inject.js';

/**
 * vitest globalSetup of the integration project: starts the servers once per
 * test run, provides them as `nesInfra` (read with `getInfra()`), and returns
 * the teardown that stops them. Servers also die if vitest is killed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const infra = await startInfra();
  stderrLog(`global setup done in ${elapsedMs(started)} ms`);
  project.provide('nesInfra', infra);
  return stopInfra;
}
