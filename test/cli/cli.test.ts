/** The CLI's commands, run in-process through `runCli` with captured output. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/run.js';
import { createResilience } from '../../src/engine/resilience.js';
import { decisionTable, renderMarkdownTable, renderTextTable } from '../../src/engine/decision-table.js';
import { cli } from './helpers.js';

let dir: string;
let good: string;
let bad: string;
let strict: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  good = join(dir, 'good.json');
  bad = join(dir, 'bad.json');
  strict = join(dir, 'strict.json');
  await writeFile(good, '{\n  "maxAttempts": 3,\n  "floodSleepThreshold": 120,\n  "rules": [ { "match": "send*", "maxAttempts": 2 } ]\n}\n');
  await writeFile(bad, '{\n  "maxAttempts": 0,\n  "rules": [\n    { "match": "send*", "flodSleepThreshold": 5 }\n  ]\n}\n');
  await writeFile(strict, '{ "floodSleepThreshold": 10, "builtinRules": false }');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help and usage errors', () => {
  it('--help lists every command (exit 0); no command prints it to stderr (exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command.name} `);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: telegram-resilience <command>');
  });

  it.each(['demo', 'explain', 'check-policy', 'table', 'sim'])('%s --help prints its usage', async (name) => {
    const result = await cli([name, '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: telegram-resilience ${name}`));
    expect((await cli(['help', name])).stdout).toBe(result.stdout);
  });

  it('an unknown command, an unknown option, a missing value: exit 2 with a message', async () => {
    expect(await cli(['deploy'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "deploy"') });
    expect(await cli(['table', '--polcy', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --polcy') });
    expect(await cli(['explain', '--error'])).toMatchObject({ code: 2, stderr: expect.stringContaining('option --error needs a value') });
    expect(await cli(['demo', '--chats', 'many'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--chats must be a whole number') });
    expect(await cli(['table', '--markdown', '--markdown'])).toMatchObject({ code: 2, stderr: expect.stringContaining('given twice') });
  });

  it('options may be written --name=value, and -- ends the options', async () => {
    expect((await cli(['table', `--policy=${strict}`, '--markdown'])).stdout).toBe((await cli(['table', '--policy', strict, '--markdown'])).stdout);
    expect((await cli(['check-policy', '--', good])).code).toBe(0);
    expect(await cli(['table', '--markdown=yes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--markdown takes no value') });
    expect(await cli(['check-policy', good, 'extra'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected <FILE>') });
  });

  it('--version prints the package.json version (exit 0); extra arguments are a usage error', async () => {
    const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    expect(await cli(['--version', 'demo'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--version takes no arguments') });
    expect((await cli(['--help'])).stdout).toContain("'telegram-resilience --version'");
  });

  it('the executable is a node script that only calls runCli', () => {
    const source = readFileSync(fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url)), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(source).toContain('runCli(process.argv.slice(2)');
    expect(source).toContain('process.exitCode = code');
  });
});

describe('check-policy', () => {
  it('a valid file: OK, exit 0', async () => {
    expect(await cli(['check-policy', good])).toEqual({ code: 0, stdout: `OK: ${good} (2 options, 1 rule)\n`, stderr: '' });
  });

  it('an invalid file: every problem with file:line:column, exit 1', async () => {
    const result = await cli(['check-policy', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `${bad}:2:3: maxAttempts must be an integer >= 1 (or Infinity), got 0`,
      `${bad}:4:25: unknown key rules[0].flodSleepThreshold (did you mean "floodSleepThreshold"?)`,
      `${bad}: 2 problems`,
      '',
    ]);
  });

  it('a missing file: exit 1; no file named: exit 2', async () => {
    const missing = join(dir, 'nope.json');
    expect(await cli(['check-policy', missing])).toMatchObject({ code: 1, stderr: expect.stringContaining(`${missing}: cannot read the policy file (no such file)`) });
    expect((await cli(['check-policy'])).code).toBe(2);
  });
});

describe('explain', () => {
  it('a Bot API 429 on sendMessage: sleep retry_after', async () => {
    const result = await cli(['explain', '--method', 'sendMessage', '--error', '{"ok":false,"error_code":429,"parameters":{"retry_after":5}}']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'method   sendMessage',
      'failure  flood, code 429, wait 5s, surely not delivered',
      'action   sleep 5s, then retry',
      'reason   Telegram asked to wait 5s',
      'rule     send*, forward*, copy* create messages',
      '',
    ]);
  });

  it('an MTProto FLOOD_WAIT_30: sleeps under the defaults, fails under a policy with a 10 s threshold', async () => {
    const error = '{"code":420,"message":"FLOOD_WAIT_30"}';
    expect((await cli(['explain', '--error', error])).stdout).toContain('action   sleep 30s, then retry');
    const strictResult = await cli(['explain', '--policy', strict, '--error', error]);
    expect(strictResult.stdout).toContain('action   fail\n');
    expect(strictResult.stdout).toContain('reason   flood wait of 30s is over floodSleepThreshold (10s)');
  });

  it('idempotency decides after ECONNRESET, and --idempotent overrides it', async () => {
    const error = '{"code":"ECONNRESET"}';
    expect((await cli(['explain', '--method', 'sendMessage', '--error', error])).stdout).toContain('action   fail');
    expect((await cli(['explain', '--method', 'getChat', '--error', error])).stdout).toContain('action   back off (up to 500 ms), then retry');
    expect((await cli(['explain', '--method', 'sendMessage', '--idempotent', '--error', error])).stdout).toContain('action   back off');
  });

  it('a chat migration is rewritten when --params names the chat, with a hint when not', async () => {
    const error = '{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}';
    const withParams = await cli(['explain', '--method', 'sendMessage', '--params', '{"chat_id":-42}', '--error', error]);
    expect(withParams.stdout).toContain('action   retry in chat -1009');
    const without = await cli(['explain', '--method', 'sendMessage', '--error', error]);
    expect(without.stdout).toContain('action   fail');
    expect(without.stdout).toContain('note     pass --params');
  });

  it('--json prints the explanation as JSON, without the raw error', async () => {
    const result = await cli(['explain', '--json', '--method', 'upload.getFile', '--error', '{"code":303,"message":"FILE_MIGRATE_4"}']);
    expect(JSON.parse(result.stdout)).toEqual({
      method: 'upload.getFile',
      action: 'reroute',
      dc: 4,
      reason: 'FILE_MIGRATE_4: repeat on DC 4',
      failure: { kind: 'dc_migrate', code: 303, type: 'FILE_MIGRATE_4', dc: 4, description: 'FILE_MIGRATE_4', maybeDelivered: false },
    });
  });

  it('usage errors: no --error, --error not JSON, --params not an object', async () => {
    expect(await cli(['explain', '--method', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--error is required') });
    expect(await cli(['explain', '--error', '{oops'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--error must be JSON') });
    expect(await cli(['explain', '--error', '{}', '--params', '[1]'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--params must be a JSON object') });
  });

  it('an invalid --policy file: its problems, exit 1', async () => {
    const result = await cli(['explain', '--policy', bad, '--error', '{}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:2:3: maxAttempts must be`);
  });
});

describe('table', () => {
  it('--markdown prints exactly the default policy\'s Markdown table', async () => {
    const result = await cli(['table', '--markdown']);
    expect(result).toEqual({ code: 0, stdout: renderMarkdownTable(decisionTable(createResilience())), stderr: '' });
  });

  it('without --markdown: the aligned text table', async () => {
    expect((await cli(['table'])).stdout).toBe(renderTextTable(decisionTable(createResilience())));
  });

  it('--policy changes the table', async () => {
    const result = await cli(['table', '--markdown', '--policy', strict]);
    expect(result.stdout).toBe(renderMarkdownTable(decisionTable(createResilience({ floodSleepThreshold: 10, builtinRules: false }))));
    expect(result.stdout).not.toBe((await cli(['table', '--markdown'])).stdout);
    expect(result.stdout).toContain('| MTProto 420 FLOOD_WAIT_30 | `messages.sendMessage` | flood | fail |');
  });
});

describe('sim', () => {
  it('serves the Bot API until the signal aborts, printing apiRoot and token', async () => {
    const stop = new AbortController();
    let ready!: (text: string) => void;
    const started = new Promise<string>((resolve) => (ready = resolve));
    const run = cli(['sim', '--port', '0'], stop.signal, (out) => {
      if (out.includes('Press Ctrl-C')) ready(out);
    });
    const banner = await started;
    const apiRoot = /apiRoot +(\S+)/.exec(banner)![1]!;
    const token = /token +(\S+)/.exec(banner)![1]!;
    expect(apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = (await (await fetch(`${apiRoot}/bot${token}/getMe`, { method: 'POST' })).json()) as { ok: boolean; result: { is_bot: boolean } };
    expect(me).toMatchObject({ ok: true, result: { is_bot: true } });
    stop.abort();
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Stopped after 1 request (0 messages delivered).');
    await expect(fetch(`${apiRoot}/bot${token}/getMe`, { method: 'POST' })).rejects.toThrow();
  });

  /** Starts `sim` with `args`, runs `body` with its apiRoot and token, stops it; returns the result. */
  async function withSim(args: string[], body: (apiRoot: string, token: string, banner: string) => Promise<void>) {
    const stop = new AbortController();
    let ready!: (text: string) => void;
    const started = new Promise<string>((resolve) => (ready = resolve));
    const run = cli(['sim', '--port', '0', ...args], stop.signal, (out) => {
      if (out.includes('Press Ctrl-C')) ready(out);
    });
    const banner = await Promise.race([started, run.then((r) => Promise.reject(new Error(r.stderr)))]);
    try {
      await body(/apiRoot +(\S+)/.exec(banner)![1]!, /token +(\S+)/.exec(banner)![1]!, banner);
    } finally {
      stop.abort();
    }
    return run;
  }

  const send = async (apiRoot: string, token: string, chatId: number) =>
    (await (await fetch(`${apiRoot}/bot${token}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: chatId, text: 'x' }) })).json()) as any;

  it('--faults migrations: a named profile applies; the control API answers on the same port', async () => {
    const result = await withSim(['--faults', 'migrations'], async (apiRoot, token, banner) => {
      expect(banner).toContain('faults   migrations');
      expect((await send(apiRoot, token, -42)).parameters).toEqual({ migrate_to_chat_id: -1000000000042 });
      const ledger = (await (await fetch(`${apiRoot}/sim/ledger`)).json()) as any;
      expect(ledger).toEqual({ ok: true, result: [] });
    });
    expect(result.code).toBe(0);
  });

  it('--faults FILE: a JSON fault file over a profile, with --seed and --strict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tgr-faults-'));
    const file = join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ profile: 'flaky', schedule: { rate: 1, kinds: ['500'], methods: ['getMe'] }, queue: [{ kind: '429', retryAfter: 7 }], blockedUsers: [66] }));
    try {
      const result = await withSim(['--faults', file, '--seed', '9', '--strict'], async (apiRoot, token, banner) => {
        expect(banner).toContain('(seed 9), strict limits');
        expect((await send(apiRoot, token, 1)).parameters).toEqual({ retry_after: 7 });
        expect((await send(apiRoot, token, 66)).error_code).toBe(403);
        expect((await fetch(`${apiRoot}/bot${token}/getMe`)).status).toBe(500);
        expect((await send(apiRoot, token, 1)).ok).toBe(true);
        // --strict: no burst, so the second message to chat 1 within a second is refused.
        expect((await send(apiRoot, token, 1)).error_code).toBe(429);
      });
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad fault file, an unknown profile and --seed without --faults, naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tgr-faults-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ schedule: { rate: 0.1 }, hangMS: 5 }));
    try {
      const bad = await cli(['sim', '--port', '0', '--faults', file]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${file}: unknown option \`hangMS\` (did you mean \`hangMs\`?)`);
      const unknown = await cli(['sim', '--port', '0', '--faults', 'flakey']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/"flakey" is neither a profile \(flaky, flood, slow, migrations, chaos\) nor a readable file/);
      expect(await cli(['sim', '--seed', '3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed needs --faults') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a port out of range', async () => {
    expect(await cli(['sim', '--port', '70000'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--port must be a whole number from 0 to 65535') });
  });
});
