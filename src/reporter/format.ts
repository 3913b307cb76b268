/**
 * The text of the reporter's messages, in Telegram HTML: one report per error (class, message,
 * `classify()`'s kind and code, method and parameters, update, stack), and the summary of what a
 * window folded. Every piece of outside text is scrubbed, cut to a bound, then escaped, in that
 * order: cutting after escaping could split an entity, and before scrubbing could leave half a token.
 */
import { classify } from '../errors/classify.js';
import { errorFacts } from './fingerprint.js';
import { escapeHtml } from './html.js';
import { prettyJson, truncate } from './pretty-json.js';
import type { Scrub } from './scrub.js';
import { safeGet } from '../errors/shapes.js';

/** What a report may carry besides the error; every field optional. */
export interface ReportContext {
  /** The update being handled (grammY `ctx.update`, telegraf `ctx.update`). Shown as JSON. */
  update?: unknown;
  /** The API method that failed, when the error came from a call. Read from the error when absent. */
  method?: string;
  /** That call's parameters (secrets hidden). Read from the error (`payload`) when absent. */
  params?: unknown;
  /** Anything else worth showing (a job name, a user id...): text or JSON. */
  extra?: unknown;
}

/** Which optional sections a report shows. */
export interface ReportSections {
  update: boolean;
  stack: boolean;
  params: boolean;
}

const MAX_MESSAGE = 1000;
const MAX_PARAMS = 1500;
const MAX_UPDATE = 3000;
const MAX_EXTRA = 1000;
const MAX_STACK = 6000;
const MAX_FRAMES = 40;
const MAX_CAUSES = 3;

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const jsonBlock = (json: string) => `<pre><code class="language-json">${escapeHtml(json)}</code></pre>`;

/** "Class: message" of `error`'s causes (`cause`, a few levels). */
function causesOf(error: unknown, scrub: Scrub): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>([error]);
  let cause = safeGet(error, 'cause');
  while (cause !== undefined && cause !== null && !seen.has(cause) && lines.length < MAX_CAUSES) {
    seen.add(cause);
    const facts = errorFacts(cause);
    lines.push(`caused by ${code(facts.className)}: ${escapeHtml(truncate(scrub(facts.message), 300))}`);
    cause = safeGet(cause, 'cause');
  }
  return lines;
}

/** The stack frames, at most `MAX_FRAMES` of them and `MAX_STACK` characters. */
function framesText(frames: string, scrub: Scrub): string {
  const lines = frames.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const shown = lines.slice(0, MAX_FRAMES);
  if (lines.length > MAX_FRAMES) shown.push(`… ${lines.length - MAX_FRAMES} more frames`);
  return truncate(scrub(shown.join('\n')), MAX_STACK);
}

/** The report on one error, as Telegram HTML (possibly longer than one message: split it). */
export function formatReport(error: unknown, context: ReportContext, sections: ReportSections, scrub: Scrub): string {
  const facts = errorFacts(error);
  const failure = classify(error);
  const head = [`<b>⚠️ ${escapeHtml(truncate(scrub(facts.className), 100))}</b>: ${escapeHtml(truncate(scrub(facts.message), MAX_MESSAGE))}`];
  head.push(`kind ${code(failure.kind)}${failure.code === undefined ? '' : ` · code ${code(String(failure.code))}`}`);
  // grammY's GrammyError has `method`/`payload`, telegraf's TelegramError `on.method`/`on.payload`.
  const on = safeGet(error, 'on');
  const method = context.method ?? safeGet(error, 'method') ?? safeGet(on, 'method');
  if (typeof method === 'string' && method !== '') head.push(`method ${code(truncate(scrub(method), 100))}`);
  head.push(...causesOf(error, scrub));

  const blocks = [head.join('\n')];
  const params = context.params ?? safeGet(error, 'payload') ?? safeGet(on, 'payload');
  if (sections.params && params !== undefined) blocks.push(`<b>params</b>\n${jsonBlock(prettyJson(params, scrub, MAX_PARAMS))}`);
  if (sections.update && context.update !== undefined) {
    blocks.push(`<b>update</b>\n${jsonBlock(prettyJson(context.update, scrub, MAX_UPDATE))}`);
  }
  if (context.extra !== undefined) {
    const extra = typeof context.extra === 'string' ? truncate(scrub(context.extra), MAX_EXTRA) : prettyJson(context.extra, scrub, MAX_EXTRA);
    blocks.push(`<b>extra</b>\n<pre>${escapeHtml(extra)}</pre>`);
  }
  if (sections.stack && facts.frames !== '') blocks.push(`<b>stack</b>\n<pre>${escapeHtml(framesText(facts.frames, scrub))}</pre>`);
  return blocks.join('\n\n');
}

/** One kind of error in a window's summary. */
export interface SummaryLine {
  className: string;
  message: string;
  /** Occurrences not sent in full. */
  folded: number;
  /** Whether one of this kind was sent in full in this window. */
  sentInFull: boolean;
}

export interface Summary {
  /** "60 s": how long the window lasted. */
  period: string;
  /** Errors reported in the window, sent or not. */
  reported: number;
  /** Errors sent in full in the window. */
  sentInFull: number;
  /** By `folded`, most first. */
  lines: SummaryLine[];
  /** Folded errors of kinds beyond those the window keeps track of (a storm of distinct errors). */
  untracked: number;
}

const MAX_SUMMARY_LINES = 10;

/** The summary of a window's folded errors, as Telegram HTML. */
export function formatSummary(summary: Summary, scrub: Scrub): string {
  const { period, lines } = summary;
  const folded = lines.reduce((sum, line) => sum + line.folded, summary.untracked);
  const out = [
    `<b>📊 ${summary.reported} errors in the last ${period}</b>: ${summary.sentInFull} sent in full, ${folded} folded`,
  ];
  for (const line of lines.slice(0, MAX_SUMMARY_LINES)) {
    const what = `${code(truncate(scrub(line.className), 100))}: ${escapeHtml(truncate(scrub(line.message), 200))}`;
    const count = line.sentInFull
      ? `and ${line.folded} more in the last ${period}`
      : `${line.folded} in the last ${period}, not sent in full`;
    out.push(`• ${what} — ${count}`);
  }
  const rest = lines.slice(MAX_SUMMARY_LINES);
  if (rest.length > 0) {
    const count = rest.reduce((sum, line) => sum + line.folded, 0);
    out.push(`• and ${count} more of ${rest.length} other kinds`);
  }
  if (summary.untracked > 0) out.push(`• and ${summary.untracked} more of still other kinds`);
  return out.join('\n');
}
