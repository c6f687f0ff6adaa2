import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kustomize.js';

/** The kinds the manifests may contain, each with its kubernetes-models class. */
const models: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/**
 * Validates `object` against the Kubernetes OpenAPI schema of its kind
 * (kubernetes-models' compiled JSON schemas).
 *
 * @throws when the kind is not one the manifests use, or the object is invalid.
 */
export function validateObject(object: KubeObject): void {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

/** The objects of one kind, typed by its kubernetes-models guard. */
export function ofKind<T>(
  objects: readonly KubeObject[],
  guard: (value: unknown) => value is T,
): T[] {
  return objects.flatMap((o) => (guard(o) ? [o] : []));
}

/** `value`, or a failure naming what was missing. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

/** A Deployment's pod template: labels, spec and the named container. */
export interface PodTemplate {
  readonly deployment: IDeployment;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: IPodSpec;
}

/** The pod template of `deployment`. */
export function podTemplate(deployment: IDeployment): PodTemplate {
  const template = must(deployment.spec?.template, `${deployment.metadata?.name} template`);
  return {
    deployment,
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    spec: must(template.spec, `${deployment.metadata?.name} pod spec`),
  };
}

/** The container named `name` of a pod. */
export function containerOf(spec: IPodSpec, name: string): IContainer {
  return must(
    spec.containers.find((c) => c.name === name),
    `container ${name}`,
  );
}

/** The number a probe's or Service's port (number or container port name) stands for. */
export function resolvePort(container: IContainer, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** A resource quantity (`250m`, `1`, `512Mi`) as a number. */
export function quantity(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/.exec(value);
  if (match === null) throw new Error(`quantity not understood: ${value}`);
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
}

export { Deployment, HorizontalPodAutoscaler, Namespace, NetworkPolicy, PodDisruptionBudget };
export { ConfigMap, Secret, Service };
