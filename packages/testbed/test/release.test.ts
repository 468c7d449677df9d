import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// One version for the whole repository, a changelog section for it, a licence, and a previous release that
// git knows (the previous-release test checks it out).

const root = join(import.meta.dirname, '../../..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const release = JSON.parse(read('release.json')) as {
  version: string;
  previous: { version: string; commit: string };
};

describe('the release', () => {
  it('every package.json carries release.json version', () => {
    expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
    const manifests = execFileSync(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', '*package.json'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((f) => f.endsWith('package.json') && !f.includes('node_modules'));
    expect(manifests.length).toBeGreaterThanOrEqual(7);
    for (const f of manifests) expect(JSON.parse(read(f)).version, f).toBe(release.version);
  });

  it('the changelog has a section for it and the licence is MIT', () => {
    expect(read('CHANGELOG.md')).toMatch(
      new RegExp(`^## .*\\b${release.version.replaceAll('.', '\\.')}\\b`, 'm'),
    );
    expect(read('LICENSE')).toMatch(/^MIT License$/m);
    expect(JSON.parse(read('package.json')).license).toBe('MIT');
  });

  it('the previous release is a commit of this repository, older than this one', () => {
    expect(release.previous.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(
      execFileSync('git', ['cat-file', '-t', release.previous.commit], {
        cwd: root,
        encoding: 'utf8',
      }).trim(),
    ).toBe('commit');
    // An ancestor of HEAD: the release before, not a branch beside it.
    execFileSync('git', ['merge-base', '--is-ancestor', release.previous.commit, 'HEAD'], { cwd: root });
  });
});
