import { useId, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { X } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { Button } from '../../../components/ui/Button';
import { IconButton } from '../../../components/ui/IconButton';
import { Modal } from '../../../components/ui/Modal';
import { ApiError } from '../../../lib/api';
import { queryKeys } from '../../../lib/queryKeys';
import type { ChatListItem, User } from '../../../lib/wire';
import { addMembers, removeMember, renameGroup, setRole } from '../api/groupsApi';
import { permissions, roleOf } from '../model/group';
import { PeoplePicker } from './PeoplePicker';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: '' } as const;

/** A group's name and members, with what my role lets me change: rename, add, remove, make admin, leave. */
export function GroupInfo({ item, meId, onClose }: { item: ChatListItem; meId: string; onClose: () => void }) {
  const { chat } = item;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(chat.name ?? '');
  const [adding, setAdding] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const nameId = useId();
  const mine = permissions(chat, meId, meId);

  const run = async (what: string, action: () => Promise<unknown>) => {
    setBusy(what);
    setError(null);
    try {
      await action();
      await queryClient.invalidateQueries({ queryKey: queryKeys.chats });
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work. Try again.');
      return false;
    } finally {
      setBusy(null);
    }
  };

  const members = [...item.members].sort((a, b) => rank(roleOf(chat, a._id)) - rank(roleOf(chat, b._id)));

  return (
    <Modal label="Group info" onClose={onClose}>
      <div className="flex max-h-[90vh] w-[min(92vw,30rem)] flex-col gap-4 overflow-y-auto focus-inset rounded-2xl border border-white/10 bg-gray-800 p-5 shadow-2xl">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold text-white">Group info</h2>
          <IconButton label="Close" onClick={onClose}>
            <X size={18} aria-hidden="true" />
          </IconButton>
        </div>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && name.trim() !== chat.name) void run('rename', () => renameGroup(chat._id, name.trim()));
          }}
        >
          <div className="min-w-0 flex-1">
            <label htmlFor={nameId} className="mb-1 block text-sm text-gray-300">
              Name
            </label>
            <input
              id={nameId}
              value={name}
              maxLength={80}
              readOnly={!mine.rename}
              onChange={(e) => setName(e.target.value)}
              data-testid="group-rename"
              className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/60 px-3 text-sm text-gray-100 read-only:text-gray-300 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
            />
          </div>
          {mine.rename && (
            <Button type="submit" variant="secondary" loading={busy === 'rename'} disabled={!name.trim() || name.trim() === chat.name} data-testid="save-name">
              Save
            </Button>
          )}
        </form>

        <section aria-label="Members">
          <h3 className="mb-2 text-sm font-medium text-gray-300">{members.length} members</h3>
          <ul className="space-y-1" data-testid="group-members">
            {members.map((u) => {
              const role = roleOf(chat, u._id);
              const can = permissions(chat, meId, u._id);
              return (
                <li key={u._id} className="flex min-h-12 items-center gap-3 rounded-xl px-2 py-1" data-testid="group-member" data-role={role}>
                  <Avatar name={u.name} seed={u._id} size="sm" />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-gray-100">{u._id === meId ? `${u.name} (you)` : u.name}</span>
                    {ROLE_LABEL[role] && <span className="text-xs text-blue-300">{ROLE_LABEL[role]}</span>}
                  </span>
                  {can.changeRole && role !== 'owner' && (
                    <Button
                      variant="ghost"
                      className="text-xs"
                      loading={busy === `role:${u._id}`}
                      onClick={() => void run(`role:${u._id}`, () => setRole(chat._id, u._id, role === 'admin' ? 'member' : 'admin'))}
                    >
                      {role === 'admin' ? 'Make member' : 'Make admin'}
                    </Button>
                  )}
                  {can.remove && (
                    <Button
                      variant="ghost"
                      className="text-xs text-red-200"
                      aria-label={`Remove ${u.name}`}
                      loading={busy === `remove:${u._id}`}
                      onClick={() => void run(`remove:${u._id}`, () => removeMember(chat._id, u._id))}
                    >
                      Remove
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>

        {mine.add && (
          <section aria-label="Add members" className="space-y-2">
            <PeoplePicker picked={adding} onChange={setAdding} exclude={new Set(chat.users)} />
            {adding.length > 0 && (
              <Button
                data-testid="add-members"
                loading={busy === 'add'}
                onClick={() =>
                  void run('add', () => addMembers(chat._id, adding.map((u) => u._id))).then((ok) => ok && setAdding([]))
                }
              >
                Add {adding.length === 1 ? adding[0]?.name : `${adding.length} people`}
              </Button>
            )}
          </section>
        )}

        {error && (
          <p role="alert" className="text-sm text-red-300">
            {error}
          </p>
        )}

        <div className="border-t border-white/10 pt-3">
          {confirmLeave ? (
            <div className="flex flex-wrap items-center gap-2">
              <span className="text-sm text-gray-200">
                Leave “{chat.name}”?{chat.owner === meId && members.length > 1 ? ' Someone else will own it.' : ''}
              </span>
              <Button
                variant="danger"
                data-testid="confirm-leave"
                loading={busy === 'leave'}
                onClick={() =>
                  void run('leave', () => removeMember(chat._id, meId)).then((ok) => {
                    if (!ok) return;
                    onClose();
                    navigate('/chat');
                  })
                }
              >
                Leave
              </Button>
              <Button variant="ghost" onClick={() => setConfirmLeave(false)}>
                Stay
              </Button>
            </div>
          ) : (
            <Button variant="ghost" className="text-red-200" onClick={() => setConfirmLeave(true)} data-testid="leave-group">
              Leave group
            </Button>
          )}
        </div>
      </div>
    </Modal>
  );
}

function rank(role: 'owner' | 'admin' | 'member'): number {
  return role === 'owner' ? 0 : role === 'admin' ? 1 : 2;
}
