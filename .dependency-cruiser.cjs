/**
 * Import rules for src/ (run by test/architecture/imports.test.ts and `npm run lint:imports`).
 * Layers point down: cli -> lab/scenario/load/proxy -> bot -> sip/media -> nothing of ours.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'An import cycle anywhere in src/ (type-only imports included): split the shared part into a module both can import.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'sip-imports-nothing-above',
      severity: 'error',
      comment: 'src/sip is the bottom SIP layer: it may import only itself, src/util and packages, never a folder above it.',
      from: { path: '^src/sip/' },
      to: { path: '^src/', pathNot: ['^src/sip/', '^src/util/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
