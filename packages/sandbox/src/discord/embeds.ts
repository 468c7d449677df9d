/**
 * Discord's embed and component limits for messages (developers/resources/message.mdx, "Embed Limits";
 * developers/components/reference.mdx, Button). Any breach is 50035 Invalid Form Body naming the field.
 */
import { Errors } from './errors.ts';

export const EMBED_LIMITS = {
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Every title, description, field name/value, footer text and author name of all embeds together. */
  total: 6000,
} as const;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, path: string, max: number, required = false): number {
  if (v === undefined || v === null) {
    if (required) throw Errors.required(path);
    return 0;
  }
  if (typeof v !== 'string') throw Errors.form(path, 'BASE_TYPE_STRING', 'Must be a string.');
  if (required && v.length === 0) throw Errors.required(path);
  if (v.length > max) {
    throw Errors.form(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }
  return v.length;
}

/** Validates `embeds` of a create or edit (50035 on the first breach). */
export function checkEmbeds(embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) throw Errors.form('embeds', 'BASE_TYPE_LIST', 'Must be a list.');
  if (embeds.length > EMBED_LIMITS.embeds) {
    throw Errors.form('embeds', 'BASE_TYPE_MAX_LENGTH', `Must be ${EMBED_LIMITS.embeds} or fewer in length.`);
  }
  let total = 0;
  embeds.forEach((raw, i) => {
    const p = `embeds.${i}`;
    if (!isRec(raw)) throw Errors.form(p, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    total += text(raw.title, `${p}.title`, EMBED_LIMITS.title);
    total += text(raw.description, `${p}.description`, EMBED_LIMITS.description);
    if (isRec(raw.footer)) total += text(raw.footer.text, `${p}.footer.text`, EMBED_LIMITS.footer, true);
    if (isRec(raw.author)) total += text(raw.author.name, `${p}.author.name`, EMBED_LIMITS.author, true);
    const fields = raw.fields;
    if (fields !== undefined && fields !== null) {
      if (!Array.isArray(fields)) throw Errors.form(`${p}.fields`, 'BASE_TYPE_LIST', 'Must be a list.');
      if (fields.length > EMBED_LIMITS.fields) {
        throw Errors.form(
          `${p}.fields`,
          'BASE_TYPE_MAX_LENGTH',
          `Must be ${EMBED_LIMITS.fields} or fewer in length.`,
        );
      }
      fields.forEach((f, j) => {
        const fp = `${p}.fields.${j}`;
        if (!isRec(f))
          throw Errors.form(fp, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
        total += text(f.name, `${fp}.name`, EMBED_LIMITS.fieldName, true);
        total += text(f.value, `${fp}.value`, EMBED_LIMITS.fieldValue, true);
      });
    }
  });
  if (total > EMBED_LIMITS.total) {
    throw Errors.form(
      'embeds',
      'MAX_EMBED_SIZE_EXCEEDED',
      `Embed size exceeds maximum size of ${EMBED_LIMITS.total}`,
    );
  }
}

/**
 * Buttons in action rows: a link button (style 5) needs a `url` and takes no `custom_id`; every other
 * style needs a `custom_id` and takes no `url` (50035 COMPONENT_… as Discord words them).
 */
export function checkButtons(components: unknown, path = 'components'): void {
  if (!Array.isArray(components)) return;
  components.forEach((c, i) => {
    if (!isRec(c)) return;
    const p = `${path}.${i}`;
    if (c.type === 2) {
      const link = c.style === 5;
      if (link && typeof c.url !== 'string') throw Errors.required(`${p}.url`);
      if (link && c.custom_id !== undefined) {
        throw Errors.form(
          `${p}.custom_id`,
          'COMPONENT_CUSTOM_ID_FORBIDDEN',
          'A link button cannot have a custom id',
        );
      }
      if (!link && c.url !== undefined) {
        throw Errors.form(`${p}.url`, 'COMPONENT_URL_FORBIDDEN', 'Only link buttons can have a url');
      }
      if (!link && typeof c.custom_id !== 'string') throw Errors.required(`${p}.custom_id`);
    }
    checkButtons(c.components, `${p}.components`);
  });
}
