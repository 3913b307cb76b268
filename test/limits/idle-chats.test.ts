import { expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { newChatState } from '../../src/limits/chat-state.js';
import { IdleChats } from '../../src/limits/idle-chats.js';

const chatSentAt = (id: number, lastSentAt: number) => ({ ...newChatState({ key: `chat:${id}`, kind: 'private' }, 20, 1000), lastSentAt });

it('frees each idle chat its time-to-live after its last send, on an unref timer', async () => {
  const clock = createManualClock();
  const freed: string[] = [];
  const idle = new IdleChats(clock, 1_000, () => clock.now(), (chat) => freed.push(chat.key));
  idle.add(chatSentAt(1, 0));
  idle.add(chatSentAt(2, 400));
  // The timer is unref'd: it would not keep a process alive.
  expect(clock.pending()).toBe(0);
  await clock.advance(999);
  expect(freed).toEqual([]);
  await clock.advance(1);
  expect(freed).toEqual(['chat:1']);
  await clock.advance(400);
  expect(freed).toEqual(['chat:1', 'chat:2']);
});

it('sweep() frees what is due without waiting for the timer; close() stops the timer', async () => {
  const clock = createManualClock();
  const freed: string[] = [];
  const idle = new IdleChats(clock, 1_000, () => clock.now(), (chat) => freed.push(chat.key));
  for (let i = 0; i < 3_000; i++) idle.add(chatSentAt(i, i));
  idle.sweep(2_499);
  expect(freed.length).toBe(1_500);
  idle.close();
  await clock.advance(10_000);
  expect(freed.length).toBe(1_500);
});
