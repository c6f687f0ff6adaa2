import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadInfraConfig } from '../config.js';
import { InfraError } from '../errors.js';
import { stderrLog, type LogLine } from '../log.js';
import { describeExit, requireCommand, startProcess, type ManagedProcess } from '../process.js';

/** Options of {@link startKafkaMock}. */
export interface KafkaMockOptions {
  /** Number of brokers, 1–16 (default 1). */
  brokers?: number;
  /** Partitions of auto-created topics (default 4). */
  partitions?: number;
  /** Topics to create up front (the mock has no CreateTopics API). */
  topics?: { name: string; partitions?: number }[];
  /** The group coordinator's initial rebalance delay (default 0: groups form at once). */
  groupInitialRebalanceDelayMs?: number;
  /** A prebuilt nes-kafka-mock; default `NES_KAFKA_MOCK_BIN` or scripts/kafka-mock/build.sh. */
  binary?: string;
  /** Where build.sh caches its build; default `NES_TOOLS_DIR` or ~/.cache/nes-tools. */
  toolsDir?: string;
  log?: LogLine;
}

/** A running Kafka-protocol mock cluster (librdkafka's mock brokers). */
export interface KafkaMock {
  /** Bootstrap servers, `127.0.0.1:port` each. */
  readonly brokers: string[];
  /**
   * Takes the brokers (or one, by id from 1) down: connections are closed and
   * new ones refused. Ports, topics, records and committed offsets are kept.
   */
  pause(brokerId?: number): Promise<void>;
  /** Brings paused brokers back on the same ports. */
  resume(brokerId?: number): Promise<void>;
  /** A broker restart with its disk intact: pause, wait `downMs`, resume. */
  restart(downMs?: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  /** Stops the process; everything it held is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const BUILD_SCRIPT = fileURLToPath(
  new URL('../../../../../scripts/kafka-mock/build.sh', import.meta.url),
);
const builds = new Map<string, Promise<string>>();

/**
 * Starts a separate, controllable mock Kafka cluster, e.g. for a test that
 * needs a broker to go away and come back. Builds the launcher on first use.
 */
export async function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const log = options.log ?? stderrLog;
  requireCommand('setpriv', 'run scripts/setup.sh (installs Debian util-linux)');
  const config = loadInfraConfig();
  const binary =
    options.binary ??
    config.kafkaMockBin ??
    (await buildKafkaMock(options.toolsDir ?? config.toolsDir, log));
  const args = ['--brokers', String(options.brokers ?? 1)];
  args.push('--partitions', String(options.partitions ?? 4));
  args.push('--group-delay-ms', String(options.groupInitialRebalanceDelayMs ?? 0));
  for (const topic of options.topics ?? []) {
    args.push('--topic', topic.partitions ? `${topic.name}:${topic.partitions}` : topic.name);
  }
  // stdin stays open: the mock exits when it closes, i.e. when we die.
  const proc = startProcess({ name: 'nes-kafka-mock', command: binary, args, stdinPipe: true });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  proc.onStdoutLine((line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const nextLine = (what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(
        () => reject(new InfraError(`nes-kafka-mock did not answer ${what} in 10 s`)),
        10_000,
      );
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void proc.exited.then((exit) => {
        clearTimeout(timer);
        reject(new InfraError(describeExit(proc, exit)));
      });
    });

  let brokers: string[];
  try {
    brokers = (await nextLine('its start')).split(',');
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
  return controlHandle(proc, brokers, nextLine);
}

function controlHandle(
  proc: ManagedProcess,
  brokers: string[],
  nextLine: (what: string) => Promise<string>,
): KafkaMock {
  // One command at a time: each answer line belongs to the command before it.
  let queue: Promise<unknown> = Promise.resolve();
  const command = (line: string): Promise<void> => {
    const run = queue.then(async () => {
      if (proc.hasExited()) throw new InfraError(`nes-kafka-mock is stopped; cannot '${line}'`);
      proc.child.stdin?.write(`${line}\n`);
      const answer = await nextLine(`'${line}'`);
      if (answer !== 'ok') throw new InfraError(`nes-kafka-mock '${line}': ${answer}`);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const target = (brokerId?: number): string => (brokerId === undefined ? '' : ` ${brokerId}`);
  return {
    brokers,
    pause: (brokerId) => command(`down${target(brokerId)}`),
    resume: (brokerId) => command(`up${target(brokerId)}`),
    async restart(downMs = 0) {
      await command('down');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await command('up');
    },
    createTopic: (name, partitions) => {
      if (
        !/^[A-Za-z0-9._-]{1,249}$/.test(name) ||
        !Number.isInteger(partitions) ||
        partitions < 1
      ) {
        return Promise.reject(
          new InfraError(`invalid topic '${name}' or partition count ${partitions}`),
        );
      }
      return command(`topic ${name} ${partitions}`);
    },
    async stop() {
      proc.child.stdin?.end();
      await proc.stop('SIGTERM', 5000);
    },
  };
}

/**
 * Runs scripts/kafka-mock/build.sh once per process and tools dir; a cold
 * build (librdkafka from source) takes about a minute, later calls ~30 ms.
 */
export function buildKafkaMock(toolsDir: string, log: LogLine): Promise<string> {
  let build = builds.get(toolsDir);
  if (!build) {
    build = runBuildScript(toolsDir, log);
    builds.set(toolsDir, build);
    build.catch(() => builds.delete(toolsDir));
  }
  return build;
}

function runBuildScript(toolsDir: string, log: LogLine): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, '--tools-dir', toolsDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line.trim());
    });
    child.once('error', (error) =>
      reject(new InfraError(`cannot run ${BUILD_SCRIPT}: ${error.message}`)),
    );
    child.once('close', (code) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && path) return resolve(path);
      reject(
        new InfraError(`scripts/kafka-mock/build.sh failed (exit ${code}):\n${stderr.trim()}`),
      );
    });
  });
}
