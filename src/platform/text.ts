// What the engines cannot store and the code cannot handle, found before anything is written: PostgreSQL refuses
// a NUL character in text (the whole statement fails) and stores a lone UTF-16 surrogate as U+FFFD (so two
// different ids become one); deeply nested JSON overflows the stack of JSON.stringify. One iterative walk (it
// cannot overflow itself) checks every string, key, depth and size of a decoded JSON value and names the field.

export interface TextIssue {
  field: string;
  message: string;
}

/** A NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unsafeTextReason(s: string): string | null {
  const m = UNSAFE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'contains a NUL character' : 'contains a lone UTF-16 surrogate (not valid Unicode)';
}

export interface JsonLimits {
  /** Nesting levels below the value itself (an object in an object is depth 2). */
  maxDepth: number;
  /** Strings, numbers, booleans, nulls, keys, objects and arrays counted together. */
  maxNodes: number;
}

const DEFAULT_LIMITS: JsonLimits = { maxDepth: 64, maxNodes: 1_000_000 };

/**
 * The first problem in a decoded JSON value, with its dotted path below `prefix`, or null when it is safe to store.
 * Values that are not JSON (functions, bigints, non-finite numbers) are problems too.
 */
export function jsonIssue(value: unknown, prefix = '', limits: JsonLimits = DEFAULT_LIMITS): TextIssue | null {
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: prefix, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (++nodes > limits.maxNodes) return { field: prefix || '(body)', message: `more than ${limits.maxNodes} values` };
    if (v === null || typeof v === 'boolean' || v === undefined) continue;
    if (typeof v === 'string') {
      const why = unsafeTextReason(v);
      if (why) return { field: path || '(body)', message: why };
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field: path || '(body)', message: 'not a finite number' };
      continue;
    }
    if (typeof v !== 'object') return { field: path || '(body)', message: 'not a JSON value' };
    // Raw bodies (uploads parsed as a Buffer) are the route's to check.
    if (ArrayBuffer.isView(v)) continue;
    if (depth >= limits.maxDepth) return { field: path || '(body)', message: `nested more than ${limits.maxDepth} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: join(path, String(i)), depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      const why = unsafeTextReason(k);
      // The key itself is the bad text; name the field by its position, not by the unprintable key.
      if (why) return { field: join(path, `(key ${i})`), message: `a key ${why}` };
      nodes++;
      stack.push({ v: child, path: join(path, k), depth: depth + 1 });
    }
  }
  return null;
}
