import { describe, expect, it } from 'vitest';
import { dockerEndpoints, resolveMode } from './mode.js';

describe('resolveMode', () => {
  it('follows an explicit mode whatever Docker says', () => {
    expect(resolveMode('local', true)).toBe('local');
    expect(resolveMode('containers', false)).toBe('containers');
    expect(resolveMode('external', true)).toBe('external');
  });

  it('auto picks containers only when a Docker engine answers', () => {
    expect(resolveMode('auto', true)).toBe('containers');
    expect(resolveMode('auto', false)).toBe('local');
  });
});

describe('dockerEndpoints', () => {
  it('uses DOCKER_HOST alone when set', () => {
    expect(dockerEndpoints('tcp://10.0.0.2:2375', '/home/a')).toEqual(['tcp://10.0.0.2:2375']);
  });

  it('otherwise tries the system socket, then Docker Desktop and colima sockets', () => {
    expect(dockerEndpoints(undefined, '/home/a')).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///home/a/.docker/run/docker.sock',
      'unix:///home/a/.colima/default/docker.sock',
    ]);
  });
});
