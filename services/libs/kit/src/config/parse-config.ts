import type { z } from 'zod';
import { envNameFor, isOptional, isSecret, objectOf, schemaAt } from './schema-walk.js';

/** One bad variable: its full env name and what is wrong with it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * Thrown by {@link parseConfig}. The message lists every bad variable by its
 * full env name ("NES_REG_HTTP_PORT: expected integer 1–65535, got 'abc'");
 * values of secret fields are never included.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`,
    );
    this.problems = problems;
  }
}

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Prepended to every derived variable name, e.g. `NES_REG_`. */
  readonly prefix: string;
  /**
   * What to do with variables that start with the prefix but are not read by
   * the schema (usually typos such as `NES_REG_HTTP_PROT`). Default `error`.
   */
  readonly unknownVariables?: 'error' | 'ignore';
}

/** The environment, as `process.env` or a test's literal object. */
export type Env = Readonly<Record<string, string | undefined>>;

const GOT_MAX = 64;

/**
 * Reads a typed config from `env`: each leaf of `schema` is read from the
 * variable named by its path (`{ http: { port } }` with prefix `NES_REG_` →
 * `NES_REG_HTTP_PORT`; camelCase keys become SNAKE_CASE). Empty values count
 * as unset. Nothing but `env` is read.
 *
 * @throws ConfigError naming every bad variable.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Env,
  options: ParseConfigOptions,
): z.output<S> {
  const { prefix } = options;
  if (!/^([A-Z][A-Z0-9_]*)?$/.test(prefix)) {
    throw new TypeError(`config prefix must be upper-case letters, digits and _, got '${prefix}'`);
  }
  const known = new Set<string>();
  const input = readObject(schema, env, prefix, [], known).value;
  const problems: ConfigProblem[] = [];
  if (options.unknownVariables !== 'ignore') {
    for (const name of Object.keys(env).sort()) {
      if (prefix !== '' && name.startsWith(prefix) && !known.has(name)) {
        problems.push({ variable: name, message: 'unknown variable (not read by this service)' });
      }
    }
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(describeIssue(schema, env, prefix, issue));
    }
  }
  if (!result.success || problems.length > 0) throw new ConfigError(dedupe(problems));
  return result.data;
}

interface ReadResult {
  readonly value: Record<string, unknown>;
  readonly present: boolean;
}

function readObject(
  object: z.ZodObject,
  env: Env,
  prefix: string,
  path: readonly string[],
  known: Set<string>,
): ReadResult {
  const value: Record<string, unknown> = {};
  let present = false;
  for (const [key, child] of Object.entries(object.shape) as [string, z.ZodType][]) {
    const childPath = [...path, key];
    const section = objectOf(child);
    if (section) {
      const read = readObject(section, env, prefix, childPath, known);
      present ||= read.present;
      // An optional section none of whose variables is set stays absent;
      // any other section is an object so that its defaults apply.
      if (read.present || !isOptional(child)) value[key] = read.value;
      continue;
    }
    const name = envNameFor(prefix, childPath);
    known.add(name);
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') {
      value[key] = raw;
      present = true;
    }
  }
  return { value, present };
}

function describeIssue(
  schema: z.ZodObject,
  env: Env,
  prefix: string,
  issue: z.core.$ZodIssue,
): ConfigProblem {
  const variable = envNameFor(prefix, issue.path);
  const raw = env[variable];
  const field = schemaAt(schema, issue.path);
  const isLeaf = field !== undefined && objectOf(field) === undefined;
  const missing = raw === undefined || raw.trim() === '';
  if (missing && issue.code === 'invalid_type') return { variable, message: 'required' };
  // A field the schema does not know (or a secret) never has its value shown.
  const showValue = isLeaf && !missing && !isSecret(field);
  return {
    variable,
    message: showValue ? `${issue.message}, got '${printable(raw)}'` : issue.message,
  };
}

function printable(raw: string): string {
  const shown = raw.length > GOT_MAX ? `${raw.slice(0, GOT_MAX)}…` : raw;
  // JSON escaping makes control characters and quotes visible and harmless.
  return JSON.stringify(shown).slice(1, -1);
}

function dedupe(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.variable}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
