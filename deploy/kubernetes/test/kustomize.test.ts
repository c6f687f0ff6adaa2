import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseImage, renderKustomization } from './support/kustomize.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

describe('the kustomize subset the manifest tests render with', () => {
  it('applies patches, namespace, labels and images to an overlay of a base, as kustomize does', () => {
    expect(renderKustomization(fixture('overlay'))).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo-ns' } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'demo-config',
          namespace: 'demo-ns',
          labels: { 'app.kubernetes.io/part-of': 'demo' },
        },
        data: { KEEP: 'kept', CHANGE: 'after', ADD: 'added' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'demo',
          namespace: 'demo-ns',
          labels: { 'app.kubernetes.io/part-of': 'demo' },
        },
        spec: {
          // Selectors stay as written (labels without includeSelectors).
          selector: { matchLabels: { app: 'demo' } },
          template: {
            metadata: { labels: { app: 'demo', 'app.kubernetes.io/part-of': 'demo' } },
            spec: {
              containers: [
                { name: 'app', image: 'registry.example.com/demo/app@sha256:0123456789abcdef' },
                { name: 'sidecar', image: 'registry.example.com:5000/other/sidecar:2.0' },
              ],
            },
          },
        },
      },
    ]);
  });

  it('refuses kustomization fields it does not implement', () => {
    expect(() => renderKustomization(fixture('unsupported'))).toThrow(
      "'commonLabels' is not supported",
    );
  });

  it('refuses patches with lists, which kustomize would merge by key', () => {
    expect(() => renderKustomization(fixture('list-patch'))).toThrow('lists in patches');
  });

  it('splits image references at the tag, not at a registry port', () => {
    expect(parseImage('nes/token')).toEqual({ name: 'nes/token' });
    expect(parseImage('registry:5000/nes/token')).toEqual({ name: 'registry:5000/nes/token' });
    expect(parseImage('registry:5000/nes/token:1.2.3@sha256:ab')).toEqual({
      name: 'registry:5000/nes/token',
      tag: '1.2.3',
      digest: 'sha256:ab',
    });
  });
});
