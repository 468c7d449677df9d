import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { DiscordStats, SessionLogEntry, StateSnapshot } from '@bridge/sandbox';
import { trackChild } from '@bridge/testbed';
import type { FleetDiscordConfig, FleetDiscordReady, TrafficDone } from './discord-child.ts';

/** The fleet's Discord emulator, running in its own process, driven through its control API. */
export class RemoteDiscord {
  readonly info: FleetDiscordReady;
  readonly #child: ChildProcess;
  readonly #control: string;

  private constructor(child: ChildProcess, info: FleetDiscordReady) {
    this.#child = child;
    this.info = info;
    this.#control = `${info.url}/_sandbox/discord`;
  }

  static async start(config: FleetDiscordConfig): Promise<RemoteDiscord> {
    const child = fork(join(import.meta.dirname, 'discord-child.ts'), [], {
      env: { ...process.env, FLEET_DISCORD: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    trackChild(child);
    const info = await new Promise<FleetDiscordReady>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the emulator process exited (${code})`)));
      child.on('message', (m: { ready?: FleetDiscordReady }) => {
        if (m.ready) resolve(m.ready);
      });
    });
    return new RemoteDiscord(child, info);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.#control}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  stats = () => this.#call<DiscordStats>('GET', '/stats');
  sessionLog = () => this.#call<SessionLogEntry[]>('GET', '/gateway/session-log');
  state = (guildId: string) => this.#call<StateSnapshot>('GET', `/guilds/${guildId}/state`);
  async addMember(guildId: string, username: string): Promise<string> {
    return (await this.#call<{ userId: string }>('POST', `/guilds/${guildId}/members`, { username })).userId;
  }
  setVoice = (guildId: string, userId: string, channelId: string | null) =>
    this.#call<void>('POST', '/voice', { guildId, userId, channelId });

  /** Voice changes of members who play in no match, across every other server; resolves when sent. */
  traffic(events: number, perSecond: number): Promise<TrafficDone> {
    return new Promise((resolve) => {
      const onMessage = (m: TrafficDone) => {
        if (m.done !== 'traffic') return;
        this.#child.off('message', onMessage);
        resolve(m);
      };
      this.#child.on('message', onMessage);
      this.#child.send({ cmd: 'traffic', events, perSecond });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
