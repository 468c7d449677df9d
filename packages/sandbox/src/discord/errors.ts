/** A Discord JSON error answer: `{ code, message, errors? }` with its HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly errors: unknown;

  constructor(status: number, code: number, message: string, errors?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  toJSON(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

const notFound = (code: number, message: string) => () => new ApiError(404, code, message);

export const Errors = {
  unknownChannel: notFound(10003, 'Unknown Channel'),
  unknownGuild: notFound(10004, 'Unknown Guild'),
  unknownMember: notFound(10007, 'Unknown Member'),
  unknownMessage: notFound(10008, 'Unknown Message'),
  unknownRole: notFound(10011, 'Unknown Role'),
  unknownUser: notFound(10013, 'Unknown User'),
  unknownWebhook: notFound(10015, 'Unknown Webhook'),
  unknownInteraction: notFound(10062, 'Unknown interaction'),
  unknownCommand: notFound(10063, 'Unknown application command'),
  notFound: () => new ApiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new ApiError(405, 0, '405: Method Not Allowed'),
  unauthorized: () => new ApiError(401, 0, '401: Unauthorized'),
  invalidWebhookToken: () => new ApiError(401, 50027, 'Invalid Webhook Token'),
  missingAccess: () => new ApiError(403, 50001, 'Missing Access'),
  missingPermissions: () => new ApiError(403, 50013, 'Missing Permissions'),
  cannotDm: () => new ApiError(403, 50007, 'Cannot send messages to this user'),
  emptyMessage: () => new ApiError(400, 50006, 'Cannot send an empty message'),
  wrongChannelType: () => new ApiError(400, 50024, 'Cannot execute action on this channel type'),
  notInVoice: () => new ApiError(400, 40032, 'Target user is not connected to voice.'),
  alreadyAcknowledged: () => new ApiError(400, 40060, 'Interaction has already been acknowledged.'),
  maxGuildChannels: () => new ApiError(400, 30013, 'Maximum number of guild channels reached (500)'),
  invalidJson: () => new ApiError(400, 50109, 'The request body contains invalid JSON.'),
  /** 50035 with one field error, e.g. form('parent_id', 'CHANNEL_PARENT_MAX_CHANNELS', '...'). */
  form: (field: string, code: string, message: string) =>
    new ApiError(400, 50035, 'Invalid Form Body', errorTree(field, code, message)),
  required: (field: string) =>
    new ApiError(
      400,
      50035,
      'Invalid Form Body',
      errorTree(field, 'BASE_TYPE_REQUIRED', 'This field is required'),
    ),
};

/**
 * The `errors` tree of a 50035: one level per key of the dotted path, array indexes as keys, the field's
 * `_errors` at the leaf (developers/reference.mdx, "Error Messages": `{"activities": {"0": {"platform":
 * {"_errors": [...]}}}}`).
 */
function errorTree(path: string, code: string, message: string): Record<string, unknown> {
  return path.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), {
    _errors: [{ code, message }],
  });
}
