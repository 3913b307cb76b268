/**
 * Step 2 of `classify` (classify.ts): SDK errors that wrap the real failure and whose meaning is in
 * their name or string code (grammY `HttpError`, node-telegram-bot-api `EFATAL`/`EPARSE`/`EFETCH`/
 * `ETIMEOUT`, GramJS `MsgWaitError`, mtcute `MtTimeoutError`).
 */
import { fromBotApi, pageVerdict } from './bot-api-answer.js';
import { networkCodeInText, networkRule, UNEXPLAINED_TRANSPORT } from './network.js';
import { constructorNameOf, integer, nameOf, safeGet, safePath, type Inner, type Verdict } from './shapes.js';

/** The verdict on an SDK's wrapper error; undefined when `e` is none of them. */
export function fromLibraryWrapper(e: object, inner: Inner): Verdict | undefined {
  const name = nameOf(e);
  const className = constructorNameOf(e);

  // grammY: the fetch failed or its body was not JSON; the reason is in `error`.
  if (name === 'HttpError' && safeGet(e, 'error') !== undefined) {
    const underlying = inner(safeGet(e, 'error'));
    if (underlying && underlying.kind !== 'unknown') return underlying;
    // grammY's own timeout is a plain Error "Request to 'x' timed out after N seconds".
    const text = safeGet(safeGet(e, 'error'), 'message');
    if (typeof text === 'string' && /timed out/i.test(text)) return { kind: 'timeout', maybeDelivered: true };
    return { ...UNEXPLAINED_TRANSPORT };
  }
  // GramJS: MSG_WAIT_FAILED/MSG_WAIT_TIMEOUT, dressed as a 420 FLOOD without a wait.
  if (className === 'MsgWaitError' || name === 'MsgWaitError') return { kind: 'server', maybeDelivered: true };
  // mtcute: the client's own request timeout.
  if (className === 'MtTimeoutError') return { kind: 'timeout', maybeDelivered: true };

  const code = safeGet(e, 'code');
  switch (code) {
    case 'ETELEGRAM': // ntba 0.x and 2.x: a Bot API answer, read below; a broken one is Telegram's fault
      return fromBotApi(e) ?? { kind: 'server', maybeDelivered: true };
    case 'EPARSE':
      // The body was not JSON: an HTML error page from a proxy, a truncated answer.
      return { ...pageVerdict(integer(safePath(e, 'response', 'statusCode'))), type: code };
    case 'EFATAL': // ntba 0.x keeps only the text of the request error ("EFATAL: Error: read ECONNRESET")
      return inner(safeGet(e, 'cause')) ?? networkFromText(safeGet(e, 'message')) ?? { ...UNEXPLAINED_TRANSPORT, type: code };
    case 'EFETCH': {
      // ntba 2.x: a transport failure (reason in `cause`), or "Server error 502 on sendMessage".
      const underlying = inner(safeGet(e, 'cause'));
      if (underlying) return underlying;
      const message = safeGet(e, 'message');
      const status = typeof message === 'string' ? /Server error (\d{3})/.exec(message)?.[1] : undefined;
      if (status !== undefined) return { kind: 'server', code: Number(status), maybeDelivered: true };
      return { ...UNEXPLAINED_TRANSPORT, type: code };
    }
    case 'ETIMEOUT': // ntba 2.x: its own client timeout
      return { kind: 'timeout', maybeDelivered: true, type: code };
  }
  return undefined;
}

function networkFromText(text: unknown): Verdict | undefined {
  const code = networkCodeInText(text);
  const rule = networkRule(code);
  return rule && code !== undefined ? { ...rule, type: code } : undefined;
}
