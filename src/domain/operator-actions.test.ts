import { describe, expect, it } from 'vitest';
import { tellAccountAction, type OperatorActionKind } from './operator-actions.js';
import { draftOf, main } from './test-accounts.js';
import type { AccountStatus } from './accounts.js';

describe('tellAccountAction', () => {
  it.each<[OperatorActionKind, AccountStatus, string | null]>([
    ['suspend', 'active', 'account.suspended'],
    ['suspend', 'suspended', null],
    ['resume', 'suspended', 'account.resumed'],
    ['resume', 'active', null],
    ['rotate-key', 'active', 'account.key_rotated'],
    ['rotate-key', 'suspended', 'account.key_rotated'],
  ])('%s of an account %s tells %s', (action, status, type) => {
    const draft = draftOf({ ...main, status });
    tellAccountAction(draft, main.id, action, new Date(0));
    const events = draft.changes().events;
    expect(events.map((event) => event.type)).toEqual(type === null ? [] : [type]);
    if (type === 'account.suspended')
      expect(JSON.parse(events[0]!.data)).toMatchObject({ status: 'suspended' });
  });
});
