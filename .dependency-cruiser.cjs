/**
 * The layer order, checked on every `npm test` (`npm run lint:deps`). From the ground up:
 *
 *   core -> errors -> policy -> limits -> engine -> adapters/* | botapi | broadcast | reporter | sim -> cli
 *
 * A layer imports only layers below it (and itself); nothing imports back up, and there is no
 * circle. src/index.ts (the package's main export) stands above the layers it re-exports and must
 * not reach an SDK, bullmq, ioredis or better-sqlite3: those stay behind subpath exports.
 * A violation is printed as `error <rule>: <importing file> → <imported file>`.
 */

/** `^src/(?!(a|b)/)`: any file of ours outside folders a, b. */
const outside = (...folders) => `^src/(?!(${folders.join('|')})/)`;

const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: outside(...allowed) },
});

const LOWER = ['core', 'errors', 'policy', 'limits', 'engine'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle: the two files import each other, directly or through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('core-imports-nothing-of-ours', '^src/core/', ['core'], 'src/core/ is the ground: it imports no other folder of ours.'),
    layer('errors-stand-on-core', '^src/errors/', ['core', 'errors'], 'errors/ may import core/ only.'),
    layer('policy-stands-on-errors', '^src/policy/', ['core', 'errors', 'policy'], 'policy/ may import errors/ and core/ only.'),
    layer('limits-stand-on-policy', '^src/limits/', ['core', 'errors', 'policy', 'limits'], 'limits/ may import policy/, errors/ and core/ only.'),
    layer('engine-stands-on-limits', '^src/engine/', LOWER, 'engine/ may import limits/, policy/, errors/ and core/ only.'),
    layer('adapters-stand-on-engine', '^src/adapters/', [...LOWER, 'adapters'], 'An adapter may import the engine and what is below it, not botapi/, sim/ or cli/.'),
    layer('botapi-stands-on-engine', '^src/botapi/', [...LOWER, 'botapi'], 'botapi/ may import the engine and what is below it.'),
    layer('sim-stands-on-engine', '^src/sim/', [...LOWER, 'sim'], 'sim/ may import the engine and what is below it, not the clients that talk to it.'),
    layer(
      'broadcast-stands-on-botapi',
      '^src/broadcast/',
      ['core', 'errors', 'limits', 'engine', 'botapi', 'broadcast'],
      'broadcast/ may import botapi/, engine/, limits/, errors/ and core/.',
    ),
    layer('reporter-stands-on-errors', '^src/reporter/', ['core', 'errors', 'botapi', 'reporter'], 'reporter/ may import errors/, core/ and botapi/ types.'),
    {
      name: 'reporter-takes-only-types-from-botapi',
      comment: 'reporter/ may use botapi/ types, not its running code.',
      severity: 'error',
      from: { path: '^src/reporter/' },
      to: { path: '^src/botapi/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'cli/ is the top: no other folder imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'nothing-imports-the-main-entry',
      comment: 'src/index.ts re-exports the layers; a layer importing it would import back up.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'main-entry-without-sdks',
      comment:
        'The core (telegram-resilience main export and all it imports) must not import an SDK, bullmq, ioredis or better-sqlite3: they are optional peers behind subpath exports.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: {
        reachable: true,
        path: 'node_modules/(grammy|telegraf|node-telegram-bot-api|telegram|@mtcute|bullmq|ioredis|better-sqlite3)/',
      },
    },
    {
      name: 'src-not-to-tests',
      comment: 'The library does not import its tests or benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type import running back up is a layering error too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
    },
  },
};
