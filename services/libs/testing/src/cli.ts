/**
 * `pnpm infra`: starts the test servers for a developer, prints them as env
 * lines for `NES_TEST_INFRA=external`, and stops them on Ctrl-C.
 *
 * Node runs this file from source (type stripping), where the sources'
 * NodeNext `.js` import suffixes name files that exist only after `tsc`: this
 * entry point therefore imports nothing local statically, installs a resolve
 * hook that falls back from `.js` to `.ts`, then loads the real CLI.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const local = specifier.startsWith('.') && specifier.endsWith('.js');
      if (!local || (error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
      return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
    }
  },
});

await import('./cli-main.js');
