/**
 * The control API under `/sim/`, on the simulator's own port, so a bot in any language can be
 * tested: push updates, read the ledger and the request log, plan faults, reset. Answers use the Bot
 * API's envelope: `{ ok: true, result }`, or `{ ok: false, error_code, description }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFaultPlan, parseFaultPlan } from './fault-profiles.js';
import type { FaultPlan } from './faults.js';
import { BodyError, readRaw } from './http-body.js';
import { sendJson } from './http-send.js';
import type { SimFilter, Simulator } from './types.js';

export interface ControlDeps {
  sim: Simulator;
  faults: FaultPlan;
  /** Seed for a schedule posted without one. */
  seed: number;
}

const MAX_CONTROL_BODY = 1024 * 1024;

/** Thrown to answer with an error. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function filterFrom(url: URL): SimFilter {
  const filter: SimFilter = {};
  const chatId = url.searchParams.get('chat_id');
  const method = url.searchParams.get('method');
  if (chatId !== null) filter.chatId = /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
  if (method !== null) filter.method = method;
  return filter;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readRaw(req);
  if (body.length > MAX_CONTROL_BODY) throw new ControlError(413, 'Request Entity Too Large');
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, "Bad Request: can't parse JSON object");
  }
}

type Route = (req: IncomingMessage, url: URL) => Promise<unknown> | unknown;

export function createControlRoute(deps: ControlDeps) {
  const { sim, faults } = deps;
  const routes: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
    '/sim/updates': {
      async POST(req) {
        const body = await readJson(req);
        // An array pushes several updates in order; a bad one stops there (those before it stay pushed).
        return Array.isArray(body) ? body.map((u) => sim.pushUpdate(u)) : { update_id: sim.pushUpdate(body as Record<string, unknown>) };
      },
    },
    '/sim/ledger': { GET: (_req, url) => sim.ledger(filterFrom(url)) },
    '/sim/requests': { GET: (_req, url) => sim.requests(filterFrom(url)) },
    '/sim/faults': {
      GET: () => faults.snapshot(),
      async POST(req) {
        const plan = parseFaultPlan('POST /sim/faults', await readJson(req));
        applyFaultPlan(sim, plan, deps.seed);
        return faults.snapshot();
      },
    },
    '/sim/reset': {
      POST() {
        sim.reset();
        return true;
      },
    },
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = routes[url.pathname.replace(/\/+$/, '')];
    try {
      if (!route) throw new ControlError(404, `Not Found: no ${url.pathname}; try /sim/updates, /sim/ledger, /sim/requests, /sim/faults, /sim/reset`);
      const handler = route[req.method as 'GET' | 'POST'];
      if (!handler) throw new ControlError(405, `Method Not Allowed: use ${Object.keys(route).join(' or ')} ${url.pathname}`);
      const result = await handler(req, url);
      sendJson(res, 200, { ok: true, result });
    } catch (error) {
      const status = error instanceof ControlError ? error.status : error instanceof TypeError || error instanceof RangeError || error instanceof BodyError ? 400 : 500;
      const description = error instanceof Error ? error.message : String(error);
      sendJson(res, status, { ok: false, error_code: status, description });
    }
  };
}
