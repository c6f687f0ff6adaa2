import { InfraError } from '../errors.js';
import { getAdInfra } from '../inject.js';
import { runCommand, type CommandResult } from '../local/run-command.js';
import type { AdInfra } from '../types.js';

/** Options of {@link runSambaTool}. */
export interface SambaToolOptions {
  /** The DC; default the run's (`getAdInfra()`). */
  ad?: AdInfra;
  /**
   * Run under libfaketime with this offset, e.g. `'-50d'`: the way to make a
   * password expired, since pwdLastSet can only be written as 0 or -1.
   */
  faketime?: string;
  /** Values to mask in error messages besides `--…pass…=` options (e.g. a positional password). */
  secrets?: string[];
  timeoutMs?: number;
}

/**
 * Runs `samba-tool <args> -s <smb.conf>` against the run's DC (local mode, or
 * external with NES_TEST_AD_SMB_CONF), e.g. `['user', 'disable', name]`.
 * Prefer the LDAP helpers for creating users: samba-tool takes ~0.3 s a call.
 */
export async function runSambaTool(
  args: readonly string[],
  options: SambaToolOptions = {},
): Promise<CommandResult> {
  const ad = options.ad ?? getAdInfra();
  if (!ad.smbConfPath) {
    throw new InfraError(
      "runSambaTool needs the DC's smb.conf: local mode (or NES_TEST_AD_SMB_CONF in external mode)",
    );
  }
  const secrets = [
    ...(options.secrets ?? []),
    ...args.flatMap((arg) => /^--[a-z-]*pass[a-z-]*=(.+)$/i.exec(arg)?.[1] ?? []),
  ];
  // `-s` must follow the subcommand, so it goes last.
  const samba = ['samba-tool', ...args, '-s', ad.smbConfPath];
  const [command, ...rest] = options.faketime
    ? ['faketime', '-f', options.faketime, ...samba]
    : samba;
  return runCommand(command ?? 'samba-tool', rest, {
    secretArgs: secrets,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
