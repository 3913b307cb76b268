/**
 * The published artefact, as a new user gets it: `npm pack` (which builds on prepack), install the
 * tarball into an empty project, then import it with types and run the README's quickstart against
 * the simulator. Nothing here reaches the internet: dependencies come from npm's local cache.
 * The optional better-sqlite3 is left out of that install (--omit=optional: building it from
 * source takes minutes here); the broadcast test copies in the one this repo's `npm ci` built.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let project: string;

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'tgr-pack-'));
  const out = run('npm', ['pack', '--silent', '--pack-destination', project], repo).trim().split('\n').pop()!;
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-save', '--omit=optional', path.join(project, out)], project);
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('installs into an empty project and runs the quickstart against the simulator', () => {
    writeFileSync(
      path.join(project, 'quickstart.mjs'),
      `import { createResilience, createBotApi, classify } from 'telegram-resilience';
import { startSimulator } from 'telegram-resilience/sim';
const sim = await startSimulator({ migratedGroups: { '-555': -100555 }, blockedUsers: [666] });
const resilience = createResilience({ throttle: true });
const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
const sent = await api.call('sendMessage', { chat_id: -555, text: 'hi' });
let kind;
try { await api.call('sendMessage', { chat_id: 666, text: 'x' }); } catch (e) { kind = classify(e).kind; }
console.log(JSON.stringify({ chat: sent.chat.id, kind, delivered: sim.ledger().length }));
await resilience.close();
await sim.close();
`,
    );
    const out = run('node', ['quickstart.mjs'], project);
    expect(JSON.parse(out.trim())).toEqual({ chat: -100555, kind: 'forbidden', delivered: 1 });
  });

  it('a throttled process exits by itself once its calls are done, and at close() with calls still queued', () => {
    writeFileSync(
      path.join(project, 'exits.mjs'),
      `import { createResilience } from 'telegram-resilience';
const resilience = createResilience({ throttle: true });
const send = (chat_id) => resilience.call(async () => chat_id, { method: 'sendMessage', params: { chat_id, text: 'x' } });
// Chat 7 twice: the second waits 1 s in the queue. Nothing is closed: the idle-chat sweeper (61 s)
// and the queue's timer must not keep the process alive once the last call is done.
const results = await Promise.all([send(7), send(8), send(7)]);
if (process.argv[2] === 'close') {
  const queued = [send(9), send(9), send(9)].map((p) => p.then(() => 'sent', (e) => e.message));
  await resilience.close();
  console.log(JSON.stringify({ results, queued: await Promise.all(queued) }));
} else {
  console.log(JSON.stringify({ results }));
}
`,
    );
    // The timeout (far under the 61 s idle TTL) is the assertion: a process kept alive fails it.
    const runExits = (...args: string[]) =>
      execFileSync('node', ['exits.mjs', ...args], { cwd: project, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(runExits().trim())).toEqual({ results: [7, 8, 7] });
    const closed = JSON.parse(runExits('close').trim()) as { results: number[]; queued: string[] };
    expect(closed.results).toEqual([7, 8, 7]);
    // The first to chat 9 may just make it (or wait for a bot-wide slot); the other two wait 1 s each.
    expect(['sent', 'telegram-resilience: the limiter was closed']).toContain(closed.queued[0]);
    expect(closed.queued.slice(1)).toEqual(['telegram-resilience: the limiter was closed', 'telegram-resilience: the limiter was closed']);
  });

  it("reports an unhandled rejection with the one-line process.on('unhandledRejection', ...) integration", () => {
    writeFileSync(
      path.join(project, 'unhandled.mjs'),
      `import { createBotApi, createErrorReporter } from 'telegram-resilience';
import { startSimulator } from 'telegram-resilience/sim';
const sim = await startSimulator();
const DEV = -100777;
const reporter = createErrorReporter({ api: createBotApi({ token: sim.token, apiRoot: sim.apiRoot }), token: sim.token, chatIds: DEV });
process.on('unhandledRejection', (reason) => reporter.report(reason));
for (let i = 0; i < 20; i++) Promise.reject(new Error(\`lost promise \${i} at \${sim.apiRoot}/bot\${sim.token}/getMe\`));
await new Promise((resolve) => setTimeout(resolve, 100));
if (process.argv[2] === 'close') await reporter.close();
else {
  // The first report is sent (a busy machine may take a while); the window's timer must not hold the process.
  for (let waited = 0; sim.deliveredTo(DEV).length === 0 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const texts = sim.deliveredTo(DEV).map((entry) => entry.text);
console.log(JSON.stringify({
  messages: texts.length,
  first: texts[0].includes('lost promise'),
  summary: texts.length > 1 && texts[1].includes('and 19 more in the last'),
  leaked: texts.some((text) => text.includes(sim.token.split(':')[1])),
}));
await sim.close();
`,
    );
    const runIt = (...args: string[]) =>
      JSON.parse(execFileSync('node', ['unhandled.mjs', ...args], { cwd: project, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim());
    expect(runIt('close')).toEqual({ messages: 2, first: true, summary: true, leaked: false });
    // Without close(): the process still exits by itself (the 60 s window timer is unref'd).
    expect(runIt()).toEqual({ messages: 1, first: true, summary: false, leaked: false });
  });

  it('type-checks a consumer that imports it (types ship with the package)', () => {
    writeFileSync(
      path.join(project, 'consumer.ts'),
      `import { createResilience, classify, type Failure } from 'telegram-resilience';
const r = createResilience({ floodSleepThreshold: 30 });
const f: Failure = classify(new Error('x'));
const k: 'unknown' | string = f.kind;
export const done: Promise<number> = r.call(async (attempt) => attempt.number, { method: 'getMe' });
void k;
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [path.join(repo, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run('node', [tsc, '-p', 'tsconfig.json'], project)).not.toThrow();
  });

  it('ships the MIT LICENSE, and no source map that points at files the tarball lacks', () => {
    const installed = path.join(project, 'node_modules', 'telegram-resilience');
    const license = readFileSync(path.join(installed, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the telegram-resilience authors\n/);
    const files = readdirSync(installed, { recursive: true, encoding: 'utf8' });
    const js = files.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(10);
    // The build emits no maps (src/ is not shipped, so a map could only point at missing files).
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(js.filter((f) => readFileSync(path.join(installed, f), 'utf8').includes('sourceMappingURL'))).toEqual([]);
  });

  it('the installed bin prints the package version for --version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    const bin = path.join(project, 'node_modules', '.bin', 'telegram-resilience');
    expect(run(bin, ['--version'], project)).toBe(`${version}\n`);
  });

  it('npx telegram-resilience broadcast: a clear message without better-sqlite3, and sends once it is there', async () => {
    const sim = await startSimulator({ blockedUsers: [666] });
    try {
      writeFileSync(path.join(project, 'chats.txt'), '1001\n666\n');
      const bin = path.join(project, 'node_modules', '.bin', 'telegram-resilience');
      const broadcast = () =>
        promisify(execFile)(bin, ['broadcast', '--chats', 'chats.txt', '--text', 'hi', '--api-root', sim.apiRoot, '--json'], {
          cwd: project,
          env: { ...process.env, TELEGRAM_BOT_TOKEN: sim.token },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
      const missing = await broadcast();
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('the SQLite journal needs the better-sqlite3 package (12.x)');
      expect(missing.stderr).toContain('npm install better-sqlite3@12');
      expect(sim.ledger()).toHaveLength(0);

      for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
        cpSync(path.join(repo, 'node_modules', name), path.join(project, 'node_modules', name), { recursive: true });
      }
      const sent = await broadcast();
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout.trim().split('\n').pop()!)).toMatchObject({ total: 2, sent: 1, blocked: [666] });
      expect(sim.deliveredTo(1001)).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });

  it('pulls in no SDK: the main entry reaches no package but p-retry', () => {
    const root = path.join(project, 'node_modules', 'telegram-resilience', 'dist');
    const bare = new Set<string>();
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
        else if (!spec.startsWith('node:')) bare.add(spec);
      }
    };
    walk(path.join(root, 'index.js'));
    walk(path.join(root, 'sim', 'index.js'));
    walk(path.join(root, 'broadcast', 'index.js')); // better-sqlite3 is loaded lazily, by createRequire
    expect(seen.size).toBeGreaterThan(10);
    for (const spec of bare) expect(['p-retry']).toContain(spec);
  });
});
