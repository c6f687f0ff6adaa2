import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { describe, expect, it } from 'vitest';
import {
  isObject,
  readYamlDocuments,
  renderKustomization,
  type KubeObject,
} from './support/kustomize.js';
import { ingressAllowed, selects, type PodRef } from './support/network-policy.js';
import {
  containerOf,
  Deployment,
  HorizontalPodAutoscaler,
  Namespace,
  NetworkPolicy,
  ofKind,
  PodDisruptionBudget,
  podTemplate,
  quantity,
  resolvePort,
  Service,
  validateObject,
  must,
  type PodTemplate,
} from './support/objects.js';
import { containerEnv, type SecretLookup } from './support/pod-env.js';
import {
  configProblems,
  processes,
  secretPlaceholders,
  type ListenerConfig,
  type NesProcess,
} from './support/processes.js';

const here = fileURLToPath(new URL('..', import.meta.url));

/** runService's backstop: how long after the shutdown bound a process may still take to exit. */
const EXIT_GRACE_MS = 2_000;

/** The Secrets an operator creates, as secrets.example.yaml documents them: name → keys. */
const documentedSecrets = new Map(
  readYamlDocuments(join(here, 'base/secrets.example.yaml')).map((doc) => {
    const secret = doc as ISecret;
    const name = must(secret.metadata?.name, 'Secret name');
    return [name, Object.keys({ ...secret.stringData, ...secret.data })] as const;
  }),
);

const placeholder: SecretLookup = (name, key) => secretPlaceholders[name]?.[key];

const renderings = [
  { name: 'base', dir: join(here, 'base'), namespace: undefined },
  { name: 'overlays/example', dir: join(here, 'overlays/example'), namespace: 'nes' },
];

