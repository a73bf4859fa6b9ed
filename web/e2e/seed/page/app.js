// A stand-in for the seed's Next.js client, written from its sources' behaviour: the
// same pages (/login, /verify, /chat, /profile), the same REST calls and socket events,
// the same state updates (AppContext, SocketContext, chat/page.tsx, ChatSidebar,
// ChatMessages, MessageInput, VerifyOtp, profile/page.tsx), in plain DOM instead of
// React. It is deliberately as naive as the seed is: the token lives in a cookie that
// JavaScript reads (js-cookie) and goes out as `Authorization: Bearer` on every call,
// fetch() sends no credentials (axios' default), the socket uses default transports,
// images are plain <img src=message.image.url>. Two things differ from the seed, the
// two that API.md allows: the base URLs (config.js) and `io(url, { auth: { token } })`.

import { io } from '/vendor/socket.io.esm.min.js';
import { chat_service, user_service } from '/config.js';

// ---------- js-cookie, as the seed uses it ----------

const Cookies = {
  get(name) {
    for (const part of document.cookie ? document.cookie.split('; ') : []) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
    }
    return undefined;
  },
  set(name, value, { expires }) {
    const until = new Date(Date.now() + expires * 864e5).toUTCString();
    document.cookie = `${name}=${encodeURIComponent(value)}; path=/; expires=${until}`;
  },
  remove(name) {
    document.cookie = `${name}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  },
};

// ---------- axios, as the seed calls it: throws on non-2xx with error.response ----------

async function http(method, url, { token, json, form, auth = true } = {}) {
  const headers = {};
  // The seed writes `Bearer ${token}` even when the cookie is missing.
  if (auth) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form; // the browser writes the multipart boundary
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text, as axios does */
  }
  if (!res.ok) {
    const error = new Error(`Request failed with status code ${res.status}`);
    error.response = { status: res.status, data };
    throw error;
  }
  return { data, status: res.status };
}

// ---------- tiny DOM helpers ----------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function toast(text, kind = 'success') {
  const el = h('div', { class: `toast ${kind}` }, String(text));
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), 4000);
}

/** moment(t).format("hh:mm A") */
function clock(t) {
  const d = new Date(t);
  const hours = d.getHours() % 12 || 12;
  return `${String(hours).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

// ---------- AppContext ----------

const app = { user: null, isAuth: false, loading: true, chats: null, users: null };

function setUser(user) {
  app.user = user;
  syncSocket();
}

async function fetchUser() {
  try {
    const { data } = await http('GET', `${user_service}/api/v1/me`, { token: Cookies.get('token') });
    setUser(data);
    app.isAuth = true;
  } catch (error) {
    console.log(error);
  } finally {
    app.loading = false;
    route();
  }
}

async function fetchChats() {
  try {
    const { data } = await http('GET', `${chat_service}/api/v1/chat/all`, { token: Cookies.get('token') });
    app.chats = data.chats;
  } catch (error) {
    console.log(error);
  }
  update();
}

async function fetchUsers() {
  try {
    const { data } = await http('GET', `${user_service}/api/v1/user/all`, { token: Cookies.get('token') });
    app.users = data;
  } catch (error) {
    console.log(error);
  }
  update();
}

function logoutUser() {
  Cookies.remove('token');
  setUser(null);
  app.isAuth = false;
  toast('User Logged out');
  route();
}

// ---------- SocketContext: one socket per logged-in user id ----------

const sock = { socket: null, forUser: undefined, onlineUsers: [] };

function syncSocket() {
  const id = app.user?._id;
  if (sock.forUser === id) return;
  if (sock.socket) {
    sock.socket.off('getOnlineUser');
    sock.socket.disconnect();
  }
  sock.socket = null;
  sock.forUser = id;
  sock.onlineUsers = [];
  if (!id) return;
  // The seed: io(chat_service, { query: { userId: user._id } }). natter takes the token.
  const socket = io(chat_service, { auth: { token: Cookies.get('token') } });
  socket.on('connect_error', (error) => console.error('Socket connection error:', error));
  socket.on('getOnlineUser', (users) => {
    sock.onlineUsers = users;
    update();
  });
  sock.socket = socket;
  chatPage.attach(socket);
}

// ---------- router (Next.js pages) ----------

let current = null;

function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route();
}

window.addEventListener('popstate', () => route());
document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[data-link]') : null;
  if (a) {
    e.preventDefault();
    navigate(a.getAttribute('href'));
  }
});

