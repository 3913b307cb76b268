/**
 * The decision table: what the default policy does with each representative failure, and proof
 * that `explain` (which the table is made of) agrees with what `call` actually does.
 */
import { describe, expect, it } from 'vitest';
import { createResilience } from '../../src/engine/resilience.js';
import type { Action } from '../../src/core/call.js';
import { decisionTable, describeAction, FAULT_TABLE, renderMarkdownTable, renderTextTable, type FaultCase } from '../../src/engine/decision-table.js';
import type { ResilienceOptions } from '../../src/engine/options.js';
import { engine, scripted, seededRandom, settle } from '../policy/helpers.js';

/** What the default policy must do with each case: the design, written down independently of the code. */
const DEFAULT_ACTIONS: Record<string, Action> = {
  '429-5s': 'sleep',
  '429-1h': 'fail',
  '429-bare': 'sleep',
  '429-callback': 'fail',
  '400-migrate': 'rewrite',
  '400': 'fail',
  '401': 'fail',
  '403': 'fail',
  '404': 'fail',
  '409-getUpdates': 'fail',
  '409-other': 'fail',
  '502-send': 'fail',
  '502-get': 'backoff',
  '500-send': 'fail',
  '500-get': 'backoff',
  refused: 'backoff',
  'reset-send': 'fail',
  'reset-get': 'backoff',
  'reset-getUpdates': 'backoff',
  'timeout-send': 'fail',
  'timeout-get': 'backoff',
  'flood-wait': 'sleep',
  slowmode: 'sleep',
  'file-migrate': 'reroute',
  'user-migrate': 'reroute',
  'write-forbidden': 'fail',
  'auth-key-duplicated': 'fail',
  'rpc-call-fail-send': 'fail',
  'rpc-call-fail-get': 'backoff',
  'timedout-send': 'fail',
  'timedout-get': 'backoff',
  'user-error': 'fail',
};

