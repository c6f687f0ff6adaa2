// Lets `node` run the service straight from its TypeScript sources in a
// child process: the sources import siblings as `./file.js` (NodeNext), but
// only `file.ts` exists, so a relative `.js` that cannot be found is
// resolved again as `.ts`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/^\.\.?\/.+\.js$/.test(specifier)) throw error;
      return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
    }
  },
});
