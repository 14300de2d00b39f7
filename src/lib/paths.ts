/**
 * Where the installation's files are, found from this module's own URL: compiled, it sits in dist/
 * (as dist/lib/paths.js, or bundled into dist/main.js or a chunk under dist/ by
 * scripts/bundle-server.mjs); from TypeScript sources (tests), in src/lib/. Modules that read files
 * beside the code ask here rather than resolving paths from their own URL, which changes when they
 * are bundled.
 */
const here = import.meta.url;
const inDist = here.lastIndexOf('/dist/');
const inSrc = here.lastIndexOf('/src/');

/** The installation's root: the directory holding dist/, src/ and connect/. */
export const ROOT_URL = new URL(here.slice(0, Math.max(inDist, inSrc) + 1));

/** Whether this is the compiled code (dist/), not the TypeScript sources. */
export const COMPILED = inDist > inSrc;
