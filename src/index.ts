/**
 * telegram-resilience: make any Telegram API call survive what Telegram throws at it.
 */
export { classify, parseMtprotoName } from './errors/classify.js';
export type { Failure, FailureKind } from './errors/failure.js';
export { FAILURE_KINDS } from './errors/failure.js';
export {
  TelegramError,
  RetryAfter,
  ChatMigrated,
  NetworkError,
  TimedOut,
  BadRequest,
  Forbidden,
  InvalidToken,
  Conflict,
  InvalidServerResponse,
  isTelegramError,
} from './errors/telegram-error.js';
export type { ResponseParameters, TelegramErrorFields } from './errors/telegram-error.js';

export { createResilience } from './engine/resilience.js';
export type { Resilience, Explanation, DerivedOptions } from './engine/resilience.js';
export { systemClock, createManualClock } from './core/clock.js';
export type { Clock, ManualClock } from './core/clock.js';
export { createMemoryChatIdStore } from './core/chat-id-store.js';
export type { ChatIdStore } from './core/chat-id-store.js';
export type { Action, Attempt, AttemptFn, CallInfo, CallParams } from './core/call.js';
export type { BackendEvent, ChatMigrateEvent, DcMigrateEvent, FloodWaitEvent, GiveUpEvent, ResilienceEvents, RetryEvent } from './engine/types.js';
export type { Disposer, Listener } from './core/events.js';

export type { PolicyOptions, ResolvedPolicy } from './policy/options.js';
export type { ResilienceOptions } from './engine/options.js';
export { DEFAULT_POLICY } from './policy/defaults.js';
export type { CallBudget, Decision } from './policy/decide.js';
export { isIdempotentMethod, NON_IDEMPOTENT_PREFIXES, NON_IDEMPOTENT_METHODS } from './policy/idempotency.js';

export { createBotApi } from './botapi/index.js';
export type { BotApi, BotApiOptions } from './botapi/index.js';

export type { ThrottleOptions } from './limits/throttle-options.js';
export { TELEGRAM_LIMITS } from './limits/throttle-options.js';
export type { LimitsBackend, BackendContext, ReserveRequest } from './limits/backend.js';
export { BackendUnavailableError, isBackendUnavailableError } from './errors/backend-unavailable-error.js';
export { ClosedError, isClosedError } from './errors/closed-error.js';
export { isPacedMethod } from './limits/paced-methods.js';
export type { Rule, RuleMatch } from './policy/rules.js';
export { BUILTIN_RULES } from './policy/builtin-rules.js';

export { loadPolicy, parsePolicy } from './engine/policy-file.js';
export { PolicyFileError, isPolicyFileError } from './policy/policy-file-error.js';
export { FAULT_TABLE, decisionTable, renderMarkdownTable } from './engine/decision-table.js';
export type { ResilienceOptionsFromFile, RuleFromFile } from './engine/policy-file.js';
export type { PolicyProblem } from './policy/policy-file-error.js';
export type { DecisionRow, FaultCase } from './engine/decision-table.js';

export { createErrorReporter, REPORTER_WARNING_CODE } from './reporter/index.js';
export type {
  ErrorReporter,
  ErrorReporterOptions,
  ReportContext,
  ReportInclude,
  ReportSend,
  ReportSendExtra,
  ReporterCallApi,
  ReporterSendMessageApi,
  ChatId as ReporterChatId,
} from './reporter/index.js';
