/** Writing answers: JSON or text with nginx's headers (as Telegram's front end sends), or no answer at all. */
import type { ServerResponse } from 'node:http';

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { server: 'nginx/1.18.0', 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

/** Drops the connection without an answer (an RST, like a crashed proxy). */
export function dropSocket(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
  else res.destroy();
}
