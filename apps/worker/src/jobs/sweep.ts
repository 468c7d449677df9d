import {
  FaceitNotFoundError,
  type Logger,
  orphanChannels,
  type PruneResult,
  sweepVerdict,
} from '@bridge/core';
import { bridgeVoiceChannels, deleteChannel, removeEmptyOverflow } from '../discord/channels.ts';
import { discordOp } from '../discord/errors.ts';
import { finishMatch } from './finish-match.ts';
import { guildOf, type MatchContext } from './match-context.ts';

/**
 * Periodic clean-up: ends matches FACEIT reports as ended (or too old) through the same path as
 * matchFinished, then deletes channels this bridge created (deterministic name AND bot marker, in the
 * managed categories) that no row and no active match knows. Never touches anything else. Also prunes
 * what the database keeps about matches that ended more than MATCH_RETENTION_DAYS ago.
 */
export async function runSweep(
  ctx: MatchContext,
  log: Logger,
): Promise<{ ended: number; orphans: number; pruned: PruneResult }> {
  const { config, faceit } = ctx.deps;
  let ended = 0;
  const stillActive: string[] = [];
  for (const m of await ctx.store.listActive()) {
    let status: string | undefined;
    let missing = false;
    try {
      status = (await faceit.getMatch(m.match_id)).status;
    } catch (err) {
      if (err instanceof FaceitNotFoundError) missing = true;
      else {
        log.warn({ matchId: m.match_id, err: (err as Error).message }, 'sweep cannot read match; kept');
        stillActive.push(m.match_id);
        continue;
      }
    }
    const verdict = sweepVerdict({
      createdAt: new Date(m.created_at),
      now: new Date(),
      maxAgeHours: config.MATCH_MAX_AGE_HOURS,
      faceitStatus: status,
      faceitMissing: missing,
    });
    if (verdict === 'keep') {
      stillActive.push(m.match_id);
      continue;
    }
    await ctx.store.end(m.match_id, `sweep-${verdict}`);
    await finishMatch(ctx, m.match_id, log.child({ matchId: m.match_id }));
    log.info({ matchId: m.match_id, verdict }, 'sweep ended match');
    ended++;
  }
  // Database only, so a Discord outage below does not stop the data from being pruned.
  const pruned = await ctx.store.prune(config.MATCH_RETENTION_DAYS);

  const guild = await guildOf(ctx.deps);
  // One fresh listing, so channels created by other copies are seen even if this cache lags.
  await discordOp('list guild channels', () => guild.channels.fetch());
  const orphaned = orphanChannels({
    template: config.VC_NAME_TEMPLATE,
    knownChannelIds: await ctx.store.allChannelIds(),
    activeMatchIds: stillActive,
    bridgeChannels: bridgeVoiceChannels(guild, config.VC_CATEGORY_ID),
  });
  let orphans = 0;
  for (const ch of orphaned) {
    await deleteChannel(guild, ch.id);
    log.info({ channelId: ch.id, name: ch.name }, 'sweep deleted orphan channel');
    orphans++;
  }
  await removeEmptyOverflow(guild, config.VC_CATEGORY_ID);
  return { ended, orphans, pruned };
}
