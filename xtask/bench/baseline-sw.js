// The benchmark's baseline: a hand-written JavaScript push worker doing the same job as the
// Rust one (same payload shapes, same options, same guards, same fallback), so `cargo xtask
// bench` can put each figure beside the JS one. Not shipped.
const FALLBACK = { title: 'New notification', body: 'Open the site to see what is new.' };
const cut = (s, n) => (typeof s === 'string' ? ([...s].length > n ? [...s].slice(0, n).join('') + '…' : s) : undefined);
const str = (v, n = 2048) => (typeof v === 'string' ? cut(v, n) : undefined);

function decode(data) {
  let text;
  try { text = data ? new TextDecoder('utf-8', { fatal: true }).decode(data.arrayBuffer()).trim() : ''; } catch { text = ''; }
  if (!text) return { title: FALLBACK.title, body: FALLBACK.body };
  let value;
  try { value = JSON.parse(text); } catch { return { title: FALLBACK.title, body: text }; }
  if (typeof value === 'string') return { title: FALLBACK.title, body: value };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { title: FALLBACK.title, body: text };
  const declarative = value.web_push === 8030 && value.notification && typeof value.notification === 'object';
  const o = declarative ? value.notification : value;
  const urlKey = declarative ? 'navigate' : 'url';
  const vibrate = Array.isArray(o.vibrate) ? o.vibrate.filter((n) => Number.isInteger(n) && n >= 0).slice(0, 32).map((n) => Math.min(n, 10000)) : [];
  const actions = Array.isArray(o.actions)
    ? o.actions.filter((a) => a && typeof a.action === 'string' && a.action && typeof a.title === 'string' && a.title.trim()).slice(0, 4)
        .map((a) => ({ action: cut(a.action, 256), title: cut(a.title, 256), icon: str(a.icon), url: str(a[urlKey]) }))
    : [];
  const title = typeof o.title === 'string' && o.title.trim() ? cut(o.title.trim(), 200) : FALLBACK.title;
  return {
    title, body: str(o.body, 1000), icon: str(o.icon), badge: str(o.badge), image: str(o.image), tag: str(o.tag, 256),
    renotify: o.renotify === true, requireInteraction: (o.require_interaction ?? o.requireInteraction) === true,
    silent: o.silent === true, vibrate, timestamp: Number.isFinite(o.timestamp) && o.timestamp >= 0 ? o.timestamp : undefined,
    lang: str(o.lang, 256), dir: ['auto', 'ltr', 'rtl'].includes(o.dir) ? o.dir : undefined, data: o.data, actions, url: str(o[urlKey]),
  };
}

function options(p) {
  const o = { body: p.body, icon: p.icon, badge: p.badge, image: p.image, tag: p.tag, lang: p.lang, dir: p.dir,
    renotify: p.renotify && p.tag !== undefined, requireInteraction: p.requireInteraction, silent: p.silent };
  if (p.vibrate && p.vibrate.length && !p.silent) o.vibrate = p.vibrate;
  if (p.timestamp !== undefined) o.timestamp = p.timestamp;
  if (p.actions && p.actions.length) o.actions = p.actions.map(({ action, title, icon }) => ({ action, title, icon }));
  const urls = {};
  for (const a of p.actions || []) if (a.url) urls[a.action] = a.url;
  o.data = { url: p.url ?? null, actions: urls, data: p.data ?? null };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  const p = decode(event.data);
  event.waitUntil(self.registration.showNotification(p.title, options(p))
    .catch(() => self.registration.showNotification(FALLBACK.title, { body: FALLBACK.body, tag: p.tag })));
});