describe.each(renderings)('$name', ({ dir, namespace }) => {
  const objects = renderKustomization(dir);
  const deployments = ofKind(objects, Deployment.is);
  const services = ofKind(objects, Service.is);
  const policies = ofKind(objects, NetworkPolicy.is);
  const site = must(
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nes-site'),
    'ConfigMap nes-site',
  ).data as Record<string, string>;

  const deploymentNamed = (name: string): IDeployment =>
    must(
      deployments.find((d) => d.metadata?.name === name),
      `Deployment ${name}`,
    );
  const podOf = (p: NesProcess) => {
    const template = podTemplate(deploymentNamed(p.deployment));
    return { template, container: containerOf(template.spec, p.container) };
  };
  const envOf = (p: NesProcess, secret: SecretLookup = placeholder) => {
    const { template, container } = podOf(p);
    return containerEnv(objects, namespace, template.spec, container, secret);
  };
  const loaded = (p: NesProcess): ListenerConfig => p.load(envOf(p));
  const templates = deployments.map(podTemplate);
  const templatesSelectedBy = (selector: Parameters<typeof selects>[0]): PodTemplate[] =>
    templates.filter((t) => selects(selector, t.labels));

  it('renders one Deployment, Service, PodDisruptionBudget, autoscaler and NetworkPolicy per process, and no Secret', () => {
    const names = (kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    const perProcess = processes.map((p) => p.deployment).sort();
    expect(names('Deployment')).toEqual(perProcess);
    expect(names('Service')).toEqual(perProcess);
    expect(names('PodDisruptionBudget')).toEqual(perProcess);
    expect(names('HorizontalPodAutoscaler')).toEqual(perProcess);
    expect(names('NetworkPolicy')).toEqual(['nes-default-deny-ingress', ...perProcess].sort());
    expect(names('ConfigMap')).toEqual([
      'nes-directory-sync-config',
      'nes-registration-config',
      'nes-site',
      'nes-telemetry-config',
      'nes-token-config',
    ]);
    expect(names('Secret')).toEqual([]);
    expect(names('Namespace')).toEqual(namespace === undefined ? [] : [namespace]);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every object validates against the Kubernetes OpenAPI schema of its kind', () => {
    const failures = objects.flatMap((object) => {
      try {
        validateObject(object);
        return [];
      } catch (error) {
        return [`${object.kind}/${object.metadata.name}: ${String(error)}`];
      }
    });
    expect(failures).toEqual([]);
  });

  it('every object is in the namespace of the overlay and labelled part-of nes, pods too', () => {
    for (const object of objects) {
      expect(object.metadata.namespace).toBe(object.kind === 'Namespace' ? undefined : namespace);
      expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe('nes');
    }
    for (const template of templates) {
      expect(template.labels['app.kubernetes.io/part-of']).toBe('nes');
    }
  });

  it.each(processes)('$deployment runs image $image with a pinned tag', (p) => {
    const [repository, tag] = must(podOf(p).container.image, 'image').split(/:(?=[^/:]+$)/);
    expect(repository === p.image || repository?.endsWith(`/${p.image}`)).toBe(true);
    expect(tag).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe.each(processes)('$deployment', (p) => {
    it("gets an environment its service's own config loader accepts, with or without the optional secrets", () => {
      const optional = new Set(
        (podOf(p).container.env ?? []).flatMap((v) => {
          const ref = v.valueFrom?.secretKeyRef;
          return ref?.optional === true ? [`${ref.name}/${ref.key}`] : [];
        }),
      );
      const requiredOnly: SecretLookup = (name, key) =>
        optional.has(`${name}/${key}`) ? undefined : placeholder(name, key);
      for (const env of [envOf(p), envOf(p, requiredOnly)]) {
        let config: ListenerConfig | undefined;
        try {
          config = p.load(env);
        } catch (error) {
          expect.fail(`${p.deployment}: ${configProblems(error)}`);
        }
        expect(config.bus).toEqual({
          kind: 'kafka',
          brokers: must(site['kafka-brokers'], 'kafka-brokers').split(','),
        });
      }
    });

    it('declares only variables of its prefix (and NODE_OPTIONS), each once', () => {
      const { template, container } = podOf(p);
      const fromConfigMaps = (container.envFrom ?? []).flatMap((source) => {
        const name = must(source.configMapRef?.name, 'configMapRef');
        const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
        return Object.keys(configMap?.data ?? {});
      });
      const declared = [...fromConfigMaps, ...(container.env ?? []).map((v) => v.name)];
      const foreign = declared.filter((name) => !name.startsWith(p.prefix));
      expect(foreign.filter((name) => name !== 'NODE_OPTIONS')).toEqual([]);
      expect(new Set(declared).size).toBe(declared.length);
      // Service links would add <SERVICE>_… variables, some under a prefix (nes-token → NES_TOKEN_PORT).
      expect(template.spec.enableServiceLinks).toBe(false);
    });

    it('listens where its container ports, probes and scrape annotations say', () => {
      const config = loaded(p);
      const { template, container } = podOf(p);
      expect(resolvePort(container, 'http')).toBe(config.httpPort);
      expect(resolvePort(container, 'grpc')).toBe(config.grpcPort);
      expect(container.ports?.map((port) => port.name).sort()).toEqual(
        config.grpcPort === undefined ? ['http'] : ['grpc', 'http'],
      );
      const probes = {
        startup: container.startupProbe,
        liveness: container.livenessProbe,
        readiness: container.readinessProbe,
      };
      for (const [kind, probe] of Object.entries(probes)) {
        const httpGet = must(probe?.httpGet, `${kind} probe httpGet`);
        expect(httpGet.path).toBe(kind === 'readiness' ? '/readyz' : '/healthz');
        expect(resolvePort(container, httpGet.port)).toBe(config.httpPort);
      }
      const startup = must(probes.startup, 'startup probe');
      // Migrations run before HTTP listens: give them minutes, not the liveness budget.
      expect(
        (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3),
      ).toBeGreaterThanOrEqual(120);
      expect(template.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(config.httpPort),
        'prometheus.io/path': '/metrics',
      });
    });

    it('is given time to drain: grace period > preStop sleep + SHUTDOWN_TIMEOUT_MS + exit backstop', () => {
      const config = loaded(p);
      const { template, container } = podOf(p);
      const command = must(container.lifecycle?.preStop?.exec?.command, 'preStop exec');
      expect(command[0]).toBe('sleep');
      const sleepMs = Number(command[1]) * 1000;
      expect(sleepMs).toBeGreaterThanOrEqual(3_000);
      const graceMs = must(template.spec.terminationGracePeriodSeconds, 'grace period') * 1000;
      expect(graceMs).toBeGreaterThan(sleepMs + config.shutdownTimeoutMs + EXIT_GRACE_MS);
    });

    it('runs non-root, read-only, without privilege escalation or capabilities, within resource limits', () => {
      const { template, container } = podOf(p);
      const pod = template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      // Numeric, so that the kubelet can check runAsNonRoot against the image's `node` user.
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      const security = must(container.securityContext, 'container securityContext');
      expect(security.allowPrivilegeEscalation).toBe(false);
      expect(security.readOnlyRootFilesystem).toBe(true);
      expect(security.privileged).not.toBe(true);
      expect(security.capabilities?.drop).toEqual(['ALL']);
      expect(security.capabilities?.add).toBeUndefined();
      const tmp = must(
        container.volumeMounts?.find((m) => m.mountPath === '/tmp'),
        '/tmp mount',
      );
      expect(pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir).toBeDefined();
      const { requests = {}, limits = {} } = must(container.resources, 'resources');
      for (const resource of ['cpu', 'memory']) {
        const request = quantity(must(requests[resource], `${resource} request`));
        const limit = quantity(must(limits[resource], `${resource} limit`));
        expect(request).toBeGreaterThan(0);
        expect(request).toBeLessThanOrEqual(limit);
      }
    });

    it('spreads across zones and nodes, leaving the replica count to its autoscaler', () => {
      const { template } = podOf(p);
      const deployment = deploymentNamed(p.deployment);
      const constraints = template.spec.topologySpreadConstraints ?? [];
      expect(constraints.map((c) => c.topologyKey).sort()).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      for (const constraint of constraints) {
        expect(selects(constraint.labelSelector, template.labels)).toBe(true);
      }
      expect(deployment.spec?.replicas).toBeUndefined();
      const hpa = must(
        ofKind(objects, HorizontalPodAutoscaler.is).find(
          (h) => h.spec?.scaleTargetRef.name === p.deployment,
        ),
        'autoscaler',
      );
      expect(hpa.spec?.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
      expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec?.maxReplicas).toBeGreaterThanOrEqual(hpa.spec?.minReplicas ?? 1);
      expect(hpa.spec?.metrics?.map((m) => m.resource?.name)).toEqual(['cpu']);
    });
  });

  it('each Deployment selects its own pods only, and each Service and budget exactly one Deployment', () => {
    for (const template of templates) {
      const selector = template.deployment.spec?.selector;
      expect(templatesSelectedBy(selector)).toEqual([template]);
    }
    for (const service of services) {
      const [target, ...others] = templatesSelectedBy({ matchLabels: service.spec?.selector });
      expect(others).toEqual([]);
      const container = must(target?.spec.containers[0], `${service.metadata?.name} target`);
      for (const port of service.spec?.ports ?? []) {
        expect(resolvePort(container, must(port.targetPort, 'targetPort'))).toBe(port.port);
        expect(port.appProtocol).toBe(port.name === 'grpc' ? 'grpc' : 'http');
      }
    }
    for (const pdb of ofKind(objects, PodDisruptionBudget.is)) {
      expect(templatesSelectedBy(pdb.spec?.selector)).toHaveLength(1);
      expect(pdb.spec?.maxUnavailable).toBe(1);
    }
  });

  it('every NetworkPolicy selects existing pods and names ports they have', () => {
    const withPorts = (t: PodTemplate) => t.spec.containers.flatMap((c) => c.ports ?? []);
    for (const policy of policies) {
      const selected = templatesSelectedBy(policy.spec?.podSelector);
      expect(selected.length, policy.metadata?.name).toBeGreaterThan(0);
      for (const rule of policy.spec?.ingress ?? []) {
        for (const peer of rule.from ?? []) {
          if (peer.podSelector !== undefined) {
            expect(templatesSelectedBy(peer.podSelector).length).toBeGreaterThan(0);
          }
        }
        for (const { port } of rule.ports ?? []) {
          for (const template of selected) {
            expect(
              withPorts(template).some((c) => c.name === port || c.containerPort === port),
            ).toBe(true);
          }
        }
      }
    }
  });

  it('NetworkPolicies deny by default and allow exactly the flows NES has', () => {
    const denyAll = policies.find((p) => p.metadata?.name === 'nes-default-deny-ingress');
    expect(denyAll?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const namespaceLabels =
      ofKind(objects, Namespace.is).find((n) => n.metadata?.name === namespace)?.metadata?.labels ??
      {};
    const pod = (t: PodTemplate): PodRef => ({ namespace, namespaceLabels, labels: t.labels });
    const sources: Record<string, PodRef> = {
      ingress: {
        namespace: 'ingress-nginx',
        namespaceLabels: { 'nes-ingress': 'true' },
        labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      },
      monitoring: {
        namespace: 'monitoring',
        namespaceLabels: { 'nes-monitoring': 'true' },
        labels: { 'app.kubernetes.io/name': 'prometheus' },
      },
      elsewhere: { namespace: 'other', namespaceLabels: {}, labels: {} },
      neighbour: { namespace, namespaceLabels, labels: { app: 'debug' } },
      ...Object.fromEntries(templates.map((t) => [t.deployment.metadata?.name ?? '', pod(t)])),
    };
    const allowed = Object.entries(sources).flatMap(([from, source]) =>
      templates.flatMap((t) =>
        t.spec.containers
          .flatMap((c) => c.ports ?? [])
          .filter((port) =>
            ingressAllowed(policies, source, pod(t), {
              name: port.name,
              number: port.containerPort,
            }),
          )
          .map((port) => `${from} -> ${t.deployment.metadata?.name}:${port.name}`),
      ),
    );
    expect(allowed.sort()).toEqual(
      [
        'ingress -> nes-registration:http',
        'ingress -> nes-token:http',
        'ingress -> nes-telemetry:http',
        ...processes.map((p) => `monitoring -> ${p.deployment}:http`),
        'nes-token -> nes-registration:grpc',
        'nes-telemetry -> nes-registration:grpc',
        'nes-telemetry -> nes-token:http',
      ].sort(),
    );
  });

  it('every ConfigMap reference resolves in the rendering and every Secret reference in secrets.example.yaml', () => {
    const configMaps = new Map(
      objects
        .filter((o) => o.kind === 'ConfigMap')
        .map((o) => [o.metadata.name, Object.keys(o.data ?? {})]),
    );
    const used = new Set<string>();
    const checkSecret = (name: string, key: string) => {
      expect(documentedSecrets.get(name), `Secret ${name}`).toContain(key);
      used.add(`${name}/${key}`);
    };
    for (const { spec } of templates) {
      for (const container of spec.containers) {
        for (const source of container.envFrom ?? []) {
          expect(configMaps.has(must(source.configMapRef?.name, 'configMapRef'))).toBe(true);
        }
        for (const { valueFrom } of container.env ?? []) {
          const cm = valueFrom?.configMapKeyRef;
          if (cm) {
            const name = must(cm.name, 'configMapKeyRef name');
            expect(configMaps.get(name), `ConfigMap ${name}`).toContain(cm.key);
          }
          const secret = valueFrom?.secretKeyRef;
          if (secret) checkSecret(must(secret.name, 'secretKeyRef name'), secret.key);
        }
      }
      for (const volume of spec.volumes ?? []) {
        if (volume.configMap) {
          expect(configMaps.has(must(volume.configMap.name, 'configMap volume name'))).toBe(true);
        }
        const secret = volume.secret;
        if (secret) {
          const secretName = must(secret.secretName, 'secretName');
          const items = must(secret.items, `items of secret volume ${volume.name}`);
          for (const item of items) checkSecret(secretName, item.key);
        }
      }
    }
    const documented = [...documentedSecrets].flatMap(([name, keys]) =>
      keys.map((key) => `${name}/${key}`),
    );
    expect([...used].sort()).toEqual(documented.sort());
  });

  it('variables naming a file point at a file a volume mounts', () => {
    const checked = processes.flatMap((p) => {
      const { template, container } = podOf(p);
      const files = Object.entries(envOf(p)).filter(([name]) => name.endsWith('_FILE'));
      for (const [name, path] of files) {
        expect(mountedFiles(template, container), `${p.deployment} ${name}`).toContain(path);
      }
      return files.map(([name]) => name);
    });
    expect(checked).toContain('NES_DIR_AD_CA_FILE');
  });
});

describe('secrets.example.yaml', () => {
  const secrets = readYamlDocuments(join(here, 'base/secrets.example.yaml'));

  it('documents valid Secrets, kept out of every kustomization', () => {
    for (const secret of secrets) validateObject(secret as KubeObject);
    for (const dir of renderings.map((r) => r.dir)) {
      const kustomization = readYamlDocuments(join(dir, 'kustomization.yaml'))[0];
      const resources = isObject(kustomization) ? kustomization.resources : undefined;
      expect(resources).toEqual(expect.any(Array));
      expect(resources).not.toContain('secrets.example.yaml');
    }
  });

  it('lists the keys the tests stand in for, no more, no less', () => {
    const placeholders = Object.entries(secretPlaceholders).map(
      ([name, keys]) => [name, Object.keys(keys).sort()] as const,
    );
    const documented = [...documentedSecrets].map(([name, keys]) => [name, [...keys].sort()]);
    expect(new Map(placeholders)).toEqual(new Map(documented as [string, string[]][]));
  });
});

/** The paths of files a container sees through secret and ConfigMap volumes with items. */
function mountedFiles(template: PodTemplate, container: IContainer): string[] {
  return (container.volumeMounts ?? []).flatMap((mount) => {
    const volume = template.spec.volumes?.find((v) => v.name === mount.name);
    const items = volume?.secret?.items ?? volume?.configMap?.items ?? [];
    return items.map((item) => `${mount.mountPath}/${item.path}`);
  });
}
