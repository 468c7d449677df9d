import { REST, Routes } from 'discord.js';

/**
 * Reads the daily IDENTIFY budget (`GET /gateway/bot`, session_start_limit.remaining) for
 * `bridge_gateway_identify_remaining`, in every gateway mode. Its own REST handle: the read does not wait
 * behind the client's queues, and works before the gateway login (when the budget matters most).
 */
export function identifyBudgetReader(token: string, apiUrl: string): () => Promise<number> {
  const rest = new REST({ api: apiUrl, timeout: 5000, retries: 0 }).setToken(token);
  // One route read once a minute at most: nothing for the sweepers to do, and their timers would keep the process up.
  rest.clearHashSweeper();
  rest.clearHandlerSweeper();
  return async () => {
    const gw = (await rest.get(Routes.gatewayBot())) as { session_start_limit: { remaining: number } };
    return gw.session_start_limit.remaining;
  };
}
