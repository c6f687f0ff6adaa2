// Module hook for running directory-sync's TypeScript sources in a child
// process with plain `node`: the sources import siblings as `./file.js`
// (NodeNext), but only `file.ts` exists, so a failed relative `.js`
// resolution is retried with `.ts`.
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
