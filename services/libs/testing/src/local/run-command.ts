import { spawn } from 'node:child_process';
import { InfraError } from '../errors.js';

/** Output of a finished command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a short-lived command to completion; throws an {@link InfraError} with
 * its output when it fails or outlives `timeoutMs`. Arguments that hold
 * secrets are named in `secretArgs` and masked in the error message.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; secretArgs?: readonly string[]; cwd?: string } = {},
): Promise<CommandResult> {
  const shown = [command, ...args]
    .map((arg) =>
      (options.secretArgs ?? []).reduce((text, secret) => text.replaceAll(secret, '***'), arg),
    )
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => reject(new InfraError(`cannot run ${shown}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve({ stdout, stderr });
      const output = `${stderr}\n${stdout}`.trim().split('\n').slice(-25).join('\n');
      const masked = (options.secretArgs ?? []).reduce(
        (text, secret) => text.replaceAll(secret, '***'),
        output,
      );
      reject(new InfraError(`${shown} failed (${signal ?? `exit ${code}`}):\n${masked}`));
    });
  });
}
