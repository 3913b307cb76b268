/** The error reporter for the developers' chat: `createErrorReporter({ send | api, chatIds })`. */
export { createErrorReporter } from './reporter.js';
export type { ErrorReporter } from './reporter.js';
export type { ReportContext } from './format.js';
export type {
  ChatId,
  ErrorReporterOptions,
  ReportInclude,
  ReportSend,
  ReportSendExtra,
  ReporterCallApi,
  ReporterSendMessageApi,
} from './options.js';
export { REPORTER_WARNING_CODE } from './delivery.js';
