import {
  FaceitNotFoundError,
  type JobHandler,
  type Logger,
  orphanChannels,
  type PruneResult,
  type SweepJobData,
  sweepVerdict,
} from '@bridge/core';
import { bridgeVoiceChannels, deleteChannel, removeEmptyOverflow } from '../discord/channels.ts';
import { discordOp } from '../discord/errors.ts';
import { settingsOf } from '../matches/guild-settings.ts';
import { guildOf, type MatchContext } from '../matches/match-context.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';

/**
 * Periodic clean-up: ends matches FACEIT reports as ended (or too old) through the same path as
 * matchFinished, finishes the clean-up of ended matches that still have rows, then deletes channels this
 * bridge created (deterministic name AND bot marker, in the managed categories) that no row and no active
 * match knows. Never touches anything else. Also prunes what the database keeps about matches that ended
 * more than MATCH_RETENTION_DAYS ago.
 */
export function sweepHandler(ctx: MatchContext): JobHandler<SweepJobData> {
  return (_data, { log }) => runSweep(ctx, log);
}

async function runSweep(
  ctx: MatchContext,
  log: Logger,
): Promise<{ ended: number; orphans: number; pruned: PruneResult }> {
  const { config, faceit } = ctx.deps;
  let ended = 0;
  const stillActive: string[] = [];
  for (const m of await ctx.store.listActive()) {
    let status: string | null | undefined;
    // A 404 is not proof the match is gone (new matches have been reported to 404 for a while): it
    // starts or extends a streak, and only a long enough streak of consecutive 404 sweeps ends it.
    let missing: { sweeps: number; forMs: number } | undefined;
    try {
      status = (await faceit.getMatch(m.match_id)).status;
    } catch (err) {
      if (err instanceof FaceitNotFoundError) missing = await ctx.store.noteMissing(m.match_id);
      else {
        log.warn({ matchId: m.match_id, err: (err as Error).message }, 'sweep cannot read match; kept');
        stillActive.push(m.match_id);
        continue;
      }
    }
    if (!missing) await ctx.store.clearMissing(m.match_id);
    const verdict = sweepVerdict({
      createdAt: new Date(m.created_at),
      now: new Date(),
      maxAgeHours: config.MATCH_MAX_AGE_HOURS,
      faceitStatus: status,
      missing,
    });
    if (verdict === 'keep' && missing) {
      log.warn(
        { matchId: m.match_id, sweeps: missing.sweeps, missingForMs: missing.forMs },
        'FACEIT answers 404 for an active match; kept until 404s on consecutive sweeps span 30 min',
      );
    }
    if (verdict === 'keep') {
      stillActive.push(m.match_id);
      continue;
    }
    await ctx.store.end(m.match_id, `sweep-${verdict}`);
    await removeMatchChannels(ctx, m.match_id, log.child({ matchId: m.match_id }));
    log.info({ matchId: m.match_id, verdict }, 'sweep ended match');
    ended++;
  }
  // Database only, so a Discord outage below does not stop the data from being pruned.
  const pruned = await ctx.store.prune(config.MATCH_RETENTION_DAYS);

  // Ended matches whose rows outlived their clean-up (a job that failed or died half-way): their
  // channels would otherwise count as known forever.
  for (const matchId of await ctx.store.endedWithRows()) {
    await removeMatchChannels(ctx, matchId, log.child({ matchId }));
    log.info({ matchId }, 'sweep finished the clean-up of an ended match');
    ended++;
  }

  // Orphans are looked for in the single guild only, until matches are routed to many.
  if (!config.DISCORD_GUILD_ID) return { ended, orphans: 0, pruned };
  const guild = await guildOf(ctx.deps);
  const settings = await settingsOf(ctx, guild.id);
  // One fresh listing, so channels created by other copies are seen even if this cache lags.
  await discordOp('list guild channels', () => guild.channels.fetch());
  const orphaned = orphanChannels({
    template: settings.nameTemplate,
    knownChannelIds: await ctx.store.allChannelIds(),
    activeMatchIds: stillActive,
    bridgeChannels: bridgeVoiceChannels(guild, settings.categoryId),
  });
  let orphans = 0;
  for (const ch of orphaned) {
    await deleteChannel(guild, ch.id);
    log.info({ channelId: ch.id, name: ch.name }, 'sweep deleted orphan channel');
    orphans++;
  }
  await removeEmptyOverflow(guild, settings.categoryId);
  return { ended, orphans, pruned };
}
