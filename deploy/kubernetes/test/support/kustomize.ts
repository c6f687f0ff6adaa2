import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of
 * kustomize that deploy/kubernetes uses — and refuses everything else, so
 * that a field the manifests start using cannot be silently ignored here.
 *
 * Supported: `resources` (YAML files, or directories holding a
 * kustomization.yaml, rendered first), `patches` (strategic-merge patches of
 * one object each, from `path` or inline `patch`, without `target`; maps
 * merge, `null` deletes, lists are refused since kustomize would merge some
 * by key), `namespace`, `labels` (`pairs` with `includeTemplates`) and
 * `images` (`name`, `newName`, `newTag`, `digest`). Transformers run in
 * kustomize's order: patches, namespace, labels, images.
 */

/** A Kubernetes object as read from YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'patches',
  'namespace',
  'labels',
  'images',
]);

/** Kinds without a namespace, which the namespace transformer leaves alone. */
const CLUSTER_SCOPED = new Set(['Namespace']);

/** Reads every YAML document of `file` (empty documents skipped). */
export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents.flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** Renders the kustomization in `dir` into its list of objects. */
export function renderKustomization(dir: string): KubeObject[] {
  const file = join(dir, 'kustomization.yaml');
  const [kustomization, ...rest] = readYamlDocuments(file);
  if (!isObject(kustomization) || rest.length > 0) throw new Error(`${file}: one object expected`);
  if (kustomization.kind !== 'Kustomization') throw new Error(`${file}: not a Kustomization`);
  for (const field of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) {
      throw new Error(`${file}: '${field}' is not supported by this loader`);
    }
  }

  let objects = listOf(kustomization.resources, `${file}: resources`).flatMap((entry) =>
    loadResource(resolve(dir, String(entry))),
  );
  for (const patch of listOf(kustomization.patches, `${file}: patches`)) {
    objects = applyPatch(objects, readPatch(dir, patch, file));
  }
  if (kustomization.namespace !== undefined) {
    const namespace = kustomization.namespace;
    if (typeof namespace !== 'string') throw new Error(`${file}: namespace must be a string`);
    for (const object of objects) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = namespace;
    }
  }
  for (const entry of listOf(kustomization.labels, `${file}: labels`)) {
    applyLabels(objects, entry, file);
  }
  for (const entry of listOf(kustomization.images, `${file}: images`)) {
    applyImage(objects, entry, file);
  }
  return objects;
}

function loadResource(path: string): KubeObject[] {
  if (statSync(path).isDirectory()) return renderKustomization(path);
  return readYamlDocuments(path).map((value) => toKubeObject(value, path));
}

function toKubeObject(value: unknown, where: string): KubeObject {
  if (
    !isObject(value) ||
    typeof value.apiVersion !== 'string' ||
    typeof value.kind !== 'string' ||
    !isObject(value.metadata) ||
    typeof value.metadata.name !== 'string'
  ) {
    throw new Error(`${where}: expected an object with apiVersion, kind and metadata.name`);
  }
  return value as KubeObject;
}

function readPatch(dir: string, entry: unknown, file: string): KubeObject {
  if (!isObject(entry)) throw new Error(`${file}: a patch must be an object`);
  const fields = Object.keys(entry);
  if (fields.some((f) => f !== 'path' && f !== 'patch') || fields.length !== 1) {
    throw new Error(`${file}: a patch takes either 'path' or 'patch' (targets are not supported)`);
  }
  const documents =
    typeof entry.path === 'string'
      ? readYamlDocuments(resolve(dir, entry.path))
      : parseAllDocuments(String(entry.patch)).map((doc) => doc.toJS() as unknown);
  const [patch, ...more] = documents;
  if (more.length > 0) throw new Error(`${file}: one object per patch`);
  return toKubeObject(patch, `${file}: patch`);
}

function applyPatch(objects: KubeObject[], patch: KubeObject): KubeObject[] {
  const matches = objects.filter(
    (o) =>
      o.kind === patch.kind &&
      o.metadata.name === patch.metadata.name &&
      (patch.metadata.namespace === undefined || o.metadata.namespace === patch.metadata.namespace),
  );
  if (matches.length !== 1) {
    throw new Error(`patch of ${patch.kind}/${patch.metadata.name}: ${matches.length} targets`);
  }
  const target = matches[0] as KubeObject;
  const merged = mergePatch(target, patch, `${patch.kind}/${patch.metadata.name}`) as KubeObject;
  return objects.map((o) => (o === target ? merged : o));
}

/** Strategic merge for maps and scalars; lists are refused (see the file comment). */
function mergePatch(base: unknown, patch: unknown, path: string): unknown {
  if (Array.isArray(patch)) throw new Error(`${path}: lists in patches are not supported`);
  if (!isObject(patch) || !isObject(base)) return patch;
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(base[key], value, `${path}.${key}`);
  }
  return result;
}

function applyLabels(objects: KubeObject[], entry: unknown, file: string): void {
  if (!isObject(entry) || !isObject(entry.pairs)) throw new Error(`${file}: labels need pairs`);
  for (const field of Object.keys(entry)) {
    if (field !== 'pairs' && field !== 'includeTemplates') {
      throw new Error(`${file}: labels.${field} is not supported by this loader`);
    }
  }
  const pairs = Object.fromEntries(
    Object.entries(entry.pairs).map(([key, value]) => [key, String(value)]),
  );
  for (const object of objects) {
    object.metadata.labels = { ...object.metadata.labels, ...pairs };
    const template = isObject(object.spec) ? object.spec.template : undefined;
    if (entry.includeTemplates === true && isObject(template)) {
      const metadata = isObject(template.metadata) ? template.metadata : {};
      const labels = isObject(metadata.labels) ? metadata.labels : {};
      template.metadata = { ...metadata, labels: { ...labels, ...pairs } };
    }
  }
}

function applyImage(objects: KubeObject[], entry: unknown, file: string): void {
  if (!isObject(entry) || typeof entry.name !== 'string') {
    throw new Error(`${file}: images need a name`);
  }
  for (const field of Object.keys(entry)) {
    if (!['name', 'newName', 'newTag', 'digest'].includes(field)) {
      throw new Error(`${file}: images.${field} is not supported by this loader`);
    }
  }
  for (const container of podContainers(objects)) {
    const image = parseImage(String(container.image));
    if (image.name !== entry.name) continue;
    const name = typeof entry.newName === 'string' ? entry.newName : image.name;
    let reference = image.tag === undefined ? name : `${name}:${image.tag}`;
    if (typeof entry.newTag === 'string' || typeof entry.newTag === 'number') {
      reference = `${name}:${entry.newTag}`;
    }
    if (typeof entry.digest === 'string') reference = `${name}@${entry.digest}`;
    container.image = reference;
  }
}

function podContainers(objects: readonly KubeObject[]): Json[] {
  return objects.flatMap((object) => {
    const template = isObject(object.spec) ? object.spec.template : undefined;
    const spec = isObject(template) ? template.spec : undefined;
    if (!isObject(spec)) return [];
    return [
      ...listOf(spec.initContainers, 'initContainers'),
      ...listOf(spec.containers, 'containers'),
    ]
      .filter(isObject)
      .filter((c) => typeof c.image === 'string');
  });
}

/** `registry:5000/nes/token:1.2@sha256:…` → name `registry:5000/nes/token`, tag `1.2`. */
export function parseImage(reference: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest = '', digest] = reference.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest }),
  };
}

function listOf(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list`);
  return value as unknown[];
}

/** A plain (non-array) object. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
