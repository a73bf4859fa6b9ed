import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { ToastProvider } from '../components/ui/Toast';
import { LoginScreen } from '../features/auth/components/LoginScreen';
import { RedirectIfAuthed, RequireAuth } from '../features/auth/components/RequireAuth';
import { VerifyScreen } from '../features/auth/components/VerifyScreen';
import { AuthedShell } from './AuthedShell';
import { ChatScreen } from './ChatScreen';
import { ProfileRoute } from './ProfileRoute';
import { SettingsRoute } from './SettingsRoute';
import { createQueryClient } from './queryClient';

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<RedirectIfAuthed><LoginScreen /></RedirectIfAuthed>} />
            <Route path="/verify" element={<RedirectIfAuthed><VerifyScreen /></RedirectIfAuthed>} />
            <Route element={<RequireAuth>{(me) => <AuthedShell me={me} />}</RequireAuth>}>
              {/* One route for both, so opening a chat does not remount the sidebar. */}
              <Route path="/chat/:chatId?" element={<ChatScreen />} />
              <Route path="/profile" element={<ProfileRoute />} />
              <Route path="/settings" element={<SettingsRoute />} />
            </Route>
            <Route path="*" element={<Navigate to="/chat" replace />} />
          </Routes>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
