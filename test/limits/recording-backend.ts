/**
 * An in-memory stand-in for a shared limits backend: each booking is answered with `slotOf(n)`
 * (epoch ms, `n` counting bookings from 0), and every booking request and closed gate is kept.
 */
import type { LimitsBackend } from '../../src/limits/backend.js';

export function recordingBackend(slotOf: (n: number) => number) {
  const requests: Array<Parameters<LimitsBackend['reserve']>[0]> = [];
  const closedGates: string[] = [];
  const backend: LimitsBackend = {
    name: 'recording',
    start: async () => {},
    reserve: async (request) => {
      requests.push(request);
      return slotOf(requests.length - 1);
    },
    closeGate: async (scope) => {
      closedGates.push(scope);
    },
    openGates: async () => ({}),
    close: async () => {},
  };
  return { backend, requests, closedGates };
}
