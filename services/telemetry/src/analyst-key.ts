#!/usr/bin/env node
import { generateAnalystKey } from './domain/analyst-keys.js';

// Prints a fresh analyst API key and the entry to add to NES_TEL_ANALYST_API_KEYS.
const name = process.argv[2];
if (name === undefined || name === '--help') {
  process.stderr.write('usage: nes-telemetry-analyst-key <holder-name>\n');
  process.exitCode = 2;
} else {
  const { key, entry } = generateAnalystKey(name);
  process.stdout.write(
    `key (give it to ${name}; shown once):\n  ${key}\nadd to NES_TEL_ANALYSTS_API_KEYS:\n  ${entry}\n`,
  );
}
