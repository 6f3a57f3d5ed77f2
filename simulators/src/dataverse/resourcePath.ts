import { queryError } from './errors';

/** One segment of a resource path: `opportunities(5d8c…)` is `{ name: 'opportunities', key: '5d8c…' }`. */
export interface PathSegment {
  name: string;
  key?: string;
}

/** Splits a path relative to the service root into segments, honouring parentheses and quotes in keys. */
export function parseResourcePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  const flush = () => {
    if (current === '') return;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      throw queryError(`Bad Request - Error in query syntax: the segment '${current}' is not valid.`);
    }
    const match = /^([^()]+)(?:\((.*)\))?$/s.exec(decoded);
    if (!match?.[1])
      throw queryError(`Bad Request - Error in query syntax: the segment '${decoded}' is not valid.`);
    segments.push(match[2] === undefined ? { name: match[1] } : { name: match[1], key: match[2] });
    current = '';
  };
  for (const char of path) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth += 1;
    if (!quoted && char === ')') depth -= 1;
    if (char === '/' && depth === 0 && !quoted) flush();
    else current += char;
  }
  flush();
  return segments;
}
