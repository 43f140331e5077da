/**
 * JSON Schema pieces every route group shares, so the OpenAPI document describes an error,
 * a bilingual text and the bearer requirement the same way everywhere.
 */

/** An error answer: stable code, English and Chinese message, the field at fault, validation issues. */
export const errorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    messageZh: { type: 'string' },
    field: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' }, messageZh: { type: 'string' } },
      },
    },
  },
} as const;

/** A text in Chinese and English. */
export const textSchema = { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } } as const;

/** The route needs `Authorization: Bearer <token>`. */
export const bearerSecurity = [{ bearer: [] }];
