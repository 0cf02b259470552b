// Put in front of each worker `cargo xtask bench` measures (and nowhere else): it times each
// push inside the worker from the first push listener's entry to the showNotification call
// that push led to (the worker's own work) and to that call's promise resolving (the browser's
// part too), with performance.now() (0.1 ms steps, jittered, in a page that is not cross-origin
// isolated: the mean of 30 judges a few hundredths of a ms). The bench reads
// self.benchTimings.get(tag) over DevTools; only the last 64 pushes are kept, so bursts do not
// grow the heap. It adds one JSON parse to every worker alike.
(() => {
  const started = new Map();
  const timings = (self.benchTimings = new Map());
  const keep = (map, key, value) => {
    map.set(key, value);
    if (map.size > 64) map.delete(map.keys().next().value);
  };
  self.addEventListener('push', (event) => {
    const at = performance.now();
    let tag = '';
    try {
      tag = event.data.json().tag || '';
    } catch {}
    keep(started, tag, at);
  });
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    const tag = (options && options.tag) || '';
    const from = started.get(tag);
    started.delete(tag);
    const called = performance.now();
    return show.call(this, title, options).then((done) => {
      if (from !== undefined) keep(timings, tag, [called - from, performance.now() - from]);
      return done;
    });
  };
})();
