/** `broadcast --redis URL --campaign NAME`: its arguments checked, then the campaign run (loaded only when asked for). */
import { stringOption, UsageError, type CliIo, type ParsedArgs } from '../args.js';
import { policyFromArgs } from '../command.js';

const CAMPAIGN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export async function runCampaign(
  args: ParsedArgs,
  checked: { chats: string; text: string; parseMode: string | undefined; token: string; redis: string | undefined },
  io: CliIo,
): Promise<number> {
  const { redis } = checked;
  const campaign = stringOption(args, 'campaign');
  if (redis === undefined || redis === '') throw new UsageError('--campaign needs --redis URL (the Redis the campaign is shared in)');
  if (campaign === undefined || campaign === '') throw new UsageError('--redis needs --campaign NAME (the same name on every process of the campaign)');
  if (!CAMPAIGN.test(campaign)) throw new UsageError(`--campaign must be 1-100 letters, digits, "_", "." or "-", got ${JSON.stringify(campaign)}`);
  if (!/^rediss?:\/\//.test(redis)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got ${JSON.stringify(redis.replace(/:[^:@/]*@/, ':***@'))}`);
  if (stringOption(args, 'journal') !== undefined) throw new UsageError('--journal and --redis do not go together: with --redis the journal is in Redis');
  const policy = await policyFromArgs(args);
  const { runCampaignCli } = await import('./run-campaign.js');
  return runCampaignCli(
    {
      ...checked,
      redis,
      campaign,
      apiRoot: stringOption(args, 'api-root'),
      paid: args.options.paid === true,
      resendUncertain: args.options['resend-uncertain'] === true,
      retryFailed: args.options['retry-failed'] === true,
      json: args.options.json === true,
      policy,
    },
    io,
  );
}
