/**
 * `telegram-resilience broadcast`: checks the input, checks that the Bot API answers and accepts the
 * token, then runs `broadcast()` with a progress view and prints the report. Exit codes: 0 every
 * recipient reached (sent, skipped or blocked), 3 some failed or are uncertain, 2 bad usage or
 * input, 1 could not run, 130 interrupted.
 */
import { existsSync } from 'node:fs';
import { createBotApi, type BotApi } from '../../botapi/index.js';
import { broadcast, isJournalMismatchError, type BroadcastReport } from '../../broadcast/index.js';
import { createResilience } from '../../engine/resilience.js';
import type { ResilienceOptionsFromFile } from '../../engine/policy-file.js';
import { UsageError, type CliIo } from '../args.js';
import { writeLines } from '../command.js';
import { countChats, readChats } from './chats-file.js';
import { preflight } from './preflight.js';
import { ProgressView } from './progress.js';
import { renderReport } from './report-text.js';

export interface BroadcastCliOptions {
  chats: string;
  text: string;
  parseMode: string | undefined;
  apiRoot: string | undefined;
  journal: string;
  paid: boolean;
  resendUncertain: boolean;
  retryFailed: boolean;
  json: boolean;
  policy: ResilienceOptionsFromFile;
  token: string;
}

/** After Ctrl-C, requests in flight get this long; the report is out well within 3 s. */
const STOP_GRACE_MS = 1_500;

export async function runBroadcastCli(options: BroadcastCliOptions, io: CliIo): Promise<number> {
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const resilience = createResilience({ throttle: true, ...options.policy });
  let api: BotApi;
  try {
    api = createBotApi({ token: options.token, apiRoot, resilience });
  } catch (error) {
    await resilience.close();
    throw new UsageError(error instanceof Error ? error.message.replace(/^createBotApi: option `(\w+)`/, (_, n: string) => `--${n === 'apiRoot' ? 'api-root' : n}`) : String(error));
  }
  try {
    const unreachable = await preflight(api, apiRoot);
    if (unreachable) {
      io.stderr.write(`telegram-resilience broadcast: ${unreachable}\n`);
      return 1;
    }
    const fromStdin = options.chats === '-';
    const total = fromStdin ? undefined : await countChats(options.chats);
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const view = new ProgressView(io.stderr, tty, total);
    const badLines: number[] = [];
    const recipients = readChats(fromStdin ? process.stdin : options.chats, (bad) => {
      badLines.push(bad.line);
      view.finish();
      io.stderr.write(`${options.chats === '-' ? 'stdin' : options.chats}:${bad.line}: not a chat id (a number or @username): ${JSON.stringify(bad.text)}; skipped\n`);
    });
    const params: Record<string, unknown> = { text: options.text };
    if (options.parseMode !== undefined) params.parse_mode = options.parseMode;
    let report: BroadcastReport;
    try {
      report = await broadcast({
        api,
        resilience,
        recipients,
        message: { method: 'sendMessage', params },
        journal: options.journal,
        paid: options.paid,
        resendUncertain: options.resendUncertain,
        retryFailed: options.retryFailed,
        onProgress: (p) => view.update(p),
        stopGraceMs: STOP_GRACE_MS,
        ...(io.signal && { signal: io.signal }),
      });
    } catch (error) {
      view.finish();
      if (isJournalMismatchError(error)) {
        io.stderr.write(
          `telegram-resilience broadcast: the journal ${options.journal} was made for another message (another --text or --parse-mode). ` +
            'Nothing was sent. To send this message, pass --journal with a new file.\n',
        );
        return 2;
      }
      throw error;
    }
    view.finish();
    const interrupted = io.signal?.aborted === true;
    const notReached = interrupted ? (total === undefined ? 0 : Math.max(0, total - report.total)) : undefined;
    const human = renderReport(report, options.journal, notReached);
    if (badLines.length > 0) human.push(`Skipped ${badLines.length} bad line${badLines.length === 1 ? '' : 's'} of the chats file (line ${badLines.slice(0, 10).join(', ')}${badLines.length > 10 ? ', ...' : ''}).`);
    writeLines(options.json ? io.stderr : io.stdout, human);
    if (options.json) io.stdout.write(JSON.stringify(report) + '\n');
    if (interrupted) return 130;
    return report.failed.length > 0 || report.uncertain.length > 0 ? 3 : 0;
  } finally {
    await resilience.close();
  }
}

/** The journal beside the chats file, so that a rerun resumes even without `--journal`. */
export function defaultJournalPath(chats: string): string {
  if (chats === '-') throw new UsageError('reading chats from stdin (--chats -) needs --journal FILE, so that a rerun can resume');
  return `${chats}.journal.sqlite`;
}

export function checkChatsFile(chats: string): void {
  if (chats !== '-' && !existsSync(chats)) throw new UsageError(`--chats: no such file: ${chats}`);
}
