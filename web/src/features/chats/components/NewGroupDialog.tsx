import { useId, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { Button } from '../../../components/ui/Button';
import { Modal } from '../../../components/ui/Modal';
import { ApiError } from '../../../lib/api';
import { newClientId } from '../../../lib/clientId';
import { queryKeys } from '../../../lib/queryKeys';
import type { User } from '../../../lib/wire';
import { createGroup } from '../api/groupsApi';
import { PeoplePicker } from './PeoplePicker';

const MAX_NAME = 80;

/** Name a group and pick its first members; I become its owner. */
export function NewGroupDialog({ meId, onClose }: { meId: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const [people, setPeople] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per dialog: a retried click after a lost answer creates the group once.
  const clientId = useRef(newClientId());
  const nameId = useId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const ready = name.trim().length > 0 && people.length > 0;

  const submit = async () => {
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const chatId = await createGroup(name.trim(), people.map((p) => p._id), clientId.current);
      await queryClient.invalidateQueries({ queryKey: queryKeys.chats });
      onClose();
      navigate(`/chat/${chatId}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not create the group. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal label="New group" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        className="w-[min(92vw,28rem)] space-y-4 rounded-2xl border border-white/10 bg-gray-800 p-5 shadow-2xl"
      >
        <h2 className="text-lg font-semibold text-white">New group</h2>
        <div>
          <label htmlFor={nameId} className="mb-1 block text-sm text-gray-300">
            Name
          </label>
          <input
            id={nameId}
            value={name}
            maxLength={MAX_NAME}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Launch team"
            data-testid="group-name"
            className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/60 px-3 text-sm text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
          />
        </div>
        <PeoplePicker picked={people} onChange={setPeople} exclude={new Set([meId])} label="Members" />
        {error && (
          <p role="alert" className="text-sm text-red-300">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={!ready} loading={busy} data-testid="create-group">
            Create group
          </Button>
        </div>
      </form>
    </Modal>
  );
}
