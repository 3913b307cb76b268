/**
 * The `--chats` file: one chat id (or `@username`) a line, `#` starts a comment, blank lines are
 * ignored. Read as a stream, so a million lines cost no more memory than ten.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseChatId } from '../../broadcast/chat-id.js';
import type { ChatId } from '../../broadcast/index.js';

/** A line that is not a chat id: reported with its number, then skipped. */
export interface BadLine {
  line: number;
  text: string;
}

type LineResult = { chatId: ChatId } | { bad: string } | undefined;

function parseLine(raw: string): LineResult {
  const text = raw.replace(/#.*$/, '').trim();
  if (text === '') return undefined;
  const chatId = parseChatId(text);
  return chatId === undefined ? { bad: text } : { chatId };
}

function lines(source: string | Readable): AsyncIterable<string> {
  const input = typeof source === 'string' ? createReadStream(source, { encoding: 'utf8' }) : source;
  return createInterface({ input, crlfDelay: Infinity });
}

/** The chat ids in `source` (a path, or stdin), calling `onBadLine` for each line that is not one. */
export async function* readChats(source: string | Readable, onBadLine: (bad: BadLine) => void): AsyncGenerator<ChatId> {
  let number = 0;
  for await (const raw of lines(source)) {
    number++;
    const parsed = parseLine(raw);
    if (parsed === undefined) continue;
    if ('bad' in parsed) onBadLine({ line: number, text: parsed.bad.length > 60 ? `${parsed.bad.slice(0, 59)}…` : parsed.bad });
    else yield parsed.chatId;
  }
}

/** How many valid lines a chats file has (for the progress bar's total and ETA). */
export async function countChats(path: string): Promise<number> {
  let count = 0;
  for await (const raw of lines(path)) {
    const parsed = parseLine(raw);
    if (parsed !== undefined && 'chatId' in parsed) count++;
  }
  return count;
}
