/**
 * Reads Bot API parameters the way Telegram accepts them: query string, JSON body,
 * `application/x-www-form-urlencoded` body or `multipart/form-data` body (text fields only;
 * file parts are noted as present but their content is dropped).
 */
import type { IncomingMessage } from 'node:http';

export type Params = Record<string, unknown>;

/** Parameters that could not be read. `description` is Telegram's wording. */
export class BodyError extends Error {
  constructor(readonly description: string) {
    super(description);
  }
}

/** Bigger than any Bot API upload through the public server (50 MB), so real clients never hit it. */
const MAX_BODY_BYTES = 60 * 1024 * 1024;

export function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError('Request Entity Too Large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that goes away mid-body never emits 'end'.
    req.on('close', () => {
      if (!req.complete) reject(new BodyError('connection closed before the body was complete'));
    });
  });
}

function fromSearchParams(search: URLSearchParams): Params {
  const params: Params = {};
  for (const [key, value] of search) params[key] = value;
  return params;
}

function parseMultipart(body: Buffer, contentType: string): Params {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (!boundary) throw new BodyError("Bad Request: can't parse multipart/form-data: no boundary");
  // latin1 maps bytes 1:1 to chars, so splitting is byte-exact; text values are decoded as UTF-8 after.
  const text = body.toString('latin1');
  const params: Params = {};
  for (const part of text.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    if (/filename="/i.test(headers)) {
      params[name] = { file: true };
      continue;
    }
    const raw = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    params[name] = Buffer.from(raw, 'latin1').toString('utf8');
  }
  return params;
}

/** Query string parameters, overridden by body parameters. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params = fromSearchParams(url.searchParams);
  const body = await readRaw(req);
  if (body.length === 0) return params;
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BodyError("Bad Request: can't parse JSON object");
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new BodyError("Bad Request: can't parse JSON object");
    }
    return { ...params, ...(parsed as Params) };
  }
  if (contentType.startsWith('multipart/form-data')) {
    return { ...params, ...parseMultipart(body, String(req.headers['content-type'])) };
  }
  // Telegram treats any other body as a url-encoded form.
  return { ...params, ...fromSearchParams(new URLSearchParams(body.toString('utf8'))) };
}

/**
 * A parameter that is JSON in a form or multipart body (`reply_markup`, `allowed_updates`,
 * `commands`, ...): parsed from a string, taken as is from a JSON body. A string that is not JSON
 * stays a string, so the caller's type check refuses it.
 */
export function jsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** An integer parameter (numbers, or numeric strings from forms), or `fallback`. */
export function intParam(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : fallback;
}

/** A boolean parameter (`true`, or `"true"` from forms). */
export function boolParam(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}
