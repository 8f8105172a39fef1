// Browser proof for the edge: Chromium publishes (WHIP, camera + mic, three simulcast layers)
// and three Chromium pages plus werift watch (WHEP) through one edge of `cascade up`; video
// decodes, audio arrives, chat crosses over the data channels, DELETE ends every session, and
// bad requests get the right 4xx.
//
//   node tests/browser/test_whip_whep.mjs <path-to-cascade> [base_port]
//   node tests/browser/test_whip_whep.mjs --mock [base_port]    # against mock-edge.mjs (harness check)
//
// One PASS/FAIL line per assertion; exit 0 only if all pass. Bounded: the whole run stops
// at 85 s, printing what it was waiting for.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openLoggedPage } from './chromium.mjs';
import { sleep, startMesh, TestRun } from './harness.mjs';
import { weriftWatch } from './werift-whep.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [target, portArg] = process.argv.slice(2);
if (!target) {
  console.error('usage: node test_whip_whep.mjs <path-to-cascade>|--mock [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19080);
const edgePort = basePort + 10;
const base = `http://127.0.0.1:${edgePort}`;
const room = `browser-${randomBytes(3).toString('hex')}`;
const VIEWERS = 3;
const TOTAL_BUDGET_MS = 85000;
const verbose = process.env.VERBOSE === '1';  // print the diagnostics even when everything passed

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const waitInPage = run.waitInPage.bind(run);
const consoleLog = [];
const diagnostics = [];

// ---------------------------------------------------------------- the mesh under test
const command = target === '--mock'
  ? [process.execPath, [path.join(here, 'mock-edge.mjs'), '--base-port', String(basePort)]]
  : [target, ['up', '--base-port', String(basePort), '--edges', '1', '--relays', '0', '--duration', '120']];
const mesh = startMesh(command[0], command[1], run, /up: all \d+ nodes registered/);

let browser = null;
let cleaningUp = false;
async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  run.step = 'stopping the mesh';
  const exit = await mesh.stop();
  if (target !== '--mock') {
    check('mesh: cascade up stopped cleanly on SIGINT', exit.code === 0,
      `exit code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}; last line: ${mesh.log.at(-1) || '-'}`);
  }
  if (run.failed || verbose) {
    console.log('\n---- edge /metrics while all sessions were live (non-zero cascade_ lines) ----');
    console.log(liveMetrics.split('\n').filter((l) => /^cascade_/.test(l) && !/ 0$/.test(l)).join('\n'));
    console.log('\n---- diagnostics (getStats per peer connection, SDPs) ----');
    for (const d of diagnostics) console.log(d);
    console.log('\n---- browser console / page events (last 150) ----');
    console.log(consoleLog.slice(-150).join('\n'));
    console.log('\n---- mesh output (last 80 lines) ----');
    console.log(mesh.log.slice(-80).join('\n'));
    console.log('----');
  }
  process.exit(run.summarize('test_whip_whep'));
}

const watchdog = setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await Promise.race([collectDiagnostics(), sleep(3000)]);
  await finish();
}, TOTAL_BUDGET_MS);
process.on('SIGINT', async () => {
  check('not interrupted', false, `interrupted while waiting for "${run.step}"`);
  await finish();
});

