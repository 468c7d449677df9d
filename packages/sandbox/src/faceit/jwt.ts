// RS256 signing for id_tokens, with the public key published as a JWKS (like /auth/v1/oauth/certs).
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

export class JwtSigner {
  private keys?: { privateKey: KeyObject; publicKey: KeyObject; kid: string };

  /** The key pair is made on first use: generating it costs tens of milliseconds. */
  private get key() {
    this.keys ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomUUID() };
    return this.keys;
  }

  sign(claims: Record<string, unknown>): string {
    const { privateKey, kid } = this.key;
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const { publicKey, kid } = this.key;
    return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] };
  }
}
