// The sending benchmark's Node.js side: node `web-push` sending `pushes` pushes to the loopback
// sink at `concurrency` at once, as a Node app server would write it: `generateRequestDetails`
// (encrypting and signing each push, as `sendNotification` does; `sendNotification` itself
// refuses the sink's plain-http endpoint) and `http.request` through a keep-alive agent.
// Prints one JSON line like `sender-bench`'s.
//
//   node bench/node-web-push.mjs <path to node_modules/web-push> <sink URL> <pushes> <concurrency>
import http from 'node:http';
import { createRequire } from 'node:module';

const [webPushPath, url, pushesArg, concurrencyArg] = process.argv.slice(2);
const webPush = createRequire(import.meta.url)(webPushPath);
const pushes = Number(pushesArg);
const concurrency = Number(concurrencyArg);
const vapid = webPush.generateVAPIDKeys();
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const payload = JSON.stringify({ title: 'Breaking news', body: 'A typical notification, with a body of a few words', url: '/news/1' });
const keys = { p256dh: 'BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0', auth: 'x7aPzMh8OBZ3WDnsHjbBQQ' };

const send = (i) =>
  new Promise((resolve) => {
    const details = webPush.generateRequestDetails({ endpoint: `${url}/push/${i}`, keys }, payload, {
      TTL: 3600,
      vapidDetails: { subject: 'mailto:bench@your.site', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
    });
    const request = http.request(details.endpoint, { method: details.method, headers: details.headers, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 201));
    });
    request.on('error', () => resolve(false));
    request.end(details.body);
  });

const started = process.hrtime.bigint();
let next = 0;
let sent = 0;
const worker = async () => {
  while (next < pushes) {
    const i = next++;
    if (await send(i)) sent++;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ mode: 'node web-push', pushes, sent, concurrency, seconds,
  cpu_seconds: (cpu.user + cpu.system) / 1e6, peak_rss_kb: process.resourceUsage().maxRSS }));
agent.destroy();