// ---------------------------------------------------------------- helpers
async function getToken(forRoom, role) {
  const response = await fetch(`${base}/api/token?room=${encodeURIComponent(forRoom)}&role=${role}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`GET /api/token?room=${forRoom}&role=${role} answered ${response.status}: ${body}`);
  return JSON.parse(body).token;
}

// A token with the edge's claim format, signed with a secret the edge does not have.
function forgeToken(forRoom) {
  const b64 = (b) => Buffer.from(b).toString('base64url');
  const payload = b64(JSON.stringify({ room: forRoom, role: 'publish', exp: Math.floor(Date.now() / 1000) + 3600, id: 'forged' }));
  return `${payload}.${createHmac('sha256', 'not-the-secret-of-this-edge-at-all').update(payload).digest('base64url')}`;
}

// POST with node:http rather than fetch: an edge that answers 413 and closes before reading
// the whole body must still yield its status, not a client-side EPIPE.
function rawRequest(method, url, headers, body) {
  return new Promise((resolve) => {
    const request = http.request(url, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } });
    let settled = false;
    const done = (value) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    request.setTimeout(5000, () => {
      done({ status: 0, body: '', error: 'no answer within 5 s' });
      request.destroy();
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (c) => (text += c));
      response.on('end', () => done({ status: response.statusCode, headers: response.headers, body: text }));
      response.on('error', () => done({ status: response.statusCode, headers: response.headers, body: text }));
    });
    request.on('error', (error) => setTimeout(() => done({ status: 0, body: '', error: error.message }), 200));
    request.end(body);
  });
}

async function edgeMetrics() {
  const response = await fetch(`${base}/metrics`);
  return response.text();
}
function sessionGauge(metrics, kind) {
  const match = metrics.match(new RegExp(`^cascade_edge_sessions\\{kind="${kind}"\\} (\\S+)$`, 'm'));
  return match ? Number(match[1]) : null;
}
async function pollSessions(want, ms) {
  const deadline = Date.now() + ms;
  let last = { publisher: null, viewer: null, text: '' };
  do {
    try {
      const text = await edgeMetrics();
      last = { publisher: sessionGauge(text, 'publisher'), viewer: sessionGauge(text, 'viewer'), text };
      if (last.publisher === want.publisher && last.viewer === want.viewer) return last;
    } catch (error) {
      last.error = error.message;
    }
    await sleep(200);
  } while (Date.now() < deadline);
  return last;
}

const pages = [];  // { name, page }
async function collectDiagnostics() {
  for (const { name, page } of pages) {
    try {
      const d = await Promise.race([
        page.evaluate(async () => {
          const t = window.__cascadeTest;
          if (!t) return 'no instrumentation';
          const media = t.requests.filter((r) => r.offer !== undefined || r.answer !== undefined || /DELETE/.test(r.method));
          const http = media.map((r) => `${r.method} ${r.url} -> ${r.status ?? r.error ?? 'pending'} location=${r.location}` +
            (r.answer !== undefined ? `\n  answer body:\n${r.answer.replace(/\r\n/g, '\n').replace(/^/gm, '    | ')}` : '') +
            (r.offer !== undefined && r.status !== 201 ? `\n  offer:\n${r.offer.replace(/\r\n/g, '\n').replace(/^/gm, '    > ')}` : '')).join('\n');
          const status = document.getElementById('status')?.textContent;
          return `page status: ${status}\nchat received: ${JSON.stringify(t.chat)}\n${await t.diagnose()}\n${http}`;
        }),
        sleep(3000).then(() => 'page did not answer within 3 s'),
      ]);
      diagnostics.push(`== ${name} ==\n${d}`);
    } catch (error) {
      diagnostics.push(`== ${name} == (diagnostics failed: ${error.message})`);
    }
  }
}

// ---------------------------------------------------------------- the test
async function mediaPart() {
  run.step = 'Chromium to start';
  browser = await within(20000, 'Chromium to start', launchChromium());
  info(`chromium ${browser.version()} up, room ${room}`);
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  await context.addInitScript({ content: readFileSync(path.join(here, 'page-instrumentation.js'), 'utf8') });

  // Publisher: the real publish page, its Start button.
  const publisher = await openLoggedPage(context, 'publisher', consoleLog, run.t0);
  pages.push({ name: 'publisher', page: publisher });
  const loaded = await within(10000, 'publish.html to load', publisher.goto(`${base}/web/publish.html?room=${room}`));
  if (!check('publish: GET /web/publish.html answered 200', loaded && loaded.status() === 200,
    `answered ${loaded && loaded.status()}`)) {
    throw new Error('publishing failed');
  }
  await publisher.click('#start', { timeout: 5000 });
  const published = await waitInPage(publisher, 'WHIP publish (201 + answer applied)', 15000,
    () => window.__cascadeTest.session || /failed/.test(document.getElementById('status').textContent));
  const pubState = await publisher.evaluate(() => {
    const t = window.__cascadeTest;
    const whip = t.requests.find((r) => r.method === 'POST' && /\/whip\//.test(r.url));
    return { status: document.getElementById('status').textContent, ok: !!t.session, whip: whip && { status: whip.status, location: whip.location } };
  });
  if (!check('publish: WHIP POST answered 201 and the answer was accepted', published && pubState.ok,
    `page status "${pubState.status}", WHIP ${JSON.stringify(pubState.whip)}`)) {
    throw new Error('publishing failed');
  }
  const pubConnected = await waitInPage(publisher, 'publisher ICE+DTLS connected', 10000,
    () => window.__cascadeTest.session.pc.connectionState === 'connected');
  const pubInfo = await publisher.evaluate(async () => {
    const t = window.__cascadeTest;
    const out = { connection: t.session.pc.connectionState, ice: t.session.pc.iceConnectionState, layers: [] };
    (await t.session.pc.getStats()).forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') out.layers.push(`${r.rid}:${r.packetsSent}pk/${r.frameWidth}x${r.frameHeight}`);
      if (r.type === 'outbound-rtp' && r.kind === 'audio') out.audio = r.packetsSent;
    });
    return out;
  });
  if (!check('publish: peer connection connected (ICE + DTLS)', pubConnected,
    `connection=${pubInfo.connection} ice=${pubInfo.ice}`)) {
    throw new Error('publisher did not connect');
  }
  await sleep(500);

  // Viewers: the real watch page; the instrumentation keeps the session it creates.
  const viewers = [];
  for (let i = 1; i <= VIEWERS; ++i) {
    const page = await openLoggedPage(context, `viewer${i}`, consoleLog, run.t0);
    pages.push({ name: `viewer${i}`, page });
    viewers.push({ i, page });
  }
  const watchLoads = await within(10000, 'watch.html to load in every viewer page',
    Promise.all(viewers.map((v) => v.page.goto(`${base}/web/watch.html?room=${room}`))));
  if (!watchLoads.every((r) => r && r.status() === 200)) {
    check('viewers: GET /web/watch.html answered 200', false, `answered ${watchLoads.map((r) => r && r.status()).join(', ')}`);
    throw new Error('a viewer could not join');
  }
  const joined = await Promise.all(viewers.map((v) => waitInPage(v.page, `viewer${v.i} WHEP (201 + answer applied)`, 15000,
    () => window.__cascadeTest.session || /failed/.test(document.getElementById('status').textContent))));
  let allJoined = true;
  for (const v of viewers) {
    const s = await v.page.evaluate(() => {
      const t = window.__cascadeTest;
      const whep = t.requests.find((r) => r.method === 'POST' && /\/whep\//.test(r.url));
      return { ok: !!t.session, status: document.getElementById('status').textContent, whep: whep && { status: whep.status, location: whep.location } };
    });
    allJoined = check(`viewer${v.i}: WHEP POST answered 201 and the answer was accepted`, joined[v.i - 1] && s.ok,
      `page status "${s.status}", WHEP ${JSON.stringify(s.whep)}`) && allJoined;
  }
  if (!allJoined) throw new Error('a viewer could not join');

  // First frame, then two samples 2 s apart.
  const firstFrames = await Promise.all(viewers.map((v) => waitInPage(v.page, `viewer${v.i} first decoded frame`, 10000,
    () => window.__cascadeTest.joinToFirstFrameMs !== null)));
  for (const v of viewers) {
    const j = await v.page.evaluate(() => {
      const t = window.__cascadeTest;
      const whep = t.requests.find((r) => r.method === 'POST' && /\/whep\//.test(r.url));
      return {
        join: t.joinToFirstFrameMs,
        answered: whep && whep.doneAt - whep.at,
        connected: t.connectedMs !== null && whep ? t.connectedMs - whep.at : null,
        iceConnected: t.iceConnectedMs !== null && whep ? t.iceConnectedMs - whep.at : null,
        connection: t.session.pc.connectionState,
      };
    });
    v.join = j.join;
    if (check(`viewer${v.i}: first video frame decoded`, firstFrames[v.i - 1],
      `connection=${j.connection}`)) {
      console.log(`join_to_first_frame_ms=${Math.round(j.join)} viewer=${v.i} ` +
        `(WHEP POST->201 ${Math.round(j.answered)} ms, ->ICE connected ${j.iceConnected === null ? '-' : Math.round(j.iceConnected)} ms, ` +
        `->DTLS connected ${j.connected === null ? '-' : Math.round(j.connected)} ms)`);
    }
  }
  const over30 = await Promise.all(viewers.map((v) => firstFrames[v.i - 1] && waitInPage(v.page, `viewer${v.i} framesDecoded > 30`, 6000,
    async () => (await window.Cascade.mediaStats(window.__cascadeTest.session.pc)).framesDecoded > 30)));
  const sample = (v) => v.page.evaluate(async () => {
    const pc = window.__cascadeTest.session.pc;
    const s = await window.Cascade.mediaStats(pc);
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        Object.assign(s, { width: r.frameWidth, height: r.frameHeight, fps: r.framesPerSecond, lost: r.packetsLost, nacks: r.nackCount, plis: r.pliCount, keyframes: r.keyFramesDecoded });
      }
    });
    return s;
  });
  const first = await Promise.all(viewers.map(sample));
  await sleep(2000);
  const second = await Promise.all(viewers.map(sample));
  for (const v of viewers) {
    const a = first[v.i - 1];
    const b = second[v.i - 1];
    check(`viewer${v.i}: framesDecoded keeps rising`, over30[v.i - 1] && a.framesDecoded > 30 && b.framesDecoded > a.framesDecoded,
      `${a.framesDecoded} -> ${b.framesDecoded} in 2 s, ${b.width}x${b.height} @ ${b.fps} fps, video packets ${b.videoPackets} ` +
      `(lost ${b.lost}, NACKs ${b.nacks}, PLIs ${b.plis}, keyframes ${b.keyframes})`);
    check(`viewer${v.i}: audio packets received`, b.audioPackets > 0, `audioPackets=${b.audioPackets}`);
  }

  // Chat: viewer1 says something; viewers 2, 3 and the publisher must hear it.
  const chatPages = [{ name: 'publisher', page: publisher }, ...viewers.map((v) => ({ name: `viewer${v.i}`, page: v.page }))];
  const opened = await Promise.all(chatPages.map((c) => waitInPage(c.page, `${c.name} chat channel open`, 5000,
    () => window.__cascadeTest.session.chat.readyState === 'open')));
  chatPages.forEach((c, k) => {
    if (!opened[k]) check(`${c.name}: chat data channel opens`, false, 'readyState never became "open" within 5 s');
  });
  if (opened[1]) {
    const message = `hello from viewer1 ${randomBytes(4).toString('hex')}`;
    await viewers[0].page.evaluate((m) => window.__cascadeTest.session.chat.send(m), message);
    info(`viewer1 sent "${message}"`);
    const others = chatPages.filter((c) => c.name !== 'viewer1');
    const got = await Promise.all(others.map((c) => waitInPage(c.page, `${c.name} to receive the chat message`, 5000,
      (m) => window.__cascadeTest.chat.includes(m), message)));
    others.forEach((c, k) => check(`chat: ${c.name} received viewer1's message`, got[k], got[k] ? '' : 'not received within 5 s'));
    const echoed = await viewers[0].page.evaluate((m) => window.__cascadeTest.chat.includes(m), message);
    info(`viewer1 ${echoed ? 'received its own message back (echo)' : 'did not get its own message back (no echo)'}`);
  }

  // werift, an independent implementation, watches too.
  run.step = 'werift WHEP watch';
  let werift = null;
  try {
    const token = await getToken(room, 'watch');
    werift = await within(10000, 'werift WHEP POST', weriftWatch({ base, room, token, log: info }));
    sessionsToStop.push({ name: 'werift', url: werift.resource, stop: () => werift.stop() });
    check('werift: WHEP POST answered 201, answer accepted', true);
    werift.pc.connectionStateChange.subscribe((state) => state === 'connected' && info(`werift: ${werift.states.join(', ')}`));
    const deadline = Date.now() + 10000;
    run.step = 'werift to receive > 50 video and > 0 audio RTP packets';
    while (Date.now() < deadline && !(werift.counts.video > 50 && werift.counts.audio > 0)) await sleep(100);
    const c = werift.counts;
    check('werift: receives video RTP', c.video > 50,
      `${c.video} video packets (ssrc ${[...c.videoSsrcs].join(',')}, pt ${[...c.videoPayloadTypes].join(',')}, ` +
      `${c.videoSeqGaps} sequence numbers skipped, ${c.videoPaddingOnly} padding-only)`);
    check('werift: receives audio RTP', c.audio > 0, `${c.audio} audio packets (ssrc ${[...c.audioSsrcs].join(',')})`);
    info(`werift: ${werift.states.join(', ')}; first video packet +${c.firstVideoMs ?? '-'} ms, first audio packet +${c.firstAudioMs ?? '-'} ms after the POST`);
    if (!(c.video > 50 && c.audio > 0)) {
      diagnostics.push(`== werift ==\nstates: ${werift.states.join(', ')}\noffer:\n${werift.offer.replace(/\r\n/g, '\n').replace(/^/gm, '    > ')}\nanswer:\n${werift.answer.replace(/\r\n/g, '\n').replace(/^/gm, '    | ')}`);
    }
  } catch (error) {
    check('werift: WHEP POST answered 201, answer accepted', false, error.message);
    if (error.offer) diagnostics.push(`== werift ==\noffer:\n${error.offer.replace(/\r\n/g, '\n').replace(/^/gm, '    > ')}\nanswer body: ${error.body}`);
  }

  liveMetrics = await edgeMetrics().catch((error) => `metrics unavailable: ${error.message}`);
  const live = await pollSessions({ publisher: 1, viewer: VIEWERS + (werift ? 1 : 0) }, 1000);
  check(`metrics: edge counts 1 publisher and ${VIEWERS + (werift ? 1 : 0)} viewers while they are live`,
    live.publisher === 1 && live.viewer === VIEWERS + (werift ? 1 : 0),
    `cascade_edge_sessions publisher=${live.publisher} viewer=${live.viewer}`);
}

