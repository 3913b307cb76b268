/**
 * The one way a factory checks its options object: a key it does not know is a TypeError naming it
 * (with the known name it was probably meant to be), and each given value is checked against its
 * entry in a table of `Check`s. Every factory uses this, so the words are the same everywhere:
 *
 *   createBotApi: unknown option `apiroot` (did you mean `apiRoot`?)
 *   redisBackend: option `chatIdTimeoutMs` must be a finite number > 0, got "500"
 *   createBotApi: option `token` is required: a bot token like "123456:ABC-def"
 */
import { describeValue, mustBe, type Check } from './checks.js';
import { closestName } from './closest-name.js';

/** How each option is checked, by name. Its keys are the options the factory knows. */
export type OptionTable = Readonly<Record<string, Check>>;

export interface OptionTableSettings {
  /**
   * Written before each key in messages, for a nested object (`'throttle.'`, `'rules[0].'`).
   * @default ''
   */
  prefix?: string;
  /**
   * Options that must be given (an `undefined` value counts as not given).
   * @default []
   */
  required?: readonly string[];
  /**
   * Options whose values are secrets (a bot token): a wrong one is described by its type only, and
   * the given value is cut out of any message, wherever else it shows up (an `apiRoot` with the
   * token pasted into it).
   * @default []
   */
  secrets?: readonly string[];
  /**
   * The spellings of a secret's value to cut out (`tokenSpellings` for a bot token: its secret half too).
   * @default the value as it is and URL-encoded
   */
  spellings?: (secret: string) => readonly string[];
  /**
   * Keys allowed besides the table's, checked by the caller (a rule's `match`).
   * @default []
   */
  alsoKnown?: readonly string[];
}

/** A plain object (not null, not an array). */
export function isOptionsObject<T>(value: T): value is T & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What stands in for a secret in a message. */
const HIDDEN = '<secret>';
/** Shorter secrets are not cut out of messages: they would mangle ordinary words (and are invalid anyway). */
const MIN_HIDDEN_LENGTH = 6;

const urlSpellings = (secret: string): readonly string[] => [secret, encodeURIComponent(secret)];

/** Cuts every spelling of the secret values out of `text`. */
function hider(secretValues: readonly unknown[], spellingsOf: (secret: string) => readonly string[]): (text: string) => string {
  const spellings = secretValues
    .filter((v): v is string => typeof v === 'string' && v.length >= MIN_HIDDEN_LENGTH)
    .flatMap((v) => spellingsOf(v))
    .filter((v) => v.length >= MIN_HIDDEN_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (spellings.length === 0) return (text) => text;
  return (text) => spellings.reduce((out, secret) => out.split(secret).join(HIDDEN), text);
}

/** Describes a secret's value by its kind only: `a string`, `a number`, `an object`. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/**
 * What is wrong with the keys of `options`: every key not in `known`, each with the known name it
 * was probably meant to be (when one has no near name, the known ones are listed); or undefined.
 */
function unknownKeysProblem(options: object, known: readonly string[], prefix: string): string | undefined {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return undefined;
  let listKnown = false;
  const names = unknown.map((key) => {
    const near = closestName(key, known);
    if (near === undefined) listKnown = true;
    return `\`${prefix}${key}\`${near === undefined ? '' : ` (did you mean \`${prefix}${near}\`?)`}`;
  });
  const knownList = listKnown ? ` (known: ${known.map((k) => `${prefix}${k}`).join(', ')})` : '';
  return `unknown option${unknown.length > 1 ? 's' : ''} ${names.join(', ')}${knownList}`;
}

/** Throws a TypeError naming every key of `options` not in `known` (see `checkOptions`). */
export function rejectUnknownOptions(where: string, options: object, known: readonly string[], prefix = ''): void {
  const problem = unknownKeysProblem(options, known, prefix);
  if (problem !== undefined) throw new TypeError(`${where}: ${problem}`);
}

/** What is wrong with `values` against `table`, in words, or undefined. */
function optionsProblem(values: Record<string, unknown>, table: OptionTable, settings: Required<OptionTableSettings>, hide: (text: string) => string): string | undefined {
  const { prefix, required, secrets, alsoKnown } = settings;
  const unknown = unknownKeysProblem(values, [...Object.keys(table), ...alsoKnown], prefix);
  if (unknown !== undefined) return unknown;
  for (const key of required) {
    if (values[key] === undefined) return `option \`${prefix}${key}\` is required: ${table[key]?.(undefined) ?? 'a value'}`;
  }
  for (const [key, check] of Object.entries(table)) {
    const value = values[key];
    if (value === undefined) continue;
    const expected = check(value);
    if (expected === undefined) continue;
    const given = secrets.includes(key) ? kindOf(value) : describeValue(typeof value === 'string' ? hide(value) : value);
    return mustBe(`${prefix}${key}`, expected, given);
  }
  return undefined;
}

/** True when `values` passes every rule: the common case, decided without building a message or a hider. */
function passes(values: Record<string, unknown>, table: OptionTable, settings: Required<OptionTableSettings>): boolean {
  for (const key of Object.keys(values)) if (!Object.hasOwn(table, key) && !settings.alsoKnown.includes(key)) return false;
  for (const key of settings.required) if (values[key] === undefined) return false;
  for (const key of Object.keys(table)) {
    const value = values[key];
    if (value !== undefined && (table[key] as Check)(value) !== undefined) return false;
  }
  return true;
}

/**
 * Checks `options` against `table`: it must be an object (`undefined` counts as `{}`), with no key the
 * table (or `alsoKnown`) does not have, every `required` option given, and every given value passing
 * its check. The first problem is thrown as a TypeError naming the option, what it must be and what
 * it was (never a secret's value). Returns the options object.
 */
export function checkOptions(
  where: string,
  options: unknown,
  table: OptionTable,
  settings: OptionTableSettings = {},
): Record<string, unknown> {
  const full: Required<OptionTableSettings> = { prefix: '', required: [], secrets: [], spellings: urlSpellings, alsoKnown: [], ...settings };
  const values = options === undefined ? {} : options;
  if (!isOptionsObject(values)) {
    const whole = full.prefix === '' ? 'options' : `option \`${full.prefix.replace(/\.$/, '')}\``;
    // Not even an object: maybe the secret itself (`createBotApi(token)`), so only its kind is shown.
    const given = full.secrets.length > 0 ? kindOf(values) : describeValue(values);
    throw new TypeError(`${where}: ${whole} must be an object, got ${given}`);
  }
  if (passes(values, table, full)) return values;
  const hide = hider(full.secrets.map((key) => values[key]), full.spellings);
  const problem = optionsProblem(values, table, full, hide);
  // Hidden before the error exists: its stack is written from the message at construction.
  if (problem !== undefined) throw new TypeError(hide(`${where}: ${problem}`));
  return values;
}
