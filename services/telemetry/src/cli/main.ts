#!/usr/bin/env node
import { readCliOptions, USAGE, UsageError } from './config.js';
import { runCli } from './run-cli.js';

// nes-audit: the analysts' command line over the telemetry service's audit API.
try {
  const options = readCliOptions(process.argv.slice(2), process.env);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  process.exitCode = await runCli(options, {
    out: process.stdout,
    err: process.stderr,
    signal: controller.signal,
  });
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`nes-audit: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`nes-audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
