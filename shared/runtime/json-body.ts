import type { z } from 'zod';

/** A queue message's JSON body checked against its schema; a body that is not JSON fails the same way as a bad shape. */
export const parseJsonBody = <S extends z.ZodType>(schema: S, body: string) => {
  let value: unknown = null;
  try {
    value = JSON.parse(body);
  } catch {
    // not JSON: null fails the schema with its message
  }
  return schema.safeParse(value) as z.ZodSafeParseResult<z.output<S>>;
};