const sessionsToStop = [];  // werift; browser sessions are stopped from their pages
let liveMetrics = '';  // the edge's /metrics while every session was live

async function stopEverything() {
  run.step = 'DELETE of every session';
  const outcomes = [];
  for (const { name, page } of pages) {
    try {
      const r = await Promise.race([
        page.evaluate(async () => {
          const t = window.__cascadeTest;
          if (!t || !t.session) return null;
          await t.session.stop();
          const del = [...t.requests].reverse().find((x) => x.method === 'DELETE');
          return { url: del && del.url, status: del && (del.status ?? del.error) };
        }),
        sleep(5000).then(() => ({ status: 'page did not finish stop() within 5 s' })),
      ]);
      if (r) outcomes.push({ name, ...r });
    } catch (error) {
      outcomes.push({ name, status: `stop() threw: ${error.message}` });
    }
  }
  for (const s of sessionsToStop) {
    try {
      outcomes.push({ name: s.name, url: s.url, status: await s.stop() });
    } catch (error) {
      outcomes.push({ name: s.name, url: s.url, status: `DELETE failed: ${error.message}` });
    }
  }
  for (const o of outcomes) {
    check(`${o.name}: DELETE of its session answered 2xx`, typeof o.status === 'number' && o.status >= 200 && o.status < 300,
      `${o.url || ''} -> ${o.status}`);
  }
  if (outcomes.length > 0) {
    const after = await pollSessions({ publisher: 0, viewer: 0 }, 3000);
    check('metrics: edge sessions back to 0 after DELETE (polled up to 3 s)', after.publisher === 0 && after.viewer === 0,
      `cascade_edge_sessions publisher=${after.publisher} viewer=${after.viewer}${after.error ? ` (${after.error})` : ''}`);
  }
}