const pages = {};

function route() {
  let path = location.pathname;
  if (path === '/') return navigate('/chat', { replace: true });
  const page = pages[path] ?? pages['/chat'];
  const redirect = page.guard?.();
  if (redirect && redirect !== path) return navigate(redirect, { replace: true });
  if (current !== page) {
    current?.unmount?.();
    current = page;
    const root = document.getElementById('app');
    root.replaceChildren();
    page.mount(root);
  }
  page.update?.();
}

function update() {
  current?.update?.();
}

const loadingView = () => h('div', { class: 'loading', role: 'progressbar', 'aria-label': 'Loading' }, 'Loading…');

// ---------- /login ----------

pages['/login'] = {
  guard: () => (app.isAuth ? '/chat' : null),
  mount(root) {
    const email = h('input', { id: 'email', type: 'email', required: true, placeholder: 'Enter your email address' });
    const button = h('button', { type: 'submit' }, 'Send Verification Code');
    const form = h(
      'form',
      {
        async onSubmit(e) {
          e.preventDefault();
          button.disabled = true;
          button.textContent = 'Sending Otp to your mail...';
          try {
            const { data } = await http('POST', `${user_service}/api/v1/login`, { json: { email: email.value }, auth: false });
            toast(data.message);
            navigate(`/verify?email=${email.value}`);
          } catch (error) {
            toast(error.response?.data?.message ?? 'Something went wrong', 'error');
            button.disabled = false;
            button.textContent = 'Send Verification Code';
          }
        },
      },
      h('label', { for: 'email' }, 'Email Address'),
      email,
      button,
    );
    root.append(h('main', { class: 'auth' }, h('h1', {}, 'Welcome To ChatApp'), h('p', {}, 'Enter your email to continue your journey'), form));
  },
};

// ---------- /verify?email= ----------

pages['/verify'] = {
  guard: () => (app.isAuth ? '/chat' : null),
  mount(root) {
    const email = new URLSearchParams(location.search).get('email') ?? '';
    const digits = Array.from({ length: 6 }, (_, i) =>
      h('input', { type: 'text', inputmode: 'numeric', maxlength: 1, 'aria-label': `Digit ${i + 1} of 6`, class: 'otp' }),
    );
    digits.forEach((input, i) => {
      input.addEventListener('input', () => {
        if (!/^\d?$/.test(input.value)) input.value = '';
        if (input.value && i < 5) digits[i + 1].focus();
      });
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Backspace' && !input.value && i > 0) digits[i - 1].focus();
      });
    });
    const error = h('p', { class: 'error', role: 'alert' });
    const button = h('button', { type: 'submit' }, 'Verify');
    const form = h(
      'form',
      {
        async onSubmit(e) {
          e.preventDefault();
          const otp = digits.map((d) => d.value).join('');
          if (otp.length !== 6) {
            error.textContent = 'Please Enter all 6 digits';
            return;
          }
          error.textContent = '';
          button.disabled = true;
          button.textContent = 'Verifying...';
          try {
            const { data } = await http('POST', `${user_service}/api/v1/verify`, { json: { email, otp }, auth: false });
            toast(data.message);
            Cookies.set('token', data.token, { expires: 15 });
            digits.forEach((d) => (d.value = ''));
            setUser(data.user);
            app.isAuth = true;
            fetchChats();
            fetchUsers();
            route();
          } catch (err) {
            error.textContent = err.response?.data?.message ?? 'Something went wrong';
            button.disabled = false;
            button.textContent = 'Verify';
          }
        },
      },
      h('div', { class: 'otp-row' }, digits),
      error,
      button,
    );
    root.append(h('main', { class: 'auth' }, h('h1', {}, 'Verify Your Email'), h('p', {}, 'We have sent a 6-digit code to'), h('p', { class: 'email' }, email), form));
    digits[0].focus();
  },
};

