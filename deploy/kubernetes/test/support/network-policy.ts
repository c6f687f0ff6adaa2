import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

type ILabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

/**
 * Whether NetworkPolicies let a connection in, by the rules of the
 * networking.k8s.io/v1 API: a pod selected by no Ingress policy accepts
 * everything; a selected pod accepts what at least one rule of one selecting
 * policy allows (peers: podSelector in the policy's namespace,
 * namespaceSelector, or both together; ports by number or by container port
 * name). ipBlock peers and endPort ranges are refused, not modelled.
 */

/** A pod, as far as policies see it. */
export interface PodRef {
  readonly namespace: string | undefined;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** A container port of the destination pod. */
export interface PortRef {
  readonly name?: string;
  readonly number: number;
  readonly protocol?: string;
}

/** Whether `selector` matches `labels` (matchLabels and matchExpressions). */
export function selects(
  selector: ILabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && (values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

/** Whether `policy` applies to incoming traffic of `pod`. */
export function isolatesIngress(policy: INetworkPolicy, pod: PodRef): boolean {
  const spec = policy.spec;
  if (spec === undefined || policy.metadata?.namespace !== pod.namespace) return false;
  const types = spec.policyTypes ?? ['Ingress'];
  return types.includes('Ingress') && selects(spec.podSelector, pod.labels);
}

/** Whether a connection from `source` to `port` of `destination` is allowed. */
export function ingressAllowed(
  policies: readonly INetworkPolicy[],
  source: PodRef,
  destination: PodRef,
  port: PortRef,
): boolean {
  const applying = policies.filter((p) => isolatesIngress(p, destination));
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => {
      const peers = rule.from ?? [];
      const fromOk =
        peers.length === 0 ||
        peers.some((peer) => {
          if (peer.ipBlock !== undefined) throw new Error('ipBlock peers are not modelled');
          if (peer.namespaceSelector === undefined && peer.podSelector === undefined) return false;
          const namespaceOk =
            peer.namespaceSelector === undefined
              ? source.namespace === policy.metadata?.namespace
              : selects(peer.namespaceSelector, source.namespaceLabels);
          const podOk = peer.podSelector === undefined || selects(peer.podSelector, source.labels);
          return namespaceOk && podOk;
        });
      const ports = rule.ports ?? [];
      const portOk =
        ports.length === 0 ||
        ports.some((p) => {
          if (p.endPort !== undefined) throw new Error('endPort ranges are not modelled');
          if ((p.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
          if (p.port === undefined) return true;
          return typeof p.port === 'number' ? p.port === port.number : p.port === port.name;
        });
      return fromOk && portOk;
    }),
  );
}
