/**
 * `telegram-resilience/grammy`: a grammY API transformer that runs every Bot API call through the
 * resilience engine.
 *
 * @example
 * import { Bot } from 'grammy';
 * import { createResilience } from 'telegram-resilience';
 * import { grammyTransformer } from 'telegram-resilience/grammy';
 *
 * const bot = new Bot(process.env.BOT_TOKEN!);
 * bot.api.config.use(grammyTransformer(createResilience()));
 *
 * A grammY transformer does not throw on Telegram's errors: it returns `{ ok: false, ... }` and
 * grammY turns that into a `GrammyError` afterwards. So, inside each attempt, a failed answer is
 * thrown (for the engine to classify and act on), and when the engine gives up the last failed
 * answer is RETURNED, so the user gets grammY's own `GrammyError` as without this package.
 * Network failures (`HttpError`) are rethrown as they are, with the token hidden in them.
 */
import type { Transformer } from 'grammy';
import type { Resilience } from '../engine/resilience.js';
import { ATTEMPT_OUTCOME, type AdapterCallInfo, type AttemptOutcome, type CallParams } from '../core/call.js';
import { checkOptions } from '../core/check-options.js';
import { nonEmptyString, type Check } from '../core/checks.js';
import { hideToken, tokenSpellings } from '../errors/scrub-token.js';
import { engineFor, nothingToRelease, usableSignal, type UsableSignal } from './bot-api-common.js';

/** Options of `grammyTransformer`. */
export interface GrammyTransformerOptions {
  /**
   * The bot token, so it can be hidden in the errors grammY throws (node-fetch puts the request URL,
   * token included, into its messages). Optional: token-shaped text is hidden anyway; pass it when
   * your token does not look like `123456:AA...` (e.g. a local Bot API server with custom tokens).
   */
  token?: string;
}

/** Telegram's `{ ok: false }` answer, as grammY's `prev` returns it. */
export interface FailedAnswer {
  ok: false;
  error_code: number;
  description: string;
  parameters?: Record<string, unknown>;
}

/**
 * A failed answer, thrown inside an attempt so the engine sees it. It carries Telegram's fields as
 * they came (`ok: false`, `error_code`, `description`, `parameters`), which is how `classify`
 * recognizes a Bot API error. It never reaches your code as a rejection (the answer itself is
 * returned to grammY, which throws a `GrammyError`), but it is the `failure.cause` and the `error`
 * of the engine's events for such calls.
 */
export class FailedAnswerError extends Error {
  override name = 'FailedAnswerError';
  readonly ok = false;
  readonly error_code: number;
  readonly description: string;
  readonly parameters: Record<string, unknown> | undefined;

  constructor(
    readonly method: string,
    readonly answer: FailedAnswer,
  ) {
    super(`Call to '${method}' failed! (${answer.error_code}: ${answer.description})`);
    this.error_code = answer.error_code;
    this.description = answer.description;
    this.parameters = answer.parameters;
  }
}

const OPTION_CHECKS = { token: nonEmptyString } satisfies Record<keyof GrammyTransformerOptions, Check>;

/** The engine gave up on Telegram's answer: hand it back, grammY makes it a GrammyError. */
function answerOfGiveUp(error: unknown): unknown {
  if (error instanceof FailedAnswerError) return error.answer;
  throw error;
}

function isFailedAnswer(value: unknown): value is FailedAnswer {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/**
 * A grammY transformer: `bot.api.config.use(grammyTransformer(resilience))`. Each call gets the
 * Bot API method name as `info.method` (so idempotency rules and pacing apply), its payload as
 * `info.params` (chat ids are rewritten after a group became a supergroup) and grammY's abort signal.
 *
 * Use it instead of `@grammyjs/auto-retry` and `@grammyjs/transformer-throttler`, not with them:
 * stacked, their retries multiply with the engine's and calls are throttled twice.
 */
export function grammyTransformer(resilience: Resilience, options: GrammyTransformerOptions = {}): Transformer {
  if (typeof resilience?.call !== 'function') {
    throw new TypeError('grammyTransformer: the first argument must be a resilience from createResilience()');
  }
  const { token } = checkOptions('grammyTransformer', options, OPTION_CHECKS, { secrets: ['token'], spellings: tokenSpellings }) as GrammyTransformerOptions;
  const hide = (error: unknown): never => {
    throw hideToken(error, token);
  };
  // What the engine reads of each attempt: a `{ ok: false }` answer is a failure, prev's own errors
  // have the token hidden, and when it gives up the failed answer is handed back.
  const outcome: AttemptOutcome = {
    failureIn: (answer, method) => (isFailedAnswer(answer) ? new FailedAnswerError(method ?? '', answer) : undefined),
    errorOf: (error) => hideToken(error, token),
    onGiveUp: answerOfGiveUp,
  };
  const readsOutcomes = (resilience as { [ATTEMPT_OUTCOME]?: unknown })[ATTEMPT_OUTCOME] === true;
  // Not async functions: on the success path (most calls) each await and each async frame is a
  // cost of its own. With an engine that reads outcomes, a call is the engine's promise and one
  // reaction; with another copy's engine, answers are checked here, in two more.
  const transformer = (
    prev: (method: string, payload: unknown, signal?: AbortSignal) => Promise<unknown>,
    method: string,
    payload: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> => {
    let usable: UsableSignal;
    let result: Promise<unknown>;
    try {
      const params = typeof payload === 'object' && payload !== null ? (payload as CallParams) : undefined;
      usable = usableSignal(signal);
      const engine = engineFor(resilience, params);
      if (readsOutcomes) {
        const info: AdapterCallInfo = { method, params, signal: usable.signal, [ATTEMPT_OUTCOME]: outcome };
        result = engine.call((attempt) => prev(method, attempt.params ?? payload, usable.signal && attempt.signal), info);
      } else {
        const checked = (answer: unknown): unknown => {
          if (isFailedAnswer(answer)) throw new FailedAnswerError(method, answer);
          return answer;
        };
        result = engine
          .call((attempt) => {
            let sent: Promise<unknown>;
            try {
              // A call without a signal passes none on (its attempt.signal would be made only to be ignored).
              sent = Promise.resolve(prev(method, attempt.params ?? payload, usable.signal && attempt.signal));
            } catch (error) {
              return hide(error);
            }
            return sent.then(checked, hide);
          }, { method, params, signal: usable.signal })
          .then(undefined, answerOfGiveUp);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const release = usable.release;
    return release === nothingToRelease ? result : result.finally(release);
  };
  return transformer as unknown as Transformer;
}