// ---------- /profile ----------

pages['/profile'] = {
  guard: () => (!app.isAuth && !app.loading ? '/login' : null),
  mount(root) {
    this.root = h('main', { class: 'profile' });
    this.isEdit = false;
    root.append(this.root);
  },
  update() {
    if (app.loading || !app.user) return this.root.replaceChildren(loadingView());
    if (this.shown === app.user && this.shownEdit === this.isEdit) return;
    this.shown = app.user;
    this.shownEdit = this.isEdit;
    const name = h('input', { id: 'name', type: 'text', value: app.user.name });
    const edit = this.isEdit
      ? h(
          'form',
          {
            onSubmit: async (e) => {
              e.preventDefault();
              try {
                const { data } = await http('POST', `${user_service}/api/v1/update/user`, { json: { name: name.value }, token: Cookies.get('token') });
                Cookies.set('token', data.token, { expires: 15 });
                toast(data.message);
                this.isEdit = false;
                setUser(data.user);
                update();
              } catch (error) {
                toast(error.response?.data?.message ?? 'Something went wrong', 'error');
              }
            },
          },
          h('label', { for: 'name' }, 'Name'),
          name,
          h('button', { type: 'submit' }, 'Save'),
          h('button', { type: 'button', onClick: () => ((this.isEdit = false), update()) }, 'Cancel'),
        )
      : h('button', { type: 'button', onClick: () => ((this.isEdit = true), update()) }, 'Edit Name');
    this.root.replaceChildren(
      h('a', { href: '/chat', 'data-link': true }, 'Back to Chat'),
      h('h1', {}, app.user.name),
      h('p', { class: 'email' }, app.user.email ?? ''),
      edit,
    );
  },
};

// ---------- /chat (chat/page.tsx with ChatSidebar, ChatHeader, ChatMessages, MessageInput) ----------

