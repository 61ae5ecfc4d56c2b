// The field app's service worker. budgetgrid prepends VERSION and SHELL
// (the page and every file it loads, with content-hashed names) when it
// serves this file at /field/sw.js.
//
// The shell is served from the cache first, so the app opens with no
// network. A new version installs in the background and waits: it takes
// over when every tab of the app has closed, or when the app asks it to
// (it does so only when no interview is in progress), so an update never
// breaks an interview. Nothing else is cached: API requests
// go to the network, and the app keeps its data in IndexedDB.

const CACHE = 'budgetgrid-field-' + VERSION;

self.addEventListener('install', (event) => {
  // Where the browser supports it, API requests bypass the worker
  // altogether (it would pass them on anyway), saving a hop per request.
  if (event.addRoutes && typeof URLPattern === 'function') {
    event.waitUntil(event.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: '/api/*' }) }, source: 'network' }]).catch(() => {}));
  }
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((u) => new Request(u, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('budgetgrid-field-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname.replace(/\/$/, '');
  if (path !== '/field' && !SHELL.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(path === '/field' ? '/field' : url.pathname);
    if (hit) return hit;
    return fetch(req);
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});
