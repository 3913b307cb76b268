import { expect, it } from 'vitest';
import type { Failure } from '../../src/errors/failure.js';
import { FloodScopes, gateScopes } from '../../src/limits/flood-scopes.js';
import { chatScopeOf } from '../../src/limits/scope.js';

const flood = (extra: Partial<Failure> = {}): Failure => ({ kind: 'flood', maybeDelivered: false, retryAfterMs: 1_000, cause: undefined, code: 429, ...extra });
const send = { method: 'sendMessage', params: {} };

it('a call waits at its method\'s gate, and a paced one at the bot\'s and its chat\'s too', () => {
  expect(gateScopes('messages.sendMessage', false, undefined)).toEqual(['method:messages.sendMessage']);
  expect(gateScopes('sendMessage', true, 'chat:5')).toEqual(['method:sendMessage', 'bot', 'chat:5']);
  expect(gateScopes(undefined, true, undefined)).toEqual(['bot']);
});

it("a Bot API 429 closes its chat's gate, and the bot's when a second chat is hit within a second", () => {
  const scopes = new FloodScopes();
  const chat = (id: number) => chatScopeOf({ chat_id: id });
  expect(scopes.closedBy(flood(), send, chat(1), 0)).toEqual(['chat:1']);
  expect(scopes.closedBy(flood(), send, chat(1), 500)).toEqual(['chat:1']);
  expect(scopes.closedBy(flood(), send, chat(2), 999)).toEqual(['chat:2', 'bot']);
  // More than a second after the others: one chat's again.
  expect(scopes.closedBy(flood(), send, chat(3), 2_000)).toEqual(['chat:3']);
  expect(scopes.closedBy(flood(), send, undefined, 2_100)).toEqual(['bot']);
});

it("MTProto: SLOWMODE_WAIT is the chat's, FLOOD_WAIT the method's", () => {
  const scopes = new FloodScopes();
  const mtproto = { method: 'messages.sendMessage', params: { chat_id: -100 } };
  expect(scopes.closedBy(flood({ code: 420, type: 'SLOWMODE_WAIT_X' }), mtproto, chatScopeOf({ chat_id: -100 }), 0)).toEqual(['chat:-100']);
  expect(scopes.closedBy(flood({ code: 420, type: 'FLOOD_WAIT_X' }), mtproto, chatScopeOf({ chat_id: -100 }), 0)).toEqual(['method:messages.sendMessage']);
});
