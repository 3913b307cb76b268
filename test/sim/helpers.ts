/** Small HTTP helpers for the simulator tests (real fetch to 127.0.0.1). */
import type { Simulator } from '../../src/sim/index.js';

export interface HttpResult {
  status: number;
  contentType: string | null;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: any;
}

async function toResult(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

/** POSTs `params` as JSON to `method`. */
export async function callJson(sim: Simulator, method: string, params: Record<string, unknown> = {}): Promise<HttpResult> {
  const response = await fetch(sim.methodUrl(method), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return toResult(response);
}

/** POSTs `params` as an url-encoded form. */
export async function callForm(sim: Simulator, method: string, params: Record<string, string>): Promise<HttpResult> {
  const response = await fetch(sim.methodUrl(method), { method: 'POST', body: new URLSearchParams(params) });
  return toResult(response);
}

/** Any fetch to the simulator, resolved to a result. */
export async function request(url: string, init?: RequestInit): Promise<HttpResult> {
  return toResult(await fetch(url, init));
}

/** The error code behind a failed fetch (`ECONNRESET`, `UND_ERR_SOCKET`, `ECONNREFUSED`, ...). */
export function networkCode(error: unknown): string | undefined {
  let current: any = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return undefined;
}
