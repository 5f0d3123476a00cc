import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link of the README, the changelog and docs/*.md points to a file
 * or folder that exists, and every `#anchor` to a heading of its page. Links with
 * a scheme (https:, mailto:) are the web's and not followed.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const pages = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text outside code: fenced blocks and inline code spans hold no links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets of `[text](target)` and `![alt](target)`, without an optional title. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    targets.push(match[1]!);
  }
  return targets;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const headings = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm);
  for (const [, heading] of headings) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** The links of one Markdown file that lead nowhere, each with the reason. */
function brokenLinks(file: string): string[] {
  const markdown = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [pathPart = '', anchor] = target.split('#', 2);
    const linked = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(linked)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!linked.endsWith('.md') || statSync(linked).isDirectory()) {
      broken.push(`${target}: an anchor on a file that is not Markdown`);
    } else if (!headingAnchors(readFileSync(linked, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
      broken.push(`${target}: no heading with that anchor`);
    }
  }
  return broken;
}

describe('documentation links', () => {
  it.each(pages)('%s links only to what exists', (page) => {
    expect(brokenLinks(path.join(root, page))).toEqual([]);
  });

  it('sees a missing file, a missing anchor and a missing heading of another page', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tirelire-links-'));
    try {
      writeFileSync(path.join(folder, 'other.md'), '# Other page\n\n## The `x` rule, again\n');
      const page = path.join(folder, 'page.md');
      writeFileSync(
        page,
        [
          '# A page',
          '[fine](other.md), [fine too](other.md#the-x-rule-again), [self](#a-page), [web](https://example.com/x)',
          '[gone](missing.md) ![gone image](img/none.png) [no anchor](#nowhere) [no heading](other.md#missing)',
          '`[in code](ignored.md)`',
          '```md\n[in a fence](ignored-too.md)\n```',
        ].join('\n\n'),
      );
      expect(brokenLinks(page)).toEqual([
        'missing.md: no such file',
        'img/none.png: no such file',
        '#nowhere: no heading with that anchor',
        'other.md#missing: no heading with that anchor',
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
