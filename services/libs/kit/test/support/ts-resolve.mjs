// Module hook for child processes that run the kit's TypeScript sources with
// plain `node` (which strips or transforms the types itself): the sources
// import siblings as `./file.js`, as NodeNext wants, but only `file.ts`
// exists, so a failed relative `.js` resolution is retried with `.ts`.
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
