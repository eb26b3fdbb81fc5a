import { createRequire } from 'node:module';

declare const __CLOUDCONFORM_VERSION__: string | undefined;

/** Inlined by the bundler; read from package.json when running from source. */
export const VERSION: string =
  typeof __CLOUDCONFORM_VERSION__ === 'string'
    ? __CLOUDCONFORM_VERSION__
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