async function badInputPart() {
  run.step = 'bad-input checks';
  // A real, complete Chromium offer (publish shape: audio + simulcast video + data channel)
  // so that only the one thing under test is wrong in each request.
  let offer = null;
  const publisher = pages.find((p) => p.name === 'publisher');
  if (publisher) {
    offer = await publisher.page.evaluate(() => window.__cascadeTest.requests.find((r) => r.offer)?.offer).catch(() => null);
  }
  if (!offer && browser) {
    const page = await browser.newPage();
    await page.goto(`${base}/web/publish.html?room=${room}`).catch(() => {});
    offer = await page.evaluate(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio', { direction: 'sendonly' });
      pc.addTransceiver('video', { direction: 'sendonly' });
      pc.createDataChannel('chat');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((r) => setTimeout(r, 500));
      return pc.localDescription.sdp;
    }).catch(() => null);
    await page.close().catch(() => {});
  }
  if (!offer) {
    check('bad input: have a Chromium offer to vary', false, 'none could be made');
    return;
  }
  const tokenErrors = [];
  const tokenOrNull = (forRoom, role) => getToken(forRoom, role).catch((error) => {
    tokenErrors.push(error.message);
    return null;
  });
  const publishToken = await tokenOrNull(room, 'publish');
  const watchToken = await tokenOrNull(room, 'watch');
  const otherRoomToken = await tokenOrNull(`${room}-other`, 'publish');
  const whip = `${base}/whip/${encodeURIComponent(room)}`;
  const sdp = { 'Content-Type': 'application/sdp' };
  const bearer = (token) => ({ ...sdp, Authorization: `Bearer ${token}` });
  const noBundle = offer.split('\r\n').filter((l) => !l.startsWith('a=group:BUNDLE')).join('\r\n');
  const padding = 'a=x-padding:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abc\r\n';
  const huge = `v=0\r\n${padding.repeat(Math.ceil(300 * 1024 / padding.length))}`.slice(0, 300 * 1024);
  const cases = [
    { name: 'WHIP POST without a token', headers: sdp, body: offer, want: 401 },
    { name: 'WHIP POST with a forged token', headers: bearer(forgeToken(room)), body: offer, want: 401 },
    { name: 'WHIP POST with a watch token', headers: bearer(watchToken), body: offer, want: 403 },
    { name: 'WHIP POST with a token for another room', headers: bearer(otherRoomToken), body: offer, want: 403 },
    { name: 'WHIP POST with body "garbage"', headers: bearer(publishToken), body: 'garbage', want: 400, bodyMust: /sdp|offer|v=|pars|malformed|invalid/i },
    { name: 'WHIP POST of an offer without a=group:BUNDLE', headers: bearer(publishToken), body: noBundle, want: 400, bodyMust: /bundle/i },
    { name: `WHIP POST of a ${Math.round(huge.length / 1024)} KiB body`, headers: bearer(publishToken), body: huge, want: 413 },
    { name: 'WHEP POST without a token', headers: sdp, body: offer, want: 401, url: `${base}/whep/${encodeURIComponent(room)}` },
  ];
  for (const c of cases) {
    run.step = `bad input: ${c.name}`;
    if (/Bearer null$/.test(c.headers.Authorization || '')) {
      check(`bad input: ${c.name} -> ${c.want}`, false, `no token to send it with: ${tokenErrors[0]}`);
      continue;
    }
    const r = await rawRequest('POST', c.url || whip, c.headers, c.body);
    const bodyOk = !c.bodyMust || c.bodyMust.test(r.body);
    const shown = r.body.length > 160 ? `${r.body.slice(0, 160)}…` : r.body;
    check(`bad input: ${c.name} -> ${c.want}${c.bodyMust ? ` naming the problem (${c.bodyMust})` : ''}`,
      r.status === c.want && bodyOk,
      `answered ${r.status || r.error} ${JSON.stringify(shown)}${r.status === 201 ? ` Location=${r.headers.location}` : ''}`);
    if (r.status === 201 && r.headers.location) {
      // A session that should not exist: end it so it does not hide later results.
      await rawRequest('DELETE', new URL(r.headers.location, `${base}/`).toString(), { Authorization: c.headers.Authorization || '' }, '');
    }
  }
  const after = await pollSessions({ publisher: 0, viewer: 0 }, 1000);
  check('metrics: no session left behind by the bad requests', after.publisher === 0 && after.viewer === 0,
    `cascade_edge_sessions publisher=${after.publisher} viewer=${after.viewer}`);
}

async function main() {
  run.step = `"up: all N nodes registered" from ${path.basename(command[0])}`;
  const ready = await within(15000, run.step, mesh.ready).catch(() => false);
  if (!check('mesh: cascade up reports all nodes registered', ready,
    ready ? `edge HTTP ${base}` : `exit=${JSON.stringify(mesh.exit)}; last: ${mesh.log.slice(-3).join(' | ')}`)) {
    await finish();
    return;
  }
  try {
    await mediaPart();
  } catch (error) {
    if (!/publishing failed|did not connect|could not join/.test(error.message)) {
      check(`no error while "${run.step}"`, false, error.message.split('\n')[0]);
    }
  }
  if (run.failed || verbose) await Promise.race([collectDiagnostics(), sleep(8000)]);
  try {
    await stopEverything();
  } catch (error) {
    check('stopping every session', false, error.message);
  }
  try {
    await badInputPart();
  } catch (error) {
    check(`no error while "${run.step}"`, false, error.message.split('\n')[0]);
  }
  clearTimeout(watchdog);
  await finish();
}

main();
