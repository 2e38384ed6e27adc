// Plaza's service worker: keeps the app shell so Plaza opens without a
// network (the client then shows the chats it saved, notify/offline.ts).
//   navigations  network first; the saved shell when the network fails
//   /assets/*    cache first (their names carry a hash: they never change)
//   /api/*       never touched, never cached (people's data is not kept here)
const SHELL = 'plaza-shell-v1';
const ASSETS = 'plaza-assets-v1';
const STATIC = ['/boot.css', '/manifest.webmanifest', '/favicon.svg', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/apple-touch-icon.png'];
const MAX_ASSETS = 80;

// The entry's script and styles, as index.html names them.
function entryAssets(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

async function saveShell(res) {
  const html = await res.clone().text();
  if (!html.includes('id="app"')) return; // not the app (a server page)
  const shell = await caches.open(SHELL);
  await shell.put('/', res.clone());
  const assets = await caches.open(ASSETS);
  await Promise.all(
    entryAssets(html).map(async (u) => {
      if (!(await assets.match(u))) await assets.add(u).catch(() => undefined);
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL);
      await Promise.all(STATIC.map((u) => shell.add(u).catch(() => undefined)));
      const res = await fetch('/', { cache: 'no-cache', credentials: 'same-origin' });
      if (res.ok) await saveShell(res);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL && name !== ASSETS) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function trim(cache) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - MAX_ASSETS; i++) await cache.delete(keys[i]);
}

async function navigation(req) {
  try {
    const res = await fetch(req);
    if (res.ok && (res.headers.get('Content-Type') || '').startsWith('text/html')) {
      saveShell(res.clone()).catch(() => undefined);
    }
    return res;
  } catch (err) {
    const shell = await caches.match('/', { cacheName: SHELL });
    if (shell) return shell;
    throw err;
  }
}

async function asset(req) {
  const cache = await caches.open(ASSETS);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) {
    await cache.put(req, res.clone());
    trim(cache).catch(() => undefined);
  }
  return res;
}

async function staticFile(req) {
  try {
    const res = await fetch(req);
    if (res.ok) (await caches.open(SHELL)).put(req, res.clone()).catch(() => undefined);
    return res;
  } catch (err) {
    const hit = await caches.match(req, { cacheName: SHELL });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    event.respondWith(navigation(req));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(req));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(staticFile(req));
  }
});
