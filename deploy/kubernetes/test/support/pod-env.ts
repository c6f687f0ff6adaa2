import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from './kustomize.js';

/**
 * The environment a container starts with, worked out as the kubelet does:
 * service-link variables (unless `enableServiceLinks: false`), then
 * `envFrom` ConfigMaps, then `env` in order — `value` with `$(VAR)`
 * expanded against what is defined so far, `configMapKeyRef` and
 * `secretKeyRef` looked up, an absent key skipped when `optional` and fatal
 * otherwise (the kubelet would not start the container). Anything else
 * (secretRef, fieldRef, resourceFieldRef, …) is refused, so that a new kind of
 * source gets modelled here before the tests trust it.
 */

/** The value of key `key` of Secret `name`, or undefined when the operator left it out. */
export type SecretLookup = (name: string, key: string) => string | undefined;

/** Builds the container's environment from the rendered objects. */
export function containerEnv(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  pod: IPodSpec,
  container: IContainer,
  secret: SecretLookup,
): Record<string, string> {
  const env: Record<string, string> =
    pod.enableServiceLinks === false ? masterServiceEnv() : serviceLinkEnv(objects, namespace);
  for (const source of container.envFrom ?? []) {
    const { configMapRef, prefix = '', ...others } = source;
    if (configMapRef === undefined || Object.keys(others).length > 0) {
      throw new Error(`${container.name}: only envFrom.configMapRef is modelled`);
    }
    const data = configMapData(objects, namespace, named(configMapRef, container.name));
    if (data === undefined) {
      if (configMapRef.optional === true) continue;
      throw new Error(`${container.name}: ConfigMap ${configMapRef.name} does not exist`);
    }
    for (const [key, value] of Object.entries(data)) env[`${prefix}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const value = resolveVariable(objects, namespace, container, variable, env, secret);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

function resolveVariable(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  container: IContainer,
  variable: NonNullable<IContainer['env']>[number],
  defined: Readonly<Record<string, string>>,
  secret: SecretLookup,
): string | undefined {
  const where = `${container.name}: ${variable.name}`;
  if (variable.valueFrom === undefined) return expand(variable.value ?? '', defined);
  const { configMapKeyRef, secretKeyRef, ...others } = variable.valueFrom;
  if (Object.keys(others).length > 0) throw new Error(`${where}: source not modelled`);
  if (configMapKeyRef) {
    const configMap = configMapData(objects, namespace, named(configMapKeyRef, where));
    const value = configMap?.[configMapKeyRef.key];
    if (value === undefined && configMapKeyRef.optional !== true) {
      throw new Error(
        `${where}: ConfigMap ${configMapKeyRef.name} has no key ${configMapKeyRef.key}`,
      );
    }
    return value;
  }
  if (secretKeyRef) {
    const value = secret(named(secretKeyRef, where), secretKeyRef.key);
    if (value === undefined && secretKeyRef.optional !== true) {
      throw new Error(`${where}: Secret ${secretKeyRef.name} has no key ${secretKeyRef.key}`);
    }
    return value;
  }
  throw new Error(`${where}: valueFrom without a source`);
}

/** The object a reference names (the API allows an empty name; a pod would not start). */
function named(reference: { name?: string }, where: string): string {
  if (reference.name === undefined || reference.name === '') {
    throw new Error(`${where}: reference without a name`);
  }
  return reference.name;
}

/** `$(NAME)` → its value when defined (left as written otherwise); `$$` → `$`. */
export function expand(text: string, defined: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name?: string) => {
    if (name === undefined) return '$';
    return defined[name] ?? match;
  });
}

function configMapData(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  name: string,
): Record<string, string> | undefined {
  const configMap = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === name && o.metadata.namespace === namespace,
  );
  if (configMap === undefined) return undefined;
  const data = (configMap.data ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

/** The API server's own Service, which every pod sees whatever enableServiceLinks says. */
function masterServiceEnv(): Record<string, string> {
  return {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  };
}

/** The Docker-links-style variables the kubelet adds for each Service of the namespace. */
function serviceLinkEnv(
  objects: readonly KubeObject[],
  namespace: string | undefined,
): Record<string, string> {
  const env = masterServiceEnv();
  const services = objects.filter(
    (o) => o.kind === 'Service' && o.metadata.namespace === namespace,
  );
  services.forEach((service, index) => {
    const spec = (service.spec ?? {}) as {
      clusterIP?: string;
      ports?: { name?: string; port: number; protocol?: string }[];
    };
    if (spec.clusterIP === 'None') return;
    const ip = `10.96.1.${index + 1}`;
    const name = service.metadata.name.toUpperCase().replaceAll('-', '_');
    const [first] = spec.ports ?? [];
    if (first === undefined) return;
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(first.port);
    const firstProtocol = (first.protocol ?? 'TCP').toLowerCase();
    env[`${name}_PORT`] = `${firstProtocol}://${ip}:${first.port}`;
    for (const port of spec.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP').toLowerCase();
      const prefix = `${name}_PORT_${port.port}_${protocol.toUpperCase()}`;
      if (port.name) {
        env[`${name}_SERVICE_PORT_${port.name.toUpperCase().replaceAll('-', '_')}`] = String(
          port.port,
        );
      }
      env[prefix] = `${protocol}://${ip}:${port.port}`;
      env[`${prefix}_PROTO`] = protocol;
      env[`${prefix}_PORT`] = String(port.port);
      env[`${prefix}_ADDR`] = ip;
    }
  });
  return env;
}
