import { describe, expect, it } from 'vitest';
import {
  isTemplateNickname,
  levelRoleChanges,
  NICK_MAX,
  nickTemplateProblem,
  renderNickname,
} from '../src/domain/level-roles.ts';

const mapping = ['r1', 'r2', 'r3', null, 'r5', 'r6', 'r7', 'r8', 'r9', 'r10'];

describe('level roles', () => {
  it('adds the level role and removes other level roles, keeping unrelated roles', () => {
    expect(levelRoleChanges(['staff', 'r2'], mapping, 3)).toEqual({ add: ['r3'], remove: ['r2'] });
  });
  it('asks for nothing when the member already has exactly the right role', () => {
    expect(levelRoleChanges(['staff', 'r3'], mapping, 3)).toEqual({ add: [], remove: [] });
  });
  it('an unmapped level takes the other level roles away; no level (unlinked) takes all', () => {
    expect(levelRoleChanges(['r3'], mapping, 4)).toEqual({ add: [], remove: ['r3'] });
    expect(levelRoleChanges(['r3', 'r9', 'x'], mapping, null)).toEqual({ add: [], remove: ['r3', 'r9'] });
  });
});

describe('nickname templates', () => {
  it('needs {nickname} or {level} and room within 32 characters', () => {
    expect(nickTemplateProblem('{nickname} [{level}]')).toBeNull();
    expect(nickTemplateProblem('[{level}]')).toBeNull();
    expect(nickTemplateProblem('FACEIT')).toMatch(/must contain \{nickname\} or \{level\}/);
    expect(nickTemplateProblem(`{nickname} ${'x'.repeat(31)}`)).toMatch(/no room/);
  });
  it('renders, shortening only the FACEIT nickname to fit 32 characters', () => {
    expect(renderNickname('{nickname} [{level}]', 'Alice', 7)).toBe('Alice [7]');
    const long = renderNickname('{nickname} [{level}]', 'A'.repeat(40), 10);
    expect(long).toHaveLength(NICK_MAX);
    expect(long.endsWith('… [10]')).toBe(true);
  });
  it('recognises the nickname the template gave (at any level), not one the member chose', () => {
    expect(isTemplateNickname('Alice [4]', '{nickname} [{level}]', 'Alice')).toBe(true);
    expect(isTemplateNickname('Ally', '{nickname} [{level}]', 'Alice')).toBe(false);
    expect(isTemplateNickname(null, '{nickname} [{level}]', 'Alice')).toBe(false);
  });
});
