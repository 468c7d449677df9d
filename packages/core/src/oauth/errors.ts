/** FACEIT said no to this sign-in for good (`invalid_grant`, a bad userinfo answer, …): retrying cannot help. */
export class OAuthGrantError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'OAuthGrantError';
    this.code = code;
  }
}

/** FACEIT rejected the bridge's own OAuth settings: an operator has to fix `settings`, not the person. */
export class OAuthConfigError extends Error {
  readonly code: string;
  readonly settings: readonly string[];
  constructor(code: string, settings: readonly string[], message: string) {
    super(message);
    this.name = 'OAuthConfigError';
    this.code = code;
    this.settings = settings;
  }
}

/** The code never reached FACEIT (connection refused, rate limited before processing): safe to present later. */
export class OAuthNotSentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthNotSentError';
  }
}

/** FACEIT failed after the code may have been presented (timeout, 5xx, malformed answer): final for this code. */
export class OAuthUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthUnavailableError';
  }
}
