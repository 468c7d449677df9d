import type { Stack } from '@bridge/testbed';

/** Invokes /link as `userId` and returns the Link button's URL from the ephemeral reply. */
export async function linkButtonUrl(stack: Stack, userId: string): Promise<{ url: URL; ephemeral: boolean }> {
  const record = await stack.discord.invokeCommand({ guildId: stack.guildId, userId, name: 'link' });
  const reply = await record.waitForReply();
  const rows = reply.components as { components: { style: number; url?: string }[] }[];
  const button = rows[0]?.components[0];
  if (!button?.url || button.style !== 5) throw new Error(`no link button in ${JSON.stringify(reply)}`);
  return { url: new URL(button.url), ephemeral: reply.ephemeral };
}

/** FACEIT's consent without a browser: the callback URL FACEIT would redirect to. */
export function consent(stack: Stack, authorizeUrl: URL, opts: { nickname?: string; deny?: boolean }): URL {
  const q = authorizeUrl.searchParams;
  return new URL(
    stack.faceit.authorize({
      clientId: q.get('client_id') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      state: q.get('state') ?? '',
      codeChallenge: q.get('code_challenge') ?? '',
      codeChallengeMethod: 'S256',
      scope: q.get('scope') ?? '',
      ...(opts.nickname ? { nickname: opts.nickname } : {}),
      ...(opts.deny ? { deny: true } : {}),
    }),
  );
}
