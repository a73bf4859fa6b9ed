import type { Chat, ChatListItem, SystemNote } from '../../../lib/wire';

export type Role = 'owner' | 'admin' | 'member';

/** `userId`'s role in a group. */
export function roleOf(chat: Chat, userId: string): Role {
  if (chat.owner === userId) return 'owner';
  return chat.admins.includes(userId) ? 'admin' : 'member';
}

/** What the owner and admins may do to `target` (and what anyone may do to themselves). */
export function permissions(chat: Chat, me: string, target: string) {
  const mine = roleOf(chat, me);
  const theirs = roleOf(chat, target);
  const manages = mine !== 'member';
  return {
    rename: manages,
    add: manages,
    remove: target !== me && (mine === 'owner' || (mine === 'admin' && theirs === 'member')),
    changeRole: mine === 'owner' && target !== me,
  };
}

/** Names of a chat's people as this client knows them: the group's members, or the 1:1 peer. */
export function memberNames(item: ChatListItem | undefined, meId: string): Map<string, string> {
  const names = new Map<string, string>();
  if (!item) return names;
  for (const u of item.members) names.set(u._id, u.name);
  if (item.user) names.set(item.user._id, item.user.name);
  names.set(meId, 'You');
  return names;
}

function list(names: string[]): string {
  if (names.length <= 1) return names[0] ?? 'someone';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** A group's notice as a sentence, e.g. "Ada added Bob and Cy". Unknown people (gone since) are "a former member". */
export function systemText(note: SystemNote, actor: string, nameOf: (id: string) => string | undefined): string {
  const name = (id: string) => nameOf(id) ?? 'a former member';
  // "You" starts a sentence; as its object, I am "you".
  const object = (id: string) => (name(id) === 'You' ? 'you' : name(id));
  const who = name(actor);
  const users = list(note.users.map(object));
  switch (note.kind) {
    case 'chat.created':
      return `${who} created the group “${note.name ?? ''}”`;
    case 'member.added':
      return `${who} added ${users}`;
    case 'member.removed': {
      const left = note.users.length === 1 && note.users[0] === actor;
      const base = left ? `${who} left` : `${who} removed ${users}`;
      if (!note.newOwner) return base;
      const heir = name(note.newOwner);
      return `${base}. ${heir} ${heir === 'You' ? 'own' : 'owns'} the group now`;
    }
    case 'chat.renamed':
      return `${who} renamed the group to “${note.name ?? ''}”`;
    case 'member.role_changed':
      return `${who} made ${users} ${note.role === 'admin' ? 'an admin' : 'a member'}`;
    default:
      return `${who} changed the group`;
  }
}
