/**
 * Which DC each attempt of one MTProto call goes to (shared by the GramJS and mtcute adapters).
 *
 * The engine starts a call on the DC the caller named or, when none, on the home DC it learnt from an
 * earlier USER/PHONE/NETWORK migration. But both SDKs keep the home DC themselves (GramJS
 * `session.dcId`, moved by `_switchDC`; mtcute's primary DC, moved by its network manager), and the
 * engine's idea of it can be wrong for this client: a logged-in GramJS session keeps its home on
 * PHONE/NETWORK migrations; a USER_MIGRATE about an mtcute business connection is not about the home
 * at all; and while GramJS moves its home, its own requests (`help.getConfig`) must still reach the
 * old one instead of waiting for a connection to the new one (a deadlock). So until the engine
 * reroutes THIS call, it goes where the caller said (undefined: the SDK's home DC); once rerouted,
 * where the engine says.
 */
import type { Attempt } from '../core/call.js';

/** Returns, for each attempt of one call, the DC to send it to (undefined: the SDK's home DC). */
export function dcChooser(callerDc: number | undefined): (attempt: Attempt) => number | undefined {
  let first: number | undefined;
  let rerouted = false;
  return (attempt) => {
    if (attempt.number === 1) first = attempt.dc;
    else if (attempt.dc !== first) rerouted = true;
    return rerouted ? attempt.dc : callerDc;
  };
}
