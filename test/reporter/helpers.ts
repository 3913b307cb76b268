/** A developer chat that keeps what it was sent, checking every message as Telegram would. */
import { expect } from 'vitest';
import type { ReportSendExtra } from '../../src/reporter/options.js';
import { assertValidMessage } from './telegram-html.js';

export interface Sent {
  chatId: number | string;
  text: string;
  extra: ReportSendExtra;
  /** `now()` when it was sent. */
  at: number;
}

export interface RecordingOptions {
  /** Returns an error to throw for this message (a failing send), or undefined to accept it. */
  fail?: (chatId: number | string, text: string) => unknown;
  now?: () => number;
}

/** A `send` that records every message after checking it is valid Telegram HTML within 4,096 characters. */
export function recordingSend({ fail, now = () => 0 }: RecordingOptions = {}) {
  const sent: Sent[] = [];
  const send = async (chatId: number | string, text: string, extra: ReportSendExtra) => {
    const problem = fail?.(chatId, text);
    if (problem !== undefined) throw problem;
    assertValidMessage(text);
    expect(extra.parse_mode).toBe('HTML');
    sent.push({ chatId, text, extra, at: now() });
  };
  return { sent, send };
}

/** Collects the warnings emitted while `run` runs (and a tick after, as Node emits them on nextTick). */
export async function warningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const listener = (warning: Error) => warnings.push(warning);
  process.on('warning', listener);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return warnings;
}

/** Throws a fresh error from one place, so every call has the same top stack frame. */
export function throwFromHandler(message: string, ErrorClass: new (message: string) => Error = Error): Error {
  try {
    throw new ErrorClass(message);
  } catch (error) {
    return error as Error;
  }
}
