/** `broadcast`: one message to every chat of a file, with a journal; `broadcast status`: what a journal holds. */
import { existsSync } from 'node:fs';
import { openJournal } from '../../broadcast/index.js';
import { positionals, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { policyFromArgs, writeLines, type Command } from '../command.js';
import { checkChatsFile, defaultJournalPath, runBroadcastCli } from '../broadcast/run-broadcast.js';
import { renderSummary } from '../broadcast/report-text.js';
import { runCampaign } from '../broadcast/campaign-args.js';

const PARSE_MODES = ['HTML', 'MarkdownV2'];
/** Telegram's limit on a message's text, in characters. */
const MAX_TEXT = 4096;

const required = (args: ParsedArgs, name: string): string => {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

export const broadcastCommand: Command = {
  name: 'broadcast',
  summary: 'send one message to every chat in a file, resumable after a crash (and `broadcast status`)',
  usage: `Usage: telegram-resilience broadcast --chats FILE --text TEXT [options]
       telegram-resilience broadcast --chats FILE --text TEXT --redis URL --campaign NAME [options]
       telegram-resilience broadcast status --journal FILE [--json]

Sends TEXT to every chat id in FILE through the Bot API, at the speed Telegram's limits allow,
and records each recipient in a journal (a SQLite file) before its request leaves. Killed or
interrupted, the same command resumes: nobody gets the message twice, and nobody is skipped
silently. The bot token is read from TELEGRAM_BOT_TOKEN.

Options:
  --chats FILE         one chat id or @username a line (# comments, blank lines ignored); - for stdin
  --text TEXT          the message (at most ${MAX_TEXT} characters)
  --parse-mode MODE    HTML or MarkdownV2
  --api-root URL       the Bot API server (default https://api.telegram.org)
  --journal FILE       the journal (default: FILE.journal.sqlite beside the chats file; required with -)
  --paid               allow_paid_broadcast: up to 1,000 messages/s, paid in Telegram Stars
  --resend-uncertain   resend the recipients an earlier run left uncertain (they may get it twice)
  --retry-failed       resend the recipients Telegram refused in an earlier run (chat not found, ...)
  --json               the last line of stdout is the report as JSON
  --policy FILE        a policy file (see check-policy); its options go over { throttle: true }
  --redis URL          many processes, one campaign: run the same command on every machine; the
                       journal, the queue (BullMQ) and the bot's limits are shared in this Redis
  --campaign NAME      with --redis: the campaign (letters, digits, _ . -); one campaign, one message

Exit codes: 0 every recipient sent (or skipped, or blocked); 3 some failed or are uncertain
(listed); 2 bad usage or input; 1 could not run (API unreachable, token refused); 130 interrupted.
Ctrl-C stops taking recipients, lets requests in flight finish, prints the report; a second
Ctrl-C exits at once. The journal stays resumable either way.`,
  options: {
    chats: 'string',
    text: 'string',
    'parse-mode': 'string',
    'api-root': 'string',
    journal: 'string',
    paid: 'boolean',
    'resend-uncertain': 'boolean',
    'retry-failed': 'boolean',
    json: 'boolean',
    policy: 'string',
    redis: 'string',
    campaign: 'string',
  },
  async run(args, io) {
    const [sub] = args.positionals;
    if (sub === 'status') {
      positionals(args, ['status']);
      const allowed = new Set(['journal', 'json', 'help']);
      const extra = Object.keys(args.options).filter((k) => args.options[k] !== undefined && !allowed.has(k));
      if (extra.length > 0) throw new UsageError(`broadcast status takes only --journal and --json, not --${extra[0]}`);
      const journal = required(args, 'journal');
      if (!existsSync(journal)) throw new UsageError(`--journal: no such file: ${journal}`);
      const summary = await openJournal(journal);
      writeLines(args.options.json ? io.stderr : io.stdout, renderSummary(summary, journal));
      if (args.options.json) io.stdout.write(JSON.stringify(summary) + '\n');
      return 0;
    }
    positionals(args, []);
    const chats = required(args, 'chats');
    const text = required(args, 'text');
    if (text.length > MAX_TEXT) throw new UsageError(`--text has ${text.length} characters; Telegram allows at most ${MAX_TEXT}`);
    const parseMode = stringOption(args, 'parse-mode');
    if (parseMode !== undefined && !PARSE_MODES.includes(parseMode)) {
      throw new UsageError(`--parse-mode must be ${PARSE_MODES.join(' or ')}, got ${JSON.stringify(parseMode)}`);
    }
    const token = process.env.TELEGRAM_BOT_TOKEN;
    if (token === undefined || token.trim() === '') {
      throw new UsageError('the bot token is missing: set the environment variable TELEGRAM_BOT_TOKEN (from @BotFather)');
    }
    checkChatsFile(chats);
    const redis = stringOption(args, 'redis');
    if (redis !== undefined || stringOption(args, 'campaign') !== undefined) {
      return runCampaign(args, { chats, text, parseMode, token: token.trim(), redis }, io);
    }
    const journal = stringOption(args, 'journal') ?? defaultJournalPath(chats);
    const policy = await policyFromArgs(args);
    return runBroadcastCli(
      {
        chats,
        text,
        parseMode,
        apiRoot: stringOption(args, 'api-root'),
        journal,
        paid: args.options.paid === true,
        resendUncertain: args.options['resend-uncertain'] === true,
        retryFailed: args.options['retry-failed'] === true,
        json: args.options.json === true,
        policy,
        token: token.trim(),
      },
      io,
    );
  },
};
