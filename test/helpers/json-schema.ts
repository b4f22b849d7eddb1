/**
 * A small JSON Schema checker for the subset our OpenAPI document uses (type incl. type
 * arrays, enum, required, properties, additionalProperties: false, items, oneOf, minimum,
 * maximum, format: date-time, $ref into components). It returns every violation with its
 * path, so a failing API test says exactly which field disagrees with the document.
 */
export type Schema = Record<string, unknown>;

export function validate(value: unknown, schema: Schema, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], root);
    if (!target) return [`${path}: unresolvable $ref ${schema.$ref}`];
    return validate(value, target as Schema, root, path);
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((option) => validate(value, option, root, path).length === 0);
    return passing.length === 1 ? [] : [`${path}: matches ${passing.length} of oneOf (need exactly 1): ${JSON.stringify(value)?.slice(0, 80)}`];
  }
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) return [`${path}: expected ${types.join('|')}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    errors.push(`${path}: "${value}" is not an RFC 3339 date-time`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...validate(item, schema.items as Schema, root, `${path}[${i}]`)));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${path}: missing required "${key}"`);
    for (const [key, child] of Object.entries(object)) {
      if (properties[key]) errors.push(...validate(child, properties[key], root, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: property "${key}" is not in the schema`);
    }
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}