const chatPage = {
  mounted: false,
  selectedUser: null,
  messages: null,
  user: null,
  isTyping: false,
  message: '',
  typingTimeout: null,
  showAllUsers: false,
  searchQuery: '',
  imageFile: null,
  rendered: new Map(),

  guard: () => (!app.isAuth && !app.loading ? '/login' : null),

  /** The socket listeners of chat/page.tsx; they act only while the page is shown. */
  attach(socket) {
    socket.on('newMessage', (message) => {
      if (!this.mounted) return;
      if (this.selectedUser === message.chatId) {
        this.setMessages((prev) => {
          const currentMessages = prev || [];
          return currentMessages.some((m) => m._id === message._id) ? currentMessages : [...currentMessages, message];
        });
        this.moveChatToTop(message.chatId, message, false);
      } else {
        this.moveChatToTop(message.chatId, message, true);
      }
    });
    socket.on('messagesSeen', (data) => {
      if (!this.mounted || this.selectedUser !== data.chatId) return;
      this.setMessages((prev) => {
        if (!prev) return null;
        return prev.map((msg) => {
          if (msg.sender === app.user?._id && (!data.messageIds || data.messageIds.includes(msg._id))) {
            return { ...msg, seen: true, seenAt: new Date().toString() };
          }
          return msg;
        });
      });
    });
    socket.on('userTyping', (data) => {
      if (this.mounted && data.chatId === this.selectedUser && data.userId !== app.user?._id) {
        this.isTyping = true;
        this.render();
      }
    });
    socket.on('userStoppedTyping', (data) => {
      if (this.mounted && data.chatId === this.selectedUser && data.userId !== app.user?._id) {
        this.isTyping = false;
        this.render();
      }
    });
  },

  setMessages(fn) {
    this.messages = fn(this.messages);
    this.render();
  },

  moveChatToTop(chatId, newMessage, updatedUnseenCount = true) {
    if (!app.chats) return;
    const updatedChats = [...app.chats];
    const index = updatedChats.findIndex((c) => c.chat._id === chatId);
    // A chat this list does not know yet is not added: the seed waits for the next fetch.
    if (index !== -1) {
      const [moveChat] = updatedChats.splice(index, 1);
      updatedChats.unshift({
        ...moveChat,
        chat: {
          ...moveChat.chat,
          latestMessage: { text: newMessage.text, sender: newMessage.sender },
          updatedAt: new Date().toString(),
          unseenCount:
            updatedUnseenCount && newMessage.sender !== app.user?._id
              ? (moveChat.chat.unseenCount || 0) + 1
              : moveChat.chat.unseenCount || 0,
        },
      });
    }
    app.chats = updatedChats;
    this.render();
  },

  resetUnseenCount(chatId) {
    if (!app.chats) return;
    app.chats = app.chats.map((c) => (c.chat._id === chatId ? { ...c, chat: { ...c.chat, unseenCount: 0 } } : c));
  },

  setSelectedUser(chatId) {
    if (this.selectedUser === chatId) return;
    if (this.selectedUser) {
      sock.socket?.emit('leaveChat', this.selectedUser);
      this.messages = null;
    }
    this.selectedUser = chatId;
    if (chatId) {
      this.fetchChat();
      this.isTyping = false;
      this.resetUnseenCount(chatId);
      sock.socket?.emit('joinChat', chatId);
    }
    this.render();
  },

  async fetchChat() {
    const chatId = this.selectedUser;
    try {
      const { data } = await http('GET', `${chat_service}/api/v1/message/${chatId}`, { token: Cookies.get('token') });
      if (this.selectedUser !== chatId) return;
      this.messages = data.messages;
      this.user = data.user;
      this.render();
      await fetchChats();
    } catch (error) {
      console.log(error);
      toast('Failed to load messages', 'error');
    }
  },

  async createChat(u) {
    try {
      const { data } = await http('POST', `${chat_service}/api/v1/chat/new`, {
        json: { userId: app.user?._id, otherUserId: u._id },
        token: Cookies.get('token'),
      });
      this.showAllUsers = false;
      this.setSelectedUser(data.chatId);
      await fetchChats();
    } catch {
      toast('Failed to start chat', 'error');
    }
  },

  async handleMessageSend(imageFile) {
    const message = this.message;
    if (!message.trim() && !imageFile) return;
    if (!this.selectedUser) return;
    if (this.typingTimeout) {
      clearTimeout(this.typingTimeout);
      this.typingTimeout = null;
    }
    sock.socket?.emit('stopTyping', { chatId: this.selectedUser, userId: app.user?._id });
    const token = Cookies.get('token');
    try {
      // The seed always posts FormData; text goes as JSON here so that both bodies
      // the contract names (JSON and multipart with `image`) are exercised.
      let response;
      if (imageFile) {
        const formData = new FormData();
        formData.append('chatId', this.selectedUser);
        if (message.trim()) formData.append('text', message);
        formData.append('image', imageFile);
        response = await http('POST', `${chat_service}/api/v1/message`, { form: formData, token });
      } else {
        response = await http('POST', `${chat_service}/api/v1/message`, { json: { chatId: this.selectedUser, text: message }, token });
      }
      const { data } = response;
      this.setMessages((prev) => {
        const currentMessages = prev || [];
        return currentMessages.some((m) => m._id === data.message._id) ? currentMessages : [...currentMessages, data.message];
      });
      this.message = '';
      this.els.text.value = '';
      const displayText = imageFile ? '📷 image' : message;
      this.moveChatToTop(this.selectedUser, { text: displayText, sender: data.sender }, false);
    } catch (error) {
      toast(error.response?.data?.message ?? 'Failed to send message', 'error');
    }
  },

  handleTyping(value) {
    this.message = value;
    if (!this.selectedUser || !sock.socket) return;
    if (value.trim()) sock.socket.emit('typing', { chatId: this.selectedUser, userId: app.user?._id });
    if (this.typingTimeout) clearTimeout(this.typingTimeout);
    const chatId = this.selectedUser;
    this.typingTimeout = setTimeout(() => {
      sock.socket?.emit('stopTyping', { chatId, userId: app.user?._id });
    }, 2000);
  },

  mount(root) {
    this.mounted = true;
    const els = {};
    els.title = h('h2');
    els.toggle = h('button', { class: 'icon', onClick: () => ((this.showAllUsers = !this.showAllUsers), this.render()) });
    els.search = h('input', {
      type: 'text',
      placeholder: 'Search Users...',
      'aria-label': 'Search Users',
      onInput: (e) => ((this.searchQuery = e.target.value), this.render()),
    });
    els.searchRow = h('div', { class: 'search' }, els.search);
    els.list = h('div', { class: 'list' });
    els.sidebar = h(
      'aside',
      { class: 'sidebar' },
      h('header', {}, els.title, els.toggle),
      els.searchRow,
      els.list,
      h('footer', {}, h('a', { href: '/profile', 'data-link': true }, 'Profile'), h('button', { class: 'logout', onClick: () => logoutUser() }, 'Logout')),
    );
    els.headerName = h('h3');
    els.status = h('span', { class: 'status' });
    els.header = h('header', { class: 'chat-header' }, els.headerName, els.status);
    els.messages = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages' });
    els.file = h('input', { type: 'file', accept: 'image/*', 'aria-label': 'Attach image', class: 'file' });
    els.preview = h('div', { class: 'preview' });
    els.file.addEventListener('change', () => {
      const f = els.file.files?.[0];
      this.imageFile = f && f.type.startsWith('image/') ? f : null;
      this.renderPreview();
    });
    els.text = h('input', { type: 'text', placeholder: this.imageFile ? 'Add a caption...' : 'Type a message...', 'aria-label': 'Message' });
    els.text.addEventListener('input', () => this.handleTyping(els.text.value));
    els.form = h(
      'form',
      {
        class: 'composer',
        onSubmit: async (e) => {
          e.preventDefault();
          const file = this.imageFile;
          await this.handleMessageSend(file);
          this.imageFile = null;
          els.file.value = '';
          this.renderPreview();
        },
      },
      els.preview,
      h('div', { class: 'row' }, els.file, els.text, h('button', { type: 'submit', 'aria-label': 'Send message' }, 'Send')),
    );
    els.empty = h('div', { class: 'empty' }, h('h3', {}, 'Welcome to ChatApp'), h('p', {}, 'Select a conversation to start messaging'));
    els.main = h('main', { class: 'chat' }, els.header, els.messages, els.form, els.empty);
    this.els = els;
    root.append(h('div', { class: 'chat-app' }, els.sidebar, els.main));
  },

  unmount() {
    // Leaving the page unmounts ChatApp: its cleanup leaves the room and drops its state.
    if (this.selectedUser) sock.socket?.emit('leaveChat', this.selectedUser);
    if (this.typingTimeout) clearTimeout(this.typingTimeout);
    Object.assign(this, { mounted: false, selectedUser: null, messages: null, user: null, isTyping: false, message: '', typingTimeout: null, showAllUsers: false, searchQuery: '', imageFile: null });
    this.rendered = new Map();
  },

  update() {
    this.render();
  },

  renderPreview() {
    const f = this.imageFile;
    this.els.preview.replaceChildren(
      ...(f
        ? [h('img', { src: URL.createObjectURL(f), alt: 'preview' }), h('button', { type: 'button', 'aria-label': 'Remove image', onClick: () => ((this.imageFile = null), (this.els.file.value = ''), this.renderPreview()) }, '×')]
        : []),
    );
    this.els.text.placeholder = f ? 'Add a caption...' : 'Type a message...';
  },

  render() {
    if (!this.mounted) return;
    const els = this.els;
    if (app.loading) return;
    // ---- sidebar ----
    els.title.textContent = this.showAllUsers ? 'New Chat' : 'Messages';
    els.toggle.textContent = this.showAllUsers ? '×' : '+';
    els.toggle.setAttribute('aria-label', this.showAllUsers ? 'Close new chat view' : 'Start new chat');
    els.searchRow.hidden = !this.showAllUsers;
    const online = sock.onlineUsers;
    if (this.showAllUsers) {
      const q = this.searchQuery.toLowerCase();
      const users = (app.users ?? []).filter((u) => u._id !== app.user?._id && u.name.toLowerCase().includes(q));
      els.list.replaceChildren(
        ...users.map((u) =>
          h(
            'button',
            { class: 'user-item', onClick: () => this.createChat(u) },
            h('span', { class: `dot ${online.includes(u._id) ? 'on' : 'off'}` }),
            h('span', { class: 'name' }, u.name),
            h('span', { class: 'presence' }, online.includes(u._id) ? 'Online' : 'Offline'),
          ),
        ),
      );
    } else if (app.chats && app.chats.length > 0) {
      els.list.replaceChildren(
        ...app.chats.map((c) => {
          const latestMessage = c.chat.latestMessage;
          const isSentByMe = latestMessage?.sender === app.user?._id;
          const unseenCount = c.chat.unseenCount || 0;
          return h(
            'button',
            { class: `chat-item${this.selectedUser === c.chat._id ? ' selected' : ''}`, onClick: () => this.setSelectedUser(c.chat._id) },
            h('span', { class: `dot ${online.includes(c.user?._id) ? 'on' : 'off'}`, 'aria-label': online.includes(c.user?._id) ? 'online' : 'offline' }),
            h(
              'span',
              { class: 'body' },
              h('span', { class: 'top' }, h('span', { class: 'name' }, c.user?.name ?? ''), unseenCount > 0 && h('span', { class: 'badge', 'aria-label': 'unseen messages' }, unseenCount > 99 ? '99+' : String(unseenCount))),
              latestMessage &&
                h(
                  'span',
                  { class: 'latest' },
                  h('span', { class: `arrow ${isSentByMe ? 'out' : 'in'}`, title: isSentByMe ? 'sent by you' : 'received' }, isSentByMe ? '↩' : '↪'),
                  h('span', { class: 'latest-text' }, latestMessage.text ?? ''),
                ),
            ),
          );
        }),
      );
    } else {
      els.list.replaceChildren(h('div', { class: 'none' }, h('p', {}, 'No conversation yet'), h('p', {}, 'Start a new chat to begin messaging')));
    }
    // ---- header, messages, input ----
    const open = Boolean(this.selectedUser);
    els.empty.hidden = open;
    els.header.hidden = !open;
    els.messages.hidden = !open;
    els.form.hidden = !open;
    if (!open) return;
    els.headerName.textContent = this.user?.name ?? '';
    els.status.textContent = this.isTyping ? 'typing...' : online.includes(this.user?._id) ? 'Online' : 'Offline';
    this.renderMessages();
  },

  /** ChatMessages: keyed, so an <img> is created once per message and keeps loading. */
  renderMessages() {
    const box = this.els.messages;
    const list = this.messages ?? [];
    const unique = list.filter((m, i) => i === list.findIndex((x) => x._id === m._id));
    const seenIds = new Set();
    let grew = false;
    for (const m of unique) {
      seenIds.add(m._id);
      const mine = m.sender === app.user?._id;
      let entry = this.rendered.get(m._id);
      if (!entry) {
        const meta = h('div', { class: 'meta' });
        const el = h(
          'div',
          { class: `message ${mine ? 'mine' : 'theirs'}`, 'data-message-id': m._id },
          h('div', { class: 'bubble' }, m.messageType === 'image' && m.image && h('img', { src: m.image.url, alt: 'shared image' }), m.text && h('p', {}, m.text)),
          meta,
        );
        entry = { el, meta, seen: undefined };
        this.rendered.set(m._id, entry);
        grew = true;
      }
      if (entry.seen !== m.seen) {
        entry.seen = m.seen;
        const tick = m.seen
          ? h('span', { class: 'tick seen', 'aria-label': 'Seen' }, '✓✓', m.seenAt ? ` ${clock(m.seenAt)}` : '')
          : h('span', { class: 'tick sent', 'aria-label': 'Sent' }, '✓');
        entry.meta.replaceChildren(h('time', {}, clock(m.createdAt)), ...(mine ? [tick] : []));
      }
      box.append(entry.el); // moves it into order; a no-op for one already last
    }
    for (const [id, entry] of this.rendered) {
      if (!seenIds.has(id)) {
        entry.el.remove();
        this.rendered.delete(id);
      }
    }
    if (grew) box.scrollTop = box.scrollHeight;
  },
};

pages['/chat'] = chatPage;

// ---------- boot (AppProvider's first effect) ----------

route();
fetchUser();
fetchChats();
fetchUsers();
