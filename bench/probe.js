// Put in front of each worker `cargo xtask bench` measures (and nowhere else): it times each
// push inside the worker, from the first push listener's entry to the moment the promise of the
// showNotification that push asked for resolves, with performance.now() (0.1 ms, jittered, in a
// page that is not cross-origin isolated: the mean of 30 judges a few hundredths of a ms). The
// bench reads self.benchTimings[tag] over DevTools. It adds one JSON parse to every worker alike.
(() => {
  const started = new Map();
  self.benchTimings = {};
  self.addEventListener('push', (event) => {
    const at = performance.now();
    let tag = '';
    try {
      tag = event.data.json().tag || '';
    } catch {}
    started.set(tag, at);
  });
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    const tag = (options && options.tag) || '';
    return show.call(this, title, options).then((done) => {
      if (started.has(tag)) self.benchTimings[tag] = performance.now() - started.get(tag);
      started.delete(tag);
      return done;
    });
  };
})();
