import type { Infra, InfraComponent } from './types.js';

/** A server the harness started: where it is, and how to stop it. */
export interface StartedServer<T> {
  info: T;
  /** Stops the server and waits until it is gone; safe to call twice. */
  stop(): Promise<void>;
}

/** What each component hands the tests. */
export interface ComponentInfo {
  postgres: Infra['postgres'];
  redis: Infra['redis'];
  kafka: Infra['kafka'];
  ad: NonNullable<Infra['ad']>;
}

/** One way (local, containers, external) to start each component. */
export type ComponentStarters = {
  [K in InfraComponent]: () => Promise<StartedServer<ComponentInfo[K]>>;
};
