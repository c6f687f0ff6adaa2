import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { InfraError } from './errors.js';

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  /** Short name for messages, e.g. `postgres`. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Run as this OS user (needs root): Postgres refuses to run as root. */
  user?: { uid: number; gid: number };
  /**
   * Signal sent to the process when its parent dies, SIGKILL included, so a
   * killed test run leaves no server behind. Default SIGTERM.
   */
  deathSignal?: NodeJS.Signals;
  /** Keep stdin as a pipe: for children that exit on end of input. */
  stdinPipe?: boolean;
  /** Append all output here as well (the in-memory tail is always kept). */
  logFile?: string;
}

/** A child process the harness started and will stop. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves (never rejects) when the process is gone. */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** The last lines it printed, for error messages. */
  outputTail(): string;
  /** Calls `listener` for every later line of stdout. */
  onStdoutLine(listener: (line: string) => void): void;
  /** Sends `signal`, then SIGKILL after `timeoutMs`; resolves when it is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
}

const TAIL_LINES = 40;

/**
 * Starts a server process under `setpriv`, which sets the parent-death signal
 * (and the user) and then execs the server: one process, same pid, no shell.
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  const signal = (options.deathSignal ?? 'SIGTERM').replace(/^SIG/, '');
  const prefix = ['--pdeathsig', signal];
  if (options.user) {
    const { uid, gid } = options.user;
    prefix.push('--reuid', String(uid), '--regid', String(gid), '--clear-groups');
  }
  const child = spawn('setpriv', [...prefix, '--', options.command, ...options.args], {
    cwd: options.cwd,
    // Own process group: a Ctrl-C reaches the harness, which stops servers in order.
    detached: true,
    stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const stdoutListeners: ((line: string) => void)[] = [];
  const log: WriteStream | undefined = options.logFile
    ? createWriteStream(options.logFile, { flags: 'a' })
    : undefined;
  const collect = (stream: NodeJS.ReadableStream | null, isStdout: boolean): void => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      log?.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        if (isStdout) for (const listener of stdoutListeners) listener(line);
      }
    });
  };
  collect(child.stdout, true);
  collect(child.stderr, false);
  // A write after the child died must not become an unhandled 'error' event.
  child.stdin?.on('error', () => undefined);

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    const finish = (result: ProcessExit): void => {
      if (exit) return;
      exit = result;
      log?.end();
      resolve(exit);
    };
    child.once('error', (error) => finish({ code: null, signal: null, error }));
    child.once('exit', (code, sig) => {
      // Its last output arrives with 'close'; but a grandchild that inherited the
      // pipes (a Postgres backend) may hold them open: wait for it only briefly.
      const timer = setTimeout(() => finish({ code, signal: sig }), 250);
      child.once('close', () => {
        clearTimeout(timer);
        finish({ code, signal: sig });
      });
    });
  });

  return {
    name: options.name,
    child,
    exited,
    hasExited: () => exit !== undefined,
    outputTail: () => tail.join('\n'),
    onStdoutLine: (listener) => stdoutListeners.push(listener),
    async stop(stopSignal = 'SIGTERM', timeoutMs = 10_000) {
      if (exit) return exit;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Describes an exit for an error message: code or signal, and the output's tail. */
export function describeExit(proc: ManagedProcess, exit: ProcessExit): string {
  const how = exit.error
    ? `could not start (${exit.error.message})`
    : `exited with ${exit.signal ?? `code ${String(exit.code)}`}`;
  const tail = proc.outputTail().trim();
  return `${proc.name} ${how}${tail ? `; last output:\n${tail}` : ''}`;
}

/**
 * Resolves a command to its path, or throws an {@link InfraError} that says
 * what to install. Looks in PATH and in the sbin directories (samba lives there).
 */
export function requireCommand(command: string, installHint: string): string {
  const found = spawnSync(
    'sh',
    ['-c', 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1"', 'sh', command],
    { encoding: 'utf8' },
  );
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new InfraError(`${command} not found: ${installHint}`);
  }
  return path;
}
