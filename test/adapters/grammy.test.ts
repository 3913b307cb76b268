import { Readable } from 'node:stream';
import { AbortController as PolyfillAbortController } from 'abort-controller';
import { Bot, GrammyError, HttpError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { grammyTransformer } from '../../src/adapters/grammy.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { drive, rejectionOf, runBotApiScenarios, START, USER } from './bot-api-scenarios.js';

runBotApiScenarios('grammY', ({ sim, resilience }) => {
  const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
  bot.api.config.use(grammyTransformer(resilience));
  return {
    sendMessage: (chatId, text) => bot.api.sendMessage(chatId, text),
    getChat: (chatId) => bot.api.getChat(chatId),
    errors: { api: GrammyError, badGateway: HttpError, reset: HttpError },
    errorCode: (error) => (error as GrammyError).error_code,
    retryAfter: (error) => (error as GrammyError).parameters.retry_after,
    undo: () => {},
  };
});

// An engine from another copy of the package, which may not read AttemptOutcome: the transformer
// then checks Telegram's answers itself. The same scenarios hold.
const ATTEMPT_OUTCOME = Symbol.for('telegram-resilience.attemptOutcome');
runBotApiScenarios("grammY, with another copy's engine", ({ sim, resilience }) => {
  const unmarked = new Proxy(resilience, { get: (target, key) => (key === ATTEMPT_OUTCOME ? undefined : Reflect.get(target, key)) });
  expect((resilience as unknown as Record<symbol, unknown>)[ATTEMPT_OUTCOME]).toBe(true);
  const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
  bot.api.config.use(grammyTransformer(unmarked));
  return {
    sendMessage: (chatId, text) => bot.api.sendMessage(chatId, text),
    getChat: (chatId) => bot.api.getChat(chatId),
    errors: { api: GrammyError, badGateway: HttpError, reset: HttpError },
    errorCode: (error) => (error as GrammyError).error_code,
    retryAfter: (error) => (error as GrammyError).parameters.retry_after,
    undo: () => {},
  };
});

describe('grammyTransformer', () => {
  let sim: Simulator;
  let clock: ManualClock;
  let resilience: Resilience;
  let bot: Bot;

  beforeEach(async () => {
    clock = createManualClock(START);
    sim = await startSimulator({ clock, limits: false });
    resilience = createResilience({ clock, random: () => 0.5 });
    bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    bot.api.config.use(grammyTransformer(resilience));
  });

  afterEach(async () => {
    await resilience.close();
    await sim.close();
  });

  it("passes grammY's abort signal: aborting during a flood wait rejects at once, nothing is resent", async () => {
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 30 });
    const controller = new AbortController();
    // grammY types its signal with the abort-controller polyfill's AbortSignal; at run time it is the same thing.
    const call = bot.api.sendMessage(USER, 'never', undefined, controller.signal as Parameters<typeof bot.api.sendMessage>[3]);
    call.catch(() => {});
    // Wait (in real time) until the engine sleeps on the flood wait, then abort.
    for (let i = 0; i < 500 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(clock.now()).toBe(START);
    expect(sim.requests({ method: 'sendMessage' })).toHaveLength(1);
    expect(sim.ledger()).toEqual([]);
  });

  it("works with grammY's own polyfilled signals (abort-controller, used for its getUpdates)", async () => {
    const controller = new PolyfillAbortController();
    const signal = controller.signal as Parameters<typeof bot.api.getChat>[1];
    expect((await drive(clock, bot.api.getChat(USER, signal))).id).toBe(USER);
    sim.queueFault('429', { method: 'getChat', retryAfter: 30 });
    const call = bot.api.getChat(USER, signal);
    call.catch(() => {});
    for (let i = 0; i < 500 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.now()).toBe(START);
    expect(sim.requests({ method: 'getChat' })).toHaveLength(2);
  });

  it('an upload from a stream gets one attempt only (a second would re-read a spent stream)', async () => {
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    const file = new InputFile(Readable.from([Buffer.from('bytes')]), 'a.txt');
    const error = await rejectionOf(clock, bot.api.sendDocument(USER, file));
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(429);
    expect(sim.requests({ method: 'sendDocument' })).toHaveLength(1);
    // A buffer can be sent again: the same fault is slept through and retried.
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    await drive(clock, bot.api.sendDocument(USER, new InputFile(Buffer.from('bytes'), 'b.txt')));
    expect(sim.requests({ method: 'sendDocument' }).map((r) => r.outcome)).toEqual(['429', '429', 'ok']);
  });

  it('a call that succeeds at once goes through unchanged, other transformers still see the result', async () => {
    const seen: string[] = [];
    bot.api.config.use(async (prev, method, payload, signal) => {
      seen.push(method);
      return prev(method, payload, signal);
    });
    const me = await bot.api.getMe();
    expect(me.is_bot).toBe(true);
    expect(seen).toEqual(['getMe']);
    expect(sim.requests()).toHaveLength(1);
  });

  it('rejects something that is not a resilience', () => {
    expect(() => grammyTransformer({} as Resilience)).toThrow(TypeError);
  });
});
