/** TanStack Query keys shared between features, so a feature can update another's cache by name only. */
export const queryKeys = {
  me: ['me'] as const,
  chats: ['chats'] as const,
  blocks: ['blocks'] as const,
  settings: ['settings'] as const,
  userSearch: (q: string) => ['users', q] as const,
  user: (id: string) => ['user', id] as const,
  messageSearch: (q: string) => ['messageSearch', q] as const,
};
