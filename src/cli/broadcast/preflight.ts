/** The broadcast commands' first request: is the Bot API there, and does it take the token? */
import type { BotApi } from '../../botapi/index.js';
import { classify } from '../../errors/index.js';

/** Can we talk to this Bot API with this token? A clear sentence when not (never the token). */
export async function preflight(api: BotApi, apiRoot: string): Promise<string | undefined> {
  try {
    await api.raw('getMe', {}, { signal: AbortSignal.timeout(10_000) });
    return undefined;
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === 'unauthorized' || failure.code === 404) {
      return `the Bot API at ${apiRoot} refused the token in TELEGRAM_BOT_TOKEN (${failure.description ?? failure.kind}); check the token`;
    }
    return `cannot reach the Bot API at ${apiRoot}: ${failure.description ?? failure.type ?? failure.kind}`;
  }
}