describe('FAULT_TABLE under the default policy', () => {
  const rows = decisionTable(createResilience());

  it('covers every case once, in order', () => {
    expect(rows.map((r) => r.id)).toEqual(FAULT_TABLE.map((c) => c.id));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(Object.keys(DEFAULT_ACTIONS).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it.each(FAULT_TABLE.map((c) => c.id))('%s', (id) => {
    expect(rows.find((r) => r.id === id)!.action).toBe(DEFAULT_ACTIONS[id]);
  });

  it('carries the numbers: waits, DCs, the new chat id', () => {
    const byId = (id: string) => rows.find((r) => r.id === id)!;
    expect(byId('429-5s').delayMs).toBe(5_000);
    expect(byId('429-bare').delayMs).toBe(1_000);
    expect(byId('flood-wait').delayMs).toBe(30_000);
    expect(byId('slowmode').delayMs).toBe(10_000);
    expect(byId('file-migrate').dc).toBe(4);
    expect(byId('user-migrate').dc).toBe(2);
    expect(byId('400-migrate').chatId).toBe(-1001234567890);
    expect(byId('409-getUpdates').reason).toMatch(/another instance of this bot is polling/);
    expect(byId('reset-send')).toMatchObject({ kind: 'network', maybeDelivered: true });
    expect(byId('refused')).toMatchObject({ kind: 'network', maybeDelivered: false });
    expect(byId('429-callback').rule).toBe('answerCallbackQuery: answer in time or not at all');
  });

  it('depends on the policy it is given', () => {
    const lenient = decisionTable(createResilience({ allowDuplicates: true, floodSleepThreshold: 3600, maxTotalDelayMs: Number.POSITIVE_INFINITY }));
    expect(lenient.find((r) => r.id === 'reset-send')!.action).toBe('backoff');
    expect(lenient.find((r) => r.id === '429-1h')!.action).toBe('sleep');
  });
});

describe('explain agrees with what call does, for every case of FAULT_TABLE', () => {
  /** Runs the case through `call` (one failure, then success) and compares with `explain`. */
  async function compare(c: FaultCase, options: ResilienceOptions) {
    const { clock, resilience, retries, giveUps } = engine({ random: seededRandom(7), ...options });
    const explained = resilience.explain(c.error(), { method: c.method, ...(c.params && { params: c.params }) });
    const error = c.error();
    const { fn, attempts } = scripted([error], 'ok', clock);
    const outcome = await settle(clock, resilience, fn, { method: c.method, ...(c.params && { params: c.params }) });
    await resilience.close();

    if (explained.action === 'fail') {
      expect(outcome).toEqual({ ok: false, error });
      expect((outcome as { error: unknown }).error).toBe(error);
      expect(attempts).toHaveLength(1);
      expect(retries).toHaveLength(0);
      expect(giveUps).toHaveLength(1);
      expect(giveUps[0]!.reason).toBe(explained.reason);
      return;
    }
    expect(outcome).toEqual({ ok: true, value: 'ok' });
    expect(giveUps).toHaveLength(0);
    expect(attempts).toHaveLength(2);
    const retry = retries[0]!;
    expect(retry.action).toBe(explained.action);
    expect(retry.failure.kind).toBe(explained.failure.kind);
    switch (explained.action) {
      case 'sleep':
        expect(retry.delayMs).toBe(explained.delayMs);
        expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(explained.delayMs!);
        break;
      case 'backoff':
        // explain reports the top of the jitter window; the real delay is somewhere in it.
        expect(retry.delayMs).toBeGreaterThanOrEqual(0);
        expect(retry.delayMs).toBeLessThanOrEqual(explained.delayMs!);
        break;
      case 'reroute':
        expect(attempts[1]!.dc).toBe(explained.dc);
        break;
      case 'rewrite':
        expect(attempts[1]!.params?.chat_id).toBe(explained.chatId);
        break;
    }
  }

  const policies: [string, ResilienceOptions][] = [
    ['the default policy', {}],
    ['no built-in rules', { builtinRules: false }],
    ['a lenient policy', { allowDuplicates: true, floodSleepThreshold: 3600, baseDelayMs: 50 }],
    ['a strict policy', { maxAttempts: 1, floodSleepThreshold: 5, maxDcHops: 0, maxChatMigrations: 0 }],
    ['user rules', { rules: [{ match: 'send*', idempotent: true }, { match: /^messages\./, floodSleepThreshold: 10 }] }],
    ['throttling on', { throttle: true }],
  ];

  for (const [name, options] of policies) {
    it.each(FAULT_TABLE.map((c) => [c.id, c] as const))(`${name}: %s`, async (_id, c) => {
      await compare(c, options);
    });
  }
});

describe('rendering', () => {
  const rows = decisionTable(createResilience());

  it('describes each action in words', () => {
    expect(describeAction({ action: 'sleep', delayMs: 5000 })).toBe('sleep 5s, then retry');
    expect(describeAction({ action: 'backoff', delayMs: 500 })).toBe('back off (up to 500 ms), then retry');
    expect(describeAction({ action: 'reroute', dc: 4 })).toBe('retry on DC 4');
    expect(describeAction({ action: 'rewrite', chatId: -100123 })).toBe('retry in chat -100123');
    expect(describeAction({ action: 'fail' })).toBe('fail');
  });

  it('renders a Markdown table: a header, a separator, one line per case, with pipes and * escaped', () => {
    const lines = renderMarkdownTable(rows).trimEnd().split('\n');
    expect(lines[0]).toBe('| Failure | Method | Seen as | Action | Rule | Why |');
    expect(lines[1]).toBe('|---|---|---|---|---|---|');
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[2]).toBe(
      '| Bot API 429, retry_after 5 | `sendMessage` | flood | sleep 5s, then retry | send\\*, forward\\*, copy\\* create messages | Telegram asked to wait 5s |',
    );
    const custom = renderMarkdownTable([{ ...rows[0]!, reason: 'a | b', rule: undefined }]);
    expect(custom).toContain('| - | a \\| b |');
  });

  it('renders an aligned text table', () => {
    const lines = renderTextTable(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[0]).toMatch(/^Failure +Method +Seen as +Action +Rule +Why$/);
    const actionColumn = lines[0]!.indexOf('Action');
    for (const line of lines.slice(2)) expect(line.slice(actionColumn)).toMatch(/^(sleep|back off|retry|fail)/);
  });
});
