import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

/** A relative link in a markdown file that does not lead to a file (or heading) inside the repository. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'out', 'reports', 'coverage', '.local']);
const markdown = new MarkdownIt({ html: true });
type Token = ReturnType<MarkdownIt['parse']>[number];

/** Every `.md` file under `root`, as paths relative to it, skipping installed and generated folders. */
export function markdownFiles(root: string, folder = root): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) files.push(...markdownFiles(root, join(folder, entry.name)));
    } else if (entry.name.endsWith('.md')) {
      files.push(relative(root, join(folder, entry.name)));
    }
  }
  return files.sort();
}

interface Link {
  target: string;
  line: number;
}

function linksIn(tokens: Token[]): Link[] {
  const links: Link[] = [];
  let line = 0;
  const visit = (list: Token[]) => {
    for (const token of list) {
      if (token.map) line = token.map[0] + 1;
      const target = token.type === 'link_open' ? token.attrGet('href') : null;
      if (target !== null) links.push({ target, line });
      if (token.children) visit(token.children);
    }
  };
  visit(tokens);
  return links;
}

/** The anchors GitHub gives a file's headings (`## Quick start` → `quick-start`). */
function anchorsOf(path: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = markdown.parse(readFileSync(path, 'utf8'), {});
  const anchors = new Set<string>();
  tokens.forEach((token, index) => {
    const inline = tokens[index + 1];
    if (token.type === 'heading_open' && inline?.type === 'inline') anchors.add(slugger.slug(inline.content));
  });
  return anchors;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/**
 * Relative links (and their `#anchors`) in every markdown file under `root` that lead nowhere, or out of the
 * repository: a clone holds only what is inside it.
 */
export function brokenLinks(root: string): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    let found = anchorCache.get(path);
    if (!found) {
      found = anchorsOf(path);
      anchorCache.set(path, found);
    }
    return found;
  };
  for (const file of markdownFiles(root)) {
    const absolute = join(root, file);
    for (const { target, line } of linksIn(markdown.parse(readFileSync(absolute, 'utf8'), {}))) {
      if (isExternal(target)) continue;
      const [rawPath = '', anchor] = target.split('#', 2);
      const path = decodeURIComponent(rawPath);
      const destination = path === '' ? absolute : resolve(dirname(absolute), path);
      const report = (problem: string) => broken.push({ file, line, target, problem });
      if (destination !== root && !destination.startsWith(root + sep)) {
        report('leads outside the repository');
      } else if (!existsSync(destination)) {
        report('no such file');
      } else if (anchor && statSync(destination).isFile() && destination.endsWith('.md')) {
        if (!anchors(destination).has(anchor)) report(`no heading #${anchor}`);
      }
    }
  }
  return broken;
}
