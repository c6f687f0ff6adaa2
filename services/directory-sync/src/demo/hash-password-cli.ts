#!/usr/bin/env node
import { hashPassword } from './password-hash.js';

/**
 * Prints the demo-directory hash of a password read from stdin (never from
 * the command line, where it would land in shell history and `ps`):
 * `printf %s 'secret' | nes-demo-password-hash`.
 */
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const password = Buffer.concat(chunks)
  .toString('utf8')
  .replace(/\r?\n$/, '');
if (password.length === 0) {
  process.stderr.write('usage: printf %s PASSWORD | nes-demo-password-hash\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${await hashPassword(password)}\n`);
}
