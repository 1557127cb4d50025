/**
 * EventBridge event-pattern matching, the subset Quittance's topology uses: exact values, prefix, suffix,
 * equals-ignore-case, anything-but and exists, on nested fields; an array in the event matches when any
 * element does. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const matchScalar = (condition: unknown, value: Json | undefined): boolean => {
  if (!isObject(condition)) return value !== undefined && condition === value;
  if ('exists' in condition) return condition.exists ? value !== undefined : value === undefined;
  if (value === undefined) return false;
  if ('prefix' in condition) return typeof value === 'string' && value.startsWith(String(condition.prefix));
  if ('suffix' in condition) return typeof value === 'string' && value.endsWith(String(condition.suffix));
  if ('equals-ignore-case' in condition) {
    return typeof value === 'string' && value.toLowerCase() === String(condition['equals-ignore-case']).toLowerCase();
  }
  if ('anything-but' in condition) {
    const excluded = condition['anything-but'];
    if (isObject(excluded) && 'prefix' in excluded) {
      return !(typeof value === 'string' && value.startsWith(String(excluded.prefix)));
    }
    return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
  }
  throw new Error(`unsupported event pattern operator: ${JSON.stringify(condition)}`);
};

const matchField = (conditions: unknown, value: Json | undefined): boolean => {
  if (!Array.isArray(conditions))
    throw new Error(`event pattern leaf must be an array, got ${JSON.stringify(conditions)}`);
  const values: (Json | undefined)[] = Array.isArray(value) ? (value.length ? value : [undefined]) : [value];
  return conditions.some((c) => values.some((v) => matchScalar(c, v)));
};

export const matchesPattern = (pattern: Record<string, unknown>, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([field, condition]) => {
    const value = event[field] as Json | undefined;
    if (isObject(condition)) return isObject(value) && matchesPattern(condition, value);
    return matchField(condition, value);
  });
