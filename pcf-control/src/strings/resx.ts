/** Unescapes the five XML entities and numeric references, the only escapes a resx value holds. */
function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return named[lower] ?? entity;
  });
}

/**
 * The strings of a resx file by key, as the platform's `resources.getString` serves them. Used where there is no
 * platform to read them (the local host page and unit tests), which both refuse a missing key.
 */
export function parseResx(xml: string): Map<string, string> {
  const strings = new Map<string, string>();
  const entry = /<data\s+name="([^"]+)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g;
  for (const match of xml.matchAll(entry)) {
    const [, key, value] = match;
    if (key === undefined || value === undefined) continue;
    if (strings.has(key)) throw new Error(`resx: the key ${key} is defined twice`);
    strings.set(key, unescapeXml(value));
  }
  return strings;
}

/** `getString` over parsed resx strings that throws on a missing key, so a gap fails a test instead of showing a key. */
export function strictGetString(strings: ReadonlyMap<string, string>): (key: string) => string {
  return (key) => {
    const value = strings.get(key);
    if (value === undefined) throw new Error(`Missing resx string: ${key}`);
    return value;
  };
}
