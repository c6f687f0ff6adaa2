import { inject } from 'vitest';
import { InfraError } from './errors.js';
import type { AdInfra, Infra, InfraComponent, StartedInfra } from './types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by @nes/testing's global setup; read it with `getInfra()`. */
    nesInfra: StartedInfra;
  }
}

/**
 * The servers this test run uses (started once by the integration project's
 * global setup). Reading a component that `NES_TEST_COMPONENTS` left out
 * throws an error saying so, rather than handing out a dead URL.
 */
export function getInfra(): Infra {
  const provided = inject('nesInfra') as StartedInfra | undefined;
  if (!provided) {
    throw new InfraError(
      'no test infrastructure: run integration tests through the vitest project "integration", ' +
        'whose globalSetup (@nes/testing/src/global-setup.ts) starts it',
    );
  }
  return toInfra(provided);
}

/** The AD domain of this run; throws when AD was not started. */
export function getAdInfra(): AdInfra {
  const { ad } = getInfra();
  if (!ad) throw notStarted('ad', getInfra().mode);
  return ad;
}

/** Turns what `startInfra` returned into an {@link Infra} whose absent components throw when read. */
export function toInfra(started: StartedInfra): Infra {
  const infra = { mode: started.mode } as Infra;
  for (const component of ['postgres', 'redis', 'kafka'] as const) {
    const value = started[component];
    Object.defineProperty(infra, component, {
      enumerable: value !== undefined,
      get: () => {
        if (value === undefined) throw notStarted(component, started.mode);
        return value;
      },
    });
  }
  if (started.ad) infra.ad = started.ad;
  return infra;
}

function notStarted(component: InfraComponent, mode: string): InfraError {
  return new InfraError(
    `${component} was not started for this run (${mode} mode): add it to NES_TEST_COMPONENTS ` +
      `(unset means all of postgres,redis,kafka,ad)`,
  );
}
