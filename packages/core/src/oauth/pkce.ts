import * as oauth from 'oauth4webapi';

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** RFC 7636: 32 random octets, base64url, and its S256 challenge. */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/** 32 random octets (256 bits), base64url: unguessable and single use. */
export function createOAuthState(): string {
  return oauth.generateRandomState();
}
