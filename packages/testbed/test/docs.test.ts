import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { JOB_CATALOG } from '@bridge/core';
import { describe, expect, it } from 'vitest';

// The docs are read by whoever comes next: what they name must be there. Checked against the files git
// tracks, so a fresh clone sees what a reader sees.

const root = resolve(import.meta.dirname, '../../..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const tracked = git('ls-files').split('\n').filter(Boolean);
const topLevel = new Set(tracked.map((p) => p.split('/')[0]));
const docs = ['README.md', ...tracked.filter((p) => /^docs\/[^/]+\.md$/.test(p))];
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const FILE_LIKE = /\.(ts|js|mjs|json|md|sql|sh|ya?ml|example|toml|png)$/;

/**
 * A backticked name that reads as a path of this repository: a folder (`gateway/`), a file with a known
 * extension (`matches/fan-out.ts`), or anything under a top-level entry (`apps/worker/src/main.ts`).
 * `:12` / `:12-20` line suffixes and `#anchors` are dropped; names with placeholders or globs are not paths.
 */
function repoPaths(text: string): { path: string; line: number }[] {
  const out: { path: string; line: number }[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [, raw = ''] of line.matchAll(/`([^`\n]+)`/g)) {
      const path =
        raw
          .trim()
          .replace(/:\d+(-\d+)?$/, '')
          .split('#')[0] ?? '';
      if (!/^[\w.@-]+(\/[\w.@-]+)*\/?$/.test(path)) continue;
      const underTop = path.includes('/') && topLevel.has(path.split('/')[0] ?? '');
      if (path.endsWith('/') || FILE_LIKE.test(path) || underTop) out.push({ path, line: i + 1 });
    }
  });
  return out;
}

/**
 * Whether `path` names something in the repo: from the root, or — as the layout tables and prose name
 * files inside the folder they are about — as the end of a tracked path. Outputs git ignores (a
 * benchmark's results file) count as named on purpose.
 */
function exists(path: string): boolean {
  if (existsSync(join(root, path))) return true;
  const ignored = (() => {
    try {
      git('check-ignore', '-q', '--no-index', path);
      return true;
    } catch {
      return false;
    }
  })();
  if (ignored) return true;
  if (path.endsWith('/')) return tracked.some((t) => `/${t}`.includes(`/${path}`));
  return tracked.some((t) => t === path || t.endsWith(`/${path}`));
}

describe('docs name what is there', () => {
  it('every backticked repository path in README.md and docs/*.md exists', () => {
    const missing = docs.flatMap((doc) =>
      repoPaths(read(doc))
        .filter(({ path }) => !exists(path))
        .map(({ path, line }) => `${doc}:${line} ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it("the queue table in docs/architecture.md lists exactly the catalog's queues and jobs", () => {
    const rows = read('docs/architecture.md')
      .split('\n')
      .flatMap((line) => {
        const m = /^\| `([a-z]+)` \| `([a-zA-Z]+)` \|/.exec(line);
        return m ? [`${m[1]} ${m[2]}`] : [];
      });
    const catalog = Object.entries(JOB_CATALOG).flatMap(([queue, { jobs }]) =>
      Object.keys(jobs).map((job) => `${queue} ${job}`),
    );
    expect(rows.sort()).toEqual(catalog.sort());
  });

  it('no markdown file names a path of some machine or links outside the repository', () => {
    const problems: string[] = [];
    for (const doc of tracked.filter((p) => p.endsWith('.md'))) {
      read(doc)
        .split('\n')
        .forEach((line, i) => {
          if (/(^|[\s`("'])(\/work|\/home|\/Users|\/tmp|\/root)\//.test(line)) {
            problems.push(`${doc}:${i + 1} names an absolute path`);
          }
          for (const [, target = ''] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
            if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
            const to = normalize(join(dirname(doc), target.split('#')[0] ?? ''));
            if (relative(root, join(root, to)).startsWith('..') || !existsSync(join(root, to))) {
              problems.push(`${doc}:${i + 1} links ${target}, which is not in the repository`);
            }
          }
        });
    }
    expect(problems).toEqual([]);
  });
});
