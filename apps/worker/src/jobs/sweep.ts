import { channelNamePattern, FaceitNotFoundError, type Logger, shortId, sweepVerdict } from '@bridge/core';
import { bridgeVoiceChannels, deleteChannel, removeEmptyOverflow } from '../discord/channels.ts';
import { discordOp } from '../discord/errors.ts';
import { finishMatch } from './finish-match.ts';
import { guildOf, type MatchContext } from './match-context.ts';

/**
 * Periodic clean-up: ends matches FACEIT reports as ended (or too old) through the same path as
 * matchFinished, finishes the clean-up of ended matches that still have rows, then deletes channels this bridge created (deterministic name AND bot marker, in the
 * managed categories) that no row and no active match knows. Never touches anything else.
 */
export async function runSweep(ctx: MatchContext, log: Logger): Promise<{ ended: number; orphans: number }> {
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

  // Ended matches whose rows outlived their clean-up (a job that failed or died half-way): their
  // channels would otherwise count as known forever.
  for (const matchId of await ctx.store.endedWithRows()) {
    await finishMatch(ctx, matchId, log.child({ matchId }));
    log.info({ matchId }, 'sweep finished the clean-up of an ended match');
    ended++;
  }

  const guild = await guildOf(ctx.deps);
  // One fresh listing, so channels created by other copies are seen even if this cache lags.
  await discordOp('list guild channels', () => guild.channels.fetch());
  const known = await ctx.store.allChannelIds();
  const any = channelNamePattern(config.VC_NAME_TEMPLATE);
  const active = stillActive.map((id) => channelNamePattern(config.VC_NAME_TEMPLATE, shortId(id)));
  let orphans = 0;
  for (const ch of bridgeVoiceChannels(guild, config.VC_CATEGORY_ID)) {
    if (!any.test(ch.name) || known.has(ch.id) || active.some((p) => p.test(ch.name))) continue;
    await deleteChannel(guild, ch.id);
    log.info({ channelId: ch.id, name: ch.name }, 'sweep deleted orphan channel');
    orphans++;
  }
  await removeEmptyOverflow(guild, config.VC_CATEGORY_ID);
  return { ended, orphans };
}
