/**
 * The GramJS packages the adapter is tested against, as one bundle each: `telegram` (GramJS itself,
 * archived in July 2026) and `teleproto` (its maintained fork). Both are the real packages; the
 * fork's classes are typed as GramJS's (same shape, other copies), which the tests rely on only
 * through what the adapter itself reads.
 */
import * as gramjs from 'telegram';
import * as gramjsErrors from 'telegram/errors/index.js';
import * as gramjsLogger from 'telegram/extensions/Logger.js';
import * as gramjsNetwork from 'telegram/network/index.js';
import * as gramjsSessions from 'telegram/sessions/index.js';
import * as teleproto from 'teleproto';
import * as teleprotoErrors from 'teleproto/errors/index.js';
import * as teleprotoLogger from 'teleproto/extensions/Logger.js';
import * as teleprotoNetwork from 'teleproto/network/index.js';
import * as teleprotoSessions from 'teleproto/sessions/index.js';

export interface GramJsSdk {
  /** Package name and version, as the test titles show them. */
  name: string;
  Api: typeof gramjs.Api;
  TelegramClient: typeof gramjs.TelegramClient;
  StringSession: typeof gramjsSessions.StringSession;
  Logger: typeof gramjsLogger.Logger;
  LogLevel: typeof gramjsLogger.LogLevel;
  MTProtoSender: typeof gramjsNetwork.MTProtoSender;
  RPCError: typeof gramjsErrors.RPCError;
  RPCMessageToError: typeof gramjsErrors.RPCMessageToError;
  errors: typeof gramjs.errors;
}

const GRAMJS: GramJsSdk = {
  name: `telegram ${gramjs.version}`,
  Api: gramjs.Api,
  TelegramClient: gramjs.TelegramClient,
  StringSession: gramjsSessions.StringSession,
  Logger: gramjsLogger.Logger,
  LogLevel: gramjsLogger.LogLevel,
  MTProtoSender: gramjsNetwork.MTProtoSender,
  RPCError: gramjsErrors.RPCError,
  RPCMessageToError: gramjsErrors.RPCMessageToError,
  errors: gramjs.errors,
};

const TELEPROTO = {
  name: `teleproto ${teleproto.version}`,
  Api: teleproto.Api,
  TelegramClient: teleproto.TelegramClient,
  StringSession: teleprotoSessions.StringSession,
  Logger: teleprotoLogger.Logger,
  LogLevel: teleprotoLogger.LogLevel,
  MTProtoSender: teleprotoNetwork.MTProtoSender,
  RPCError: teleprotoErrors.RPCError,
  RPCMessageToError: teleprotoErrors.RPCMessageToError,
  errors: teleproto.errors,
} as unknown as GramJsSdk;

export const GRAMJS_SDKS: readonly GramJsSdk[] = [GRAMJS, TELEPROTO];
