import { describe, expect, it } from 'vitest';
import type { Chat, SystemNote } from '../../../lib/wire';
import { permissions, roleOf, systemText } from './group';

const names = new Map([
  ['a', 'You'],
  ['b', 'Bob'],
  ['c', 'Cy'],
]);
const nameOf = (id: string) => names.get(id);
const note = (n: Partial<SystemNote>): SystemNote => ({ kind: 'member.added', users: [], name: null, role: null, newOwner: null, ...n });

describe('systemText', () => {
  it('says who did what to whom', () => {
    expect(systemText(note({ kind: 'chat.created', name: 'Launch', users: ['b'] }), 'a', nameOf)).toBe('You created the group “Launch”');
    expect(systemText(note({ users: ['b', 'c'] }), 'a', nameOf)).toBe('You added Bob and Cy');
    expect(systemText(note({ kind: 'member.removed', users: ['b'] }), 'b', nameOf)).toBe('Bob left');
    expect(systemText(note({ kind: 'member.removed', users: ['c'] }), 'b', nameOf)).toBe('Bob removed Cy');
    expect(systemText(note({ kind: 'member.removed', users: ['z'], newOwner: 'b' }), 'z', nameOf)).toBe(
      'a former member left. Bob owns the group now',
    );
    expect(systemText(note({ kind: 'chat.renamed', name: 'Liftoff' }), 'c', nameOf)).toBe('Cy renamed the group to “Liftoff”');
    expect(systemText(note({ kind: 'member.role_changed', users: ['c'], role: 'admin' }), 'a', nameOf)).toBe('You made Cy an admin');
    expect(systemText(note({ kind: 'member.role_changed', users: ['a'], role: 'admin' }), 'c', nameOf)).toBe('Cy made you an admin');
    expect(systemText(note({ kind: 'member.removed', users: ['c'], newOwner: 'a' }), 'c', nameOf)).toBe('Cy left. You own the group now');
  });
});

describe('permissions', () => {
  const chat = { owner: 'a', admins: ['b'] } as unknown as Chat;
  it('follows the server rules', () => {
    expect(roleOf(chat, 'c')).toBe('member');
    expect(permissions(chat, 'a', 'b')).toEqual({ rename: true, add: true, remove: true, changeRole: true });
    expect(permissions(chat, 'b', 'a').remove).toBe(false);
    expect(permissions(chat, 'b', 'c').remove).toBe(true);
    expect(permissions(chat, 'b', 'c').changeRole).toBe(false);
    expect(permissions(chat, 'c', 'b')).toEqual({ rename: false, add: false, remove: false, changeRole: false });
  });
});
