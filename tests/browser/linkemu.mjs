// A `cascade linkemu` between one Chromium page and an edge: the emulator child (ports picked by
// the kernel and read back from its `linkemu.started` line, GET/PUT /link), and the WHEP answer
// rewrite that makes the page send its media to the emulator instead of the edge.
import { startMesh } from './harness.mjs';

// Starts `cascade linkemu --listen 127.0.0.1:0 --to <to> --http 127.0.0.1:0 <extraArgs>` and
// resolves once it listens: { listen: {ip, port}, http, state(), set(body), stop(), log }.
// Throws naming what went wrong when it does not start within `ms`.
export async function startLinkEmulator(run, cascade, { to, name, extraArgs = [], durationS = 150, ms = 5000 }) {
  const child = startMesh(cascade, ['linkemu', '--listen', '127.0.0.1:0', '--to', to, '--http', '127.0.0.1:0',
    '--duration', String(durationS), ...extraArgs], run, /event=linkemu\.started/);
  let timer;
  const ready = await Promise.race([child.ready, new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  const started = child.log.find((l) => /event=linkemu\.started/.test(l)) || '';
  const listen = /listen=([\d.]+):(\d+)/.exec(started);
  const http = /http=([\d.]+:\d+)/.exec(started);
  if (!ready || !listen || !http) {
    await child.stop();
    throw new Error(`link emulator ${name} did not start: ${child.log.slice(-3).join(' | ') || JSON.stringify(child.exit)}`);
  }
  const url = `http://${http[1]}/link`;
  return {
    name,
    child,
    listen: { ip: listen[1], port: Number(listen[2]) },
    http: http[1],
    state: async () => (await fetch(url)).json(),
    // PUT /link; throws with the emulator's message when it refuses the body.
    set: async (body) => {
      const response = await fetch(url, { method: 'PUT', body: JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw new Error(`PUT ${url} ${JSON.stringify(body)} answered ${response.status}: ${text}`);
      return JSON.parse(text);
    },
    stop: () => child.stop(),
  };
}

// The edge's answer with its UDP host candidate(s) pointing at `listen` and every TCP candidate
// removed, so ICE has no path around the emulator. Returns { sdp, replaced: ['ip:port', ...],
// dropped }.
export function answerThrough(sdp, listen) {
  const replaced = [];
  let dropped = 0;
  const lines = sdp.split('\r\n').filter((line) => {
    if (/^a=candidate:\S+ \d+ tcp /i.test(line)) {
      ++dropped;
      return false;
    }
    return true;
  }).map((line) => {
    const m = /^(a=candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ .*)$/i.exec(line);
    if (!m) return line;
    replaced.push(`${m[2]}:${m[3]}`);
    return `${m[1]}${listen.ip} ${listen.port}${m[4]}`;
  });
  return { sdp: lines.join('\r\n'), replaced, dropped };
}

// Makes every WHEP POST answer the page receives go through answerThrough(…, emulator.listen),
// inside the page (an init script wrapping fetch), so the POST itself is not slowed down and
// keepWatching's rejoins are covered too. window.__whepRewrites lists each rewrite
// ({ status, replaced, dropped }); page-instrumentation.js still records the edge's own answer.
export async function rewriteWhepAnswers(page, emulator) {
  await page.addInitScript({ content: `(${installAnswerRewrite})(${JSON.stringify(emulator.listen)}, ${answerThrough});` });
}

export const whepRewrites = (page) => page.evaluate(() => window.__whepRewrites || []);

function installAnswerRewrite(listen, rewrite) {
  const rewrites = (window.__whepRewrites = []);
  const inner = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const response = await inner(input, init);
    const url = String(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!/\/whep\//.test(url) || (init.method || 'GET').toUpperCase() !== 'POST') return response;
    if (response.status !== 201) {
      rewrites.push({ status: response.status, replaced: [], dropped: 0 });
      return response;
    }
    const rewritten = rewrite(await response.text(), listen);
    rewrites.push({ status: 201, replaced: rewritten.replaced, dropped: rewritten.dropped });
    const out = new Response(rewritten.sdp, { status: 201, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(out, 'url', { value: response.url });  // the client resolves Location against it
    return out;
  };
}
