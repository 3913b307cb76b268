/**
 * The demo's output. Every line passes a token filter: the demo must never print the bot token,
 * and if something ever tried to, the line is redacted and the run fails.
 */
import type { CliIo } from '../args.js';

export class DemoLog {
  /** True when a line had to be redacted because it contained the token. */
  tokenLeaked = false;
  private readonly secrets: string[];

  constructor(
    private readonly io: CliIo,
    token: string,
    private readonly now: () => number,
    private readonly startedAt: number,
  ) {
    this.secrets = [...new Set([token, encodeURIComponent(token)])].filter((s) => s.length > 0);
  }

  /** A plain line, prefixed with the time since the start. */
  line(text: string): void {
    this.write(`[${((this.now() - this.startedAt) / 1000).toFixed(2).padStart(6)}s] ${text}`);
  }

  /** Writes a line as is (headers, the summary), through the token filter. */
  write(text: string): void {
    this.io.stdout.write(`${this.redact(text)}\n`);
  }

  /** Progress goes to stderr (a bar on a terminal), through the same filter. */
  progress(text: string): void {
    this.io.stderr.write(this.redact(text));
  }

  private redact(text: string): string {
    let safe = text;
    for (const secret of this.secrets) {
      if (safe.includes(secret)) {
        this.tokenLeaked = true;
        safe = safe.split(secret).join('<token>');
      }
    }
    return safe;
  }
}
