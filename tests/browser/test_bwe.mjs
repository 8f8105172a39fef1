// Browser proof for per-viewer bandwidth adaptation (issue 11, "Proof"): Chromium publishes
// three simulcast layers to one edge of `cascade up`; three Chromium viewers watch it:
//   A through a `cascade linkemu` whose edge->viewer direction is capped at 400 kbps for a while,
//   B directly (uncapped),
//   C through a second emulator with 5 % random loss each way.
// A must settle on the lowest layer within 5 s of the cap and climb back to the top layer
// within 15 s of the lift, with no freeze over 1 s; B must stay on the top layer with no freeze
// over 1 s; C must keep decoding with unrecovered loss under 0.5 %. The harness proves its
// own ground too: each viewer's selected candidate pair goes where it should, emulator A holds
// the cap, emulator C drops about 5 %.
//
//   node tests/browser/test_bwe.mjs <path-to-cascade> [base_port]
//   BWE_EXPECT_ADAPTATION=0 node tests/browser/test_bwe.mjs ...   # issue 11's assertions reported, not asserted
//   VERBOSE=1 ...                                                  # getStats, SDPs, console, logs even on success
//   BWE_LOSS=0.01 ...                                              # C's random loss (default 0.05)
//
// One PASS/FAIL line per assertion; exit 0 only if all pass. Bounded: gives up at 90 s saying
// what it waited for. Everything it starts (mesh, emulators, Chromium) is stopped by pid.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openLoggedPage } from './chromium.mjs';
import { sleep, startMesh, TestRun } from './harness.mjs';
import { rewriteWhepAnswers, startLinkEmulator, whepRewrites } from './linkemu.mjs';
import { metricSum } from './mesh-api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_bwe.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 20300);
const edgePort = basePort + 10;
const mediaPort = basePort + 1920;  // edge 1's media UDP port under `cascade up` (README)
const base = `http://127.0.0.1:${edgePort}`;
const room = `bwe-${randomBytes(3).toString('hex')}`;
const expectAdaptation = process.env.BWE_EXPECT_ADAPTATION !== '0';
const verbose = process.env.VERBOSE === '1';

const CAP_BPS = 400000;
// C's random loss each way; BWE_LOSS=0.01 etc. for the loss sweep in docs/BENCHMARKS.md.
const LOSS = Number(process.env.BWE_LOSS ?? 0.05);
if (!(LOSS >= 0 && LOSS < 1)) {
  console.error(`BWE_LOSS must be a fraction in [0, 1), got ${process.env.BWE_LOSS}`);
  process.exit(2);
}
const SAMPLE_MS = 500;
const SETTLE_DOWN_MS = 5000;   // issue 11: the capped viewer is on the lowest layer within 5 s
const CAPPED_MS = 10000;       // how long the cap stays (the settled layer must hold until the lift)
const CLIMB_UP_MS = 15000;     // issue 11: back on the top layer within 15 s of the lift
const FREEZE_MS = 1000;        // no decoded frame for longer than this is a freeze
const MAX_UNRECOVERED = 0.005;  // issue 11, with RTX
const MAX_UNRECOVERED_TODAY = 0.02;  // NACK repair works at all (unrepaired it would be the 5 %)
const TOTAL_BUDGET_MS = 90000;

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const waitInPage = run.waitInPage.bind(run);
const consoleLog = [];
const harnessFailures = [];  // failed checks other than issue 11's (those print no diagnostics)

function harnessCheck(name, ok, detail = '') {
  if (!ok) harnessFailures.push(name);
  return check(name, ok, detail);
}
// What issue 11 adds (A's adaptation, C's repair to < 0.5 %, the edge's per-viewer stats):
// asserted, or only reported with BWE_EXPECT_ADAPTATION=0.
// The climb back after the cap is lifted is reported unless BWE_EXPECT_CLIMB=1: it takes
// 6.8-11.5 s at load 6 on 2 cores, close enough to the 15 s bound that a slower CI machine
// could miss it (issue 11's note); asserting it there would make the suite flaky.
const expectClimb = process.env.BWE_EXPECT_CLIMB === '1';
function reportedCheck(name, ok, detail) {
  if (expectAdaptation && expectClimb) return check(name, ok, detail);
  console.log(`REPORT ${ok ? 'met' : 'NOT met'} (not asserted without BWE_EXPECT_CLIMB=1) ${name}: ${detail}`);
  return ok;
}
function featureCheck(name, ok, detail) {
  if (expectAdaptation) return check(name, ok, detail);
  console.log(`REPORT ${ok ? 'met' : 'NOT met'} (not asserted, BWE_EXPECT_ADAPTATION=0) ${name}: ${detail}`);
  return ok;
}

// ---------------------------------------------------------------- what this test starts
const mesh = startMesh(cascade, ['up', '--base-port', String(basePort), '--regions', 'europe-west1', '--edges', '1',
  '--relays', '0', '--duration', '150'],
  run, /up: all \d+ nodes registered/);
const emulators = {};  // A (capped), C (lossy)
let browser = null;
let cleaningUp = false;
const pages = [];  // { name, page }

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  clearTimeout(watchdog);
  sampling = false;
  const showDiagnostics = verbose || harnessFailures.length > 0;
  if (showDiagnostics) await Promise.race([printDiagnostics(), sleep(8000)]);
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  for (const emulator of Object.values(emulators)) await emulator.stop();
  run.step = 'stopping the mesh';
  const exit = await mesh.stop();
  harnessCheck('mesh: cascade up stopped cleanly on SIGINT', exit.code === 0,
    `exit code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}; last line: ${mesh.log.at(-1) || '-'}`);
  // Freezes and join times depend on the machine: say how loaded it was.
  info(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  if (showDiagnostics) {
    console.log('\n---- mesh output (last 60 lines) ----');
    console.log(mesh.log.slice(-60).join('\n'));
    for (const emulator of Object.values(emulators)) {
      console.log(`\n---- link emulator ${emulator.name} (last 10 lines) ----\n${emulator.child.log.slice(-10).join('\n')}`);
    }
    console.log('----');
  }
  process.exit(run.summarize('test_bwe'));
}

const watchdog = setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  harnessFailures.push('timeout');
  await finish();
}, TOTAL_BUDGET_MS);
process.on('SIGINT', async () => {
  check('not interrupted', false, `interrupted while waiting for "${run.step}"`);
  harnessFailures.push('interrupted');
  await finish();
});

async function printDiagnostics() {
  console.log('\n---- diagnostics (getStats per peer connection, WHEP answers as the page got them) ----');
  for (const { name, page } of pages) {
    const d = await Promise.race([
      page.evaluate(async () => {
        const t = window.__cascadeTest;
        if (!t) return 'no instrumentation';
        const answers = t.requests.filter((r) => r.answer !== undefined)
          .map((r) => `${r.method} ${r.url} -> ${r.status}\n${r.answer.replace(/\r\n/g, '\n').replace(/^/gm, '    | ')}`);
        return `${await t.diagnose()}\n${answers.join('\n')}`;
      }).catch((error) => `diagnostics failed: ${error.message}`),
      sleep(3000).then(() => 'page did not answer within 3 s'),
    ]);
    console.log(`== ${name} ==\n${d}`);
  }
  for (const [name, emulator] of Object.entries(emulators)) {
    const state = await emulator.state().catch((error) => ({ error: error.message }));
    console.log(`== emulator ${name} GET /link ==\n${JSON.stringify(state)}`);
  }
  console.log('\n---- browser console (last 100) ----');
  console.log(consoleLog.slice(-100).join('\n'));
}

// ---------------------------------------------------------------- measuring
// Installed in every viewer page: polls getStats every 100 ms (freezes need finer steps than
// the 500 ms samples), follows keepWatching's current session, keeps the latest figures and
// every freeze over `freezeMs`, from two sources:
//  - Chromium's own (freezeCount / totalFreezesDuration, measured on rendered frames): one new
//    freeze between two polls is exactly the increase of totalFreezesDuration;
//  - our polling: a gap counts only up to the last poll that still saw no new frame, so a page
//    whose timers were late (a loaded machine) does not invent a freeze.
function installViewerSampler(freezeMs) {
  const t = window.__cascadeTest;
  const s = { latest: null, freezes: [], lastFrames: 0, lastFrameAt: null, lastPollAt: null, session: -1, error: null,
    chromium: { count: 0, total: 0 } };
  window.__bwe = s;
  const VIDEO_FIELDS = ['frameWidth', 'frameHeight', 'framesDecoded', 'framesDropped', 'keyFramesDecoded', 'packetsReceived',
    'packetsLost', 'nackCount', 'pliCount', 'firCount', 'freezeCount', 'totalFreezesDuration', 'bytesReceived',
    'retransmittedPacketsReceived', 'framesPerSecond'];
  const read = async () => {
    const session = t.session;
    if (!session || session.pc.connectionState === 'closed') return;
    const stats = await session.pc.getStats();
    const now = Date.now();
    const v = { at: now, session: t.sessions.indexOf(session) };
    let pairId = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') for (const k of VIDEO_FIELDS) v[k] = r[k];
      else if (r.type === 'inbound-rtp' && r.kind === 'audio') v.audioPackets = r.packetsReceived;
      else if (r.type === 'transport') {
        v.transportBytesReceived = r.bytesReceived;  // across pair switches, unlike the pair's own count
        pairId = r.selectedCandidatePairId;
      }
    });
    const pair = pairId && stats.get(pairId);
    if (pair) {
      const remote = stats.get(pair.remoteCandidateId);
      if (remote) Object.assign(v, { remoteAddress: remote.address, remotePort: remote.port, remoteProtocol: remote.protocol });
    }
    const frames = v.framesDecoded || 0;
    if (v.session !== s.session) {
      // A new session (keepWatching joined again) counts from 0; a gap spanning it still counts.
      s.session = v.session;
      s.lastFrames = frames;
      s.chromium = { count: v.freezeCount || 0, total: v.totalFreezesDuration || 0 };
      if (frames > 0 && s.lastFrameAt === null) s.lastFrameAt = now;
    } else if (frames > s.lastFrames) {
      if (s.lastFrameAt !== null && s.lastPollAt - s.lastFrameAt > freezeMs) {
        s.freezes.push({ from: s.lastFrameAt, ms: s.lastPollAt - s.lastFrameAt, by: 'polling' });
      }
      s.lastFrames = frames;
      s.lastFrameAt = now;
    }
    if (v.freezeCount > s.chromium.count) {
      const count = v.freezeCount - s.chromium.count;
      const ms = ((v.totalFreezesDuration - s.chromium.total) * 1000) / count;  // exact when count is 1
      if (ms > freezeMs) s.freezes.push({ from: now - ms * count, ms: Math.round(ms), by: 'chromium', count });
      s.chromium = { count: v.freezeCount, total: v.totalFreezesDuration };
    }
    s.lastPollAt = now;
    s.latest = v;
  };
  (async () => {
    for (;;) {
      try {
        await read();
      } catch (error) {
        s.error = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
}

const readViewer = (page) => page.evaluate((freezeMs) => {
  const s = window.__bwe;
  if (!s) return null;
  // A freeze still going on counts up to the last poll that saw it.
  const open = s.lastFrameAt !== null && s.lastPollAt - s.lastFrameAt > freezeMs
    ? [{ from: s.lastFrameAt, ms: s.lastPollAt - s.lastFrameAt, by: 'polling', open: true }] : [];
  return { ...s.latest, freezes: [...s.freezes, ...open], sessions: window.__cascadeTest.sessions.length, error: s.error };
}, FREEZE_MS);

// The publisher's video layers; `available` on the first is Chromium's own send-side estimate
// towards the edge (the selected pair's availableOutgoingBitrate).
const readPublisher = (page) => page.evaluate(async () => {
  const layers = [];
  const stats = await window.__cascadeTest.session.pc.getStats();
  let available = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) available = stats.get(r.selectedCandidatePairId)?.availableOutgoingBitrate ?? null;
  });
  stats.forEach((r) => {
    if (r.type === 'outbound-rtp' && r.kind === 'video') {
      layers.push({ rid: r.rid, width: r.frameWidth, height: r.frameHeight, bytesSent: r.bytesSent, fps: r.framesPerSecond,
        limitation: r.qualityLimitationReason, active: r.active, available });
    }
  });
  return layers;
});

const timeline = [];  // { at, publisher: [layers], live: [layers], viewers: {A, B, C}, emulatorA: counters }
let sampling = false;
async function sampleLoop(publisher, viewers) {
  sampling = true;
  const history = [];  // the publisher's layers, one entry per sample
  while (sampling) {
    const at = Date.now();
    const [layers, states, emulatorA] = await Promise.all([
      readPublisher(publisher).catch(() => []),
      Promise.all(viewers.map((v) => readViewer(v.page).catch(() => null))),
      emulators.A.state().then((s) => s.b_to_a.counters).catch(() => null),
    ]);
    // A layer is live when it has a resolution and sent bytes within the last 2 s (a loaded
    // machine can hold the encoder up for a sample or two).
    const before = history.length >= 4 ? history[history.length - 4] : history[0] || [];
    const live = layers.filter((l) => l.width > 0 && l.bytesSent > (before.find((p) => p.rid === l.rid)?.bytesSent ?? 0))
      .sort((x, y) => x.width - y.width);
    history.push(layers);
    const sample = { at, publisher: layers, live, viewers: {}, emulatorA };
    viewers.forEach((v, k) => (sample.viewers[v.name] = states[k]));
    timeline.push(sample);
    await sleep(Math.max(0, SAMPLE_MS - (Date.now() - at)));
  }
}

// The publisher layer (rid) a decoded width belongs to: equal width, else the nearest among
// the layers the publisher reports in that sample (a CPU-limited encoder may shrink one).
function ridOf(width, sample) {
  const layers = sample.publisher.filter((l) => l.width > 0);
  if (!width || layers.length === 0) return null;
  const distance = (l) => Math.abs(Math.log(l.width / width));
  return layers.reduce((best, l) => (distance(l) < distance(best) ? l : best)).rid;
}
// The top and lowest layers as the publisher sent them before the cap: a publisher that later
// stops sending its top layer must not make "on the top layer" come true by itself.
const reference = { top: null, lowest: null };
const onLayer = (sample, name, layer) => !!layer && ridOf(sample.viewers[name]?.frameWidth, sample) === layer.rid;
const describe = (layer) => (layer ? `${layer.rid} ${layer.width}x${layer.height}` : '?');
const layerName = (v) => (v && v.frameWidth ? `${v.frameWidth}x${v.frameHeight}` : 'no frame');

function samplesBetween(from, to) {
  return timeline.filter((s) => s.at >= from && s.at <= to);
}
// "1280x720 ×12, 320x180 ×8" over a stretch of samples.
function widthsSeen(samples, name) {
  const counts = new Map();
  for (const s of samples) counts.set(layerName(s.viewers[name]), (counts.get(layerName(s.viewers[name])) || 0) + 1);
  return [...counts].map(([w, n]) => `${w} ×${n}`).join(', ');
}
function delta(samples, name, field) {
  const first = samples.find((s) => s.viewers[name]?.[field] !== undefined)?.viewers[name][field];
  const last = samples.findLast((s) => s.viewers[name]?.[field] !== undefined)?.viewers[name][field];
  return first === undefined || last === undefined ? null : last - first;
}
const kbps = (bytes, ms) => (bytes === null || ms <= 0 ? null : Math.round((bytes * 8) / ms));
const freezesIn = (freezes, from, to) => (freezes || []).filter((f) => f.from + f.ms > from && f.from < to);
const freezeText = (freezes) => (freezes.length === 0 ? 'none' : freezes.map((f) => `${f.ms} ms at +${((f.from - run.t0) / 1000).toFixed(1)}s ` +
  `(${f.by}${f.count > 1 ? `, mean of ${f.count}` : ''}${f.open ? ', still frozen' : ''})`).join(', '));

// The edge's per-viewer view (estimate, chosen layer, reason of the last switch). Not there yet:
// issue 11 adds it; until then this reports "not yet" instead of asserting anything.
async function edgeViewerStats(resource) {
  try {
    const response = await fetch(`${resource}/stats`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return { missing: `GET ${new URL(resource).pathname}/stats answered ${response.status}` };
    return { body: await response.json() };
  } catch (error) {
    return { missing: `GET ${resource}/stats failed: ${error.message}` };
  }
}

// ---------------------------------------------------------------- the test
async function publish(context) {
  const publisher = await openLoggedPage(context, 'publisher', consoleLog, run.t0);
  pages.push({ name: 'publisher', page: publisher });
  await within(10000, 'publish.html to load', publisher.goto(`${base}/web/publish.html?room=${room}`));
  await publisher.click('#start', { timeout: 5000 });
  const connected = await waitInPage(publisher, 'publisher WHIP + ICE/DTLS connected', 15000,
    () => window.__cascadeTest.session?.pc.connectionState === 'connected');
  if (!harnessCheck('publish: WHIP answered and the peer connection connected', connected,
    await publisher.evaluate(() => document.getElementById('status').textContent).catch(() => '?'))) {
    throw new Error('publishing failed');
  }
  // Chromium's own estimate must grow before it sends the top layer: wait for three live layers.
  run.step = 'the publisher to send three live simulcast layers';
  let previous = [];
  let layers = [];
  let live = [];
  for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
    await sleep(SAMPLE_MS);
    layers = await readPublisher(publisher);
    live = layers.filter((l) => l.width > 0 && l.bytesSent > (previous.find((p) => p.rid === l.rid)?.bytesSent ?? Infinity));
    previous = layers;
    if (live.length >= 3) break;
  }
  harnessCheck('publish: three simulcast layers live', live.length >= 3,
    layers.map((l) => `${l.rid} ${l.width}x${l.height} ${l.fps ?? '-'} fps limited by ${l.limitation}`).join(', '));
  return publisher;
}

async function watch(context, name, emulator) {
  const page = await openLoggedPage(context, `viewer${name}`, consoleLog, run.t0);
  pages.push({ name: `viewer${name}`, page });
  const viewer = { name, page, emulator };
  if (emulator) await rewriteWhepAnswers(page, emulator);
  await within(10000, `viewer ${name}: watch.html to load`, page.goto(`${base}/web/watch.html?room=${room}`));
  await page.evaluate(installViewerSampler, FREEZE_MS);
  return viewer;
}

async function joined(viewer) {
  const { name, page, emulator } = viewer;
  const first = await waitInPage(page, `viewer ${name}: first decoded frame`, 15000, () => window.__cascadeTest.joinToFirstFrameMs !== null);
  const j = await page.evaluate(() => {
    const t = window.__cascadeTest;
    const whep = t.requests.find((r) => r.method === 'POST' && /\/whep\//.test(r.url));
    const since = (ms) => (ms === null || !whep ? null : Math.round(ms - whep.at));
    return { join: t.joinToFirstFrameMs, answered: whep && whep.doneAt - whep.at, status: whep && whep.status,
      iceConnected: since(t.iceConnectedMs), connected: since(t.connectedMs),
      resource: t.session && t.session.resource, page: document.getElementById('status').textContent };
  });
  viewer.resource = j.resource;
  if (emulator) {
    const r = (await whepRewrites(page))[0];
    harnessCheck(`viewer ${name}: WHEP answer rewritten to the emulator (UDP candidate ${r?.replaced.join(',') || 'none'} -> ` +
      `127.0.0.1:${emulator.listen.port}, ${r?.dropped ?? 0} TCP candidate(s) dropped)`,
      r && r.status === 201 && r.replaced.length > 0 && r.replaced.every((c) => c.endsWith(`:${mediaPort}`)) && r.dropped > 0,
      r ? `status ${r.status}` : 'no WHEP answer was rewritten');
  }
  if (harnessCheck(`viewer ${name}: first video frame decoded`, first, `WHEP ${j.status}, page "${j.page}"`)) {
    viewer.join = j.join;
    console.log(`join_to_first_frame_ms=${Math.round(j.join)} viewer=${name} (WHEP POST->201 ${Math.round(j.answered)} ms, ` +
      `->ICE connected ${j.iceConnected ?? '-'} ms, ->DTLS connected ${j.connected ?? '-'} ms)`);
  }
  return first;
}

async function main() {
  run.step = '"up: all N nodes registered"';
  const ready = await within(15000, run.step, mesh.ready).catch(() => false);
  if (!harnessCheck('mesh: cascade up reports all nodes registered', ready,
    ready ? `edge HTTP ${base}, media UDP 127.0.0.1:${mediaPort}` : `exit=${JSON.stringify(mesh.exit)}; last: ${mesh.log.slice(-3).join(' | ')}`)) {
    return;
  }
  run.step = 'the link emulators to start';
  const to = `127.0.0.1:${mediaPort}`;
  emulators.A = await startLinkEmulator(run, cascade, { to, name: 'A' });
  emulators.C = await startLinkEmulator(run, cascade, { to, name: 'C', extraArgs: ['--loss', String(LOSS)] });
  info(`emulator A 127.0.0.1:${emulators.A.listen.port} (http ${emulators.A.http}) and C 127.0.0.1:${emulators.C.listen.port} ` +
    `(http ${emulators.C.http}, ${LOSS * 100} % loss each way) -> edge ${to}`);

  browser = await within(20000, 'Chromium to start', launchChromium());
  info(`chromium ${browser.version()} up, room ${room}`);
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  await context.addInitScript({ content: readFileSync(path.join(here, 'page-instrumentation.js'), 'utf8') });
  const publisher = await publish(context);

  const viewers = [];
  for (const [name, emulator] of [['A', emulators.A], ['B', null], ['C', emulators.C]]) viewers.push(await watch(context, name, emulator));
  const firsts = await Promise.all(viewers.map(joined));
  const joins = viewers.map((v) => v.join).filter((j) => j !== undefined).sort((x, y) => x - y);
  if (joins.length > 0) console.log(`join_to_first_frame_ms_median=${Math.round(joins[Math.floor((joins.length - 1) / 2)])} viewers=${joins.length}`);
  if (!firsts.every(Boolean)) throw new Error('a viewer did not decode');

  const sampler = sampleLoop(publisher, viewers);
  await sleep(1200);
  const paths = [['A', emulators.A.listen.port, 'emulator A'], ['B', mediaPort, 'the edge'], ['C', emulators.C.listen.port, 'emulator C']];
  const checkPaths = (when) => {
    for (const [name, port, what] of paths) {
      const seen = new Set(timeline.map((s) => s.viewers[name]).filter((v) => v && v.remotePort !== undefined)
        .map((v) => `${v.remoteProtocol} ${v.remoteAddress}:${v.remotePort}`));
      harnessCheck(`viewer ${name}: selected candidate pair's remote is ${what} (udp 127.0.0.1:${port}) ${when}`,
        seen.size === 1 && seen.has(`udp 127.0.0.1:${port}`), `seen: ${[...seen].join(', ') || 'no stats'}`);
    }
  };
  checkPaths('after the join');

  // Before the cap, A and B should both be on the top layer (nothing limits them yet).
  run.step = 'viewers A and B on the top layer before the cap';
  const warmDeadline = Date.now() + 15000;
  const onTop = (s, name) => onLayer(s, name, s.live.at(-1));
  while (Date.now() < warmDeadline && !(timeline.length > 0 && onTop(timeline.at(-1), 'A') && onTop(timeline.at(-1), 'B'))) await sleep(SAMPLE_MS);
  const warm = timeline.at(-1);
  const warmFrom = timeline.at(-5) || timeline[0];
  const layerKbps = (l) => kbps(l.bytesSent - (warmFrom.publisher.find((p) => p.rid === l.rid)?.bytesSent ?? l.bytesSent), warm.at - warmFrom.at);
  info(`before the cap: live layers ${warm.live.map((l) => `${l.rid} ${l.width}x${l.height} ${layerKbps(l)} kbps`).join(', ')}; ` +
    `A ${layerName(warm.viewers.A)}, B ${layerName(warm.viewers.B)}, C ${layerName(warm.viewers.C)}`);
  reference.top = warm.live.at(-1) || null;
  reference.lowest = warm.live[0] || null;
  harnessCheck('viewer B: on the top layer before the cap', onTop(warm, 'B'), `B ${layerName(warm.viewers.B)}`);

  // The cap: edge -> viewer A only (A's RTCP feedback is not held up by its own media).
  run.step = 'PUT /link on emulator A (cap)';
  const edgeResent = async () => metricSum(edgePort, 'cascade_media_nack_resent_packets_total').catch(() => null);
  const resentBeforeCap = await edgeResent();
  const capAt = Date.now();
  await emulators.A.set({ b_to_a: { rate_bps: CAP_BPS } });
  info(`emulator A: edge->viewer capped at ${CAP_BPS / 1000} kbps`);
  const statsDuringCap = [];
  run.step = `the capped phase (${CAPPED_MS / 1000} s)`;
  await sleep(CAPPED_MS - 1000);
  for (const v of viewers) statsDuringCap.push({ name: v.name, ...(await edgeViewerStats(v.resource)) });
  await sleep(1000);
  const liftAt = Date.now();
  await emulators.A.set({ b_to_a: { rate_bps: 0 } });
  const resentWhileCapped = resentBeforeCap === null ? null : (await edgeResent()) - resentBeforeCap;
  info('emulator A: cap lifted (rate_bps 0)');

  // Up to 15 s for A to be back on the top layer (decoding), then 2 s more of B and C.
  run.step = 'viewer A back on the top layer after the lift';
  let climbedAt = null;
  for (const deadline = liftAt + CLIMB_UP_MS; Date.now() < deadline && climbedAt === null;) {
    await sleep(SAMPLE_MS);
    const after = samplesBetween(liftAt, Date.now());
    for (let k = 1; k < after.length && climbedAt === null; ++k) {
      const v = after[k].viewers.A;
      if (onLayer(after[k], 'A', reference.top) && v.framesDecoded > (after[k - 1].viewers.A?.framesDecoded ?? Infinity)) climbedAt = after[k].at;
    }
  }
  await sleep(2000);
  const statsAtEnd = [];
  for (const v of viewers) statsAtEnd.push({ name: v.name, ...(await edgeViewerStats(v.resource)) });
  const endAt = Date.now();
  sampling = false;
  await sampler;
  const final = Object.fromEntries(await Promise.all(viewers.map(async (v) => [v.name, await readViewer(v.page)])));

  checkPaths('in every sample');
  printTimeline(run.t0, capAt, liftAt);
  assertAdaptation({ capAt, liftAt, endAt, climbedAt, final });
  const nacks = {};
  for (const k of ['received', 'resent_packets', 'suppressed', 'not_in_cache']) {
    nacks[k] = await metricSum(edgePort, `cascade_media_nack_${k}_total`).catch(() => '?');
  }
  assertUncappedAndLossy({ capAt, endAt, final, nacks });
  await assertEmulators({ capAt, liftAt, resentWhileCapped });
  reportEdgeStats(statsDuringCap, statsAtEnd);
  await checkLayerChannel(viewers[1]);
}

// The preference from the page (a thumbnail asks for "low"): Cascade.watch's setLayer sends it
// on a "layer" data channel; the edge answers on it, and its per-viewer stats must show the
// viewer moved to the lowest layer, and back up on "auto".
async function checkLayerChannel(viewer) {
  run.step = `viewer ${viewer.name}: layer preference over the data channel`;
  const ask = (preference) => viewer.page.evaluate((p) => window.__cascadeTest.session.setLayer(p), preference);
  const bogus = await ask('sideways');
  check('layer channel: an unknown preference is refused with a reason', bogus.ok === false && /low, medium, high/.test(bogus.error || ''),
    JSON.stringify(bogus));
  const layerOf = async () => (await edgeViewerStats(viewer.resource)).body?.layer || {};
  const waitFor = async (want, ms) => {
    const from = Date.now();
    for (let layer = await layerOf(); Date.now() - from < ms; layer = await layerOf()) {
      if (want(layer)) return { at: Date.now() - from, layer };
      await sleep(100);
    }
    return { at: null, layer: await layerOf() };
  };
  const lowest = reference.lowest?.rid;
  const top = reference.top?.rid;
  const low = await ask('low');
  const down = await waitFor((l) => l.rid === lowest, 5000);
  check(`layer channel: "low" accepted and viewer ${viewer.name} on the lowest layer (${lowest}) at the edge`,
    low.ok === true && down.at !== null,
    `reply ${JSON.stringify(low)}; ${down.at === null ? `still on ${down.layer.rid}` : `on ${lowest} after ${down.at} ms`} (preference_max_spatial ${down.layer.preference_max_spatial})`);
  const auto = await ask('auto');
  const up = await waitFor((l) => l.rid === top, 10000);
  check(`layer channel: "auto" brings viewer ${viewer.name} back to the top layer (${top})`, auto.ok === true && up.at !== null,
    `reply ${JSON.stringify(auto)}; ${up.at === null ? `still on ${up.layer.rid}` : `after ${up.at} ms`}`);
  const counted = await metricSum(edgePort, 'cascade_media_layer_messages_total').catch(() => null);
  const refused = await metricSum(edgePort, 'cascade_media_layer_messages_invalid_total').catch(() => null);
  check('layer channel: the edge counts 2 preferences set and 1 refused', counted === 2 && refused === 1,
    `cascade_media_layer_messages_total ${counted}, _invalid_total ${refused}`);
}

function publisherCell(sample) {
  const top = sample.publisher.find((l) => l.rid === reference.top?.rid) || sample.publisher[0];
  const estimate = sample.publisher[0]?.available;
  return `${sample.live.map((l) => `${l.rid}${l.width}`).join(' ')} ${estimate ? Math.round(estimate / 1000) : '-'}k ${top?.limitation ?? '-'}`;
}

// One line a second: what each viewer decodes and receives, and what the publisher sends.
function printTimeline(t0, capAt, liftAt) {
  console.log('\n     publisher: live layers, its own estimate towards the edge, what limits its top layer');
  console.log(`     ${'time'.padEnd(7)} ${'phase'.padEnd(7)} ${'publisher'.padEnd(32)} | ${'A (capped)'.padEnd(34)} | ` +
    `${'B'.padEnd(34)} | C (5 % loss)`);
  let previous = null;
  for (const [k, s] of timeline.entries()) {
    if (k % 2 === 1 && k !== timeline.length - 1) continue;
    const phase = s.at < capAt ? 'before' : s.at < liftAt ? 'capped' : 'lifted';
    const cell = (name) => {
      const v = s.viewers[name];
      const p = previous?.viewers[name];
      if (!v) return '-';
      const ms = previous ? s.at - previous.at : 0;
      const rate = p ? kbps(v.transportBytesReceived - p.transportBytesReceived, ms) : null;
      const frames = p ? v.framesDecoded - p.framesDecoded : 0;
      return `${layerName(v).padEnd(9)} ${String(rate ?? '-').padStart(5)}kbps +${frames}f lost ${v.packetsLost}`;
    };
    console.log(`     ${`+${((s.at - t0) / 1000).toFixed(1)}s`.padEnd(7)} ${phase.padEnd(7)} ` +
      `${publisherCell(s).padEnd(32)} | ${cell('A').padEnd(34)} | ${cell('B').padEnd(34)} | ${cell('C')}`);
    previous = s;
  }
  console.log('');
}

function assertAdaptation({ capAt, liftAt, endAt, climbedAt, final }) {
  const capped = samplesBetween(capAt, liftAt);
  // Settled: from some sample on, every capped sample decodes the lowest layer, with frames advancing.
  let settledAt = null;
  for (let k = capped.length - 1; k >= 0; --k) {
    if (!onLayer(capped[k], 'A', reference.lowest)) break;
    settledAt = capped[k].at;
  }
  const framesAtLowest = settledAt === null ? 0 : delta(samplesBetween(settledAt, liftAt), 'A', 'framesDecoded');
  const rate = kbps(delta(samplesBetween(capAt + 1000, liftAt), 'A', 'transportBytesReceived'), liftAt - capAt - 1000);
  featureCheck(`viewer A: settles on the lowest layer (${describe(reference.lowest)}) within ` +
    `${SETTLE_DOWN_MS / 1000} s of the ${CAP_BPS / 1000} kbps cap`,
    settledAt !== null && settledAt - capAt <= SETTLE_DOWN_MS && framesAtLowest > 0,
    `${settledAt === null ? 'never on the lowest layer' : `on it from +${settledAt - capAt} ms, ${framesAtLowest} frames decoded there`}; ` +
    `decoded over the capped ${CAPPED_MS / 1000} s: ${widthsSeen(capped, 'A')}; received ${rate} kbps; ` +
    `frames +${delta(capped, 'A', 'framesDecoded')}, packetsLost +${delta(capped, 'A', 'packetsLost')}, ` +
    `NACKs +${delta(capped, 'A', 'nackCount')}, PLIs +${delta(capped, 'A', 'pliCount')}`);
  const lifted = samplesBetween(liftAt, endAt);
  // Climbing back needs A off the top when the cap goes; on it already, there was nothing to climb.
  const atLift = capped.at(-1);
  const wasDown = !!atLift && !onLayer(atLift, 'A', reference.top);
  reportedCheck(`viewer A: climbs back to the top layer (${describe(reference.top)}), decoding, within ` +
    `${CLIMB_UP_MS / 1000} s of the lift`, wasDown && climbedAt !== null && climbedAt - liftAt <= CLIMB_UP_MS,
    `at the lift A was on ${layerName(atLift?.viewers.A)}${wasDown ? '' : ' (the top: it never went down, nothing to climb back from)'}; ` +
    `top layer decoding ${climbedAt === null ? 'not reached' : `after ${climbedAt - liftAt} ms`}; decoded after the lift: ${widthsSeen(lifted, 'A')}`);
  const frozen = freezesIn(final.A?.freezes, capAt, endAt);
  featureCheck(`viewer A: no freeze over ${FREEZE_MS} ms while capped and switching`, frozen.length === 0,
    `freezes: ${freezeText(frozen)}; getStats freezeCount ${final.A?.freezeCount ?? 'n/a'}, ` +
    `totalFreezesDuration ${final.A?.totalFreezesDuration ?? 'n/a'} s`);
}

function assertUncappedAndLossy({ capAt, endAt, final, nacks }) {
  const during = samplesBetween(capAt, endAt);
  const offTop = during.filter((s) => !onLayer(s, 'B', reference.top));
  harnessCheck(`viewer B: stays on the top layer (${describe(reference.top)}) throughout (cap and lift of A)`,
    during.length > 0 && offTop.length === 0,
    `${during.length} samples: ${widthsSeen(during, 'B')}${offTop.length ? `; off the top at ${offTop.slice(0, 5)
      .map((s) => `+${((s.at - run.t0) / 1000).toFixed(1)}s ${layerName(s.viewers.B)} (${ridOf(s.viewers.B?.frameWidth, s)})`).join(', ')}` +
      `; the publisher then sent ${offTop[0].live.map(describe).join(', ') || 'nothing'}` : ''}`);
  const bFrozen = final.B?.freezes || [];
  harnessCheck(`viewer B: no freeze over ${FREEZE_MS} ms`, bFrozen.length === 0,
    `freezes: ${freezeText(bFrozen)}; getStats freezeCount ${final.B?.freezeCount ?? 'n/a'}, packetsLost ${final.B?.packetsLost}`);

  const cv = final.C || {};
  const cFrozen = cv.freezes || [];
  harnessCheck(`viewer C: keeps decoding behind ${LOSS * 100} % loss (no gap over ${FREEZE_MS} ms)`,
    cFrozen.length === 0 && delta(during, 'C', 'framesDecoded') > 0,
    `frames +${delta(during, 'C', 'framesDecoded')} in ${((endAt - capAt) / 1000).toFixed(0)} s, freezes: ${freezeText(cFrozen)}, ` +
    `getStats freezeCount ${cv.freezeCount ?? 'n/a'}`);
  // getStats packetsLost is RFC 3550's cumulative loss (expected - received) on the media
  // SSRC. A plain NACK retransmission arrives on that SSRC and counts as received; an RTX one
  // (RFC 4588, what the edge sends viewers that negotiated it) arrives on the RTX SSRC and
  // Chromium counts it in retransmittedPacketsReceived instead. Our bandwidth probes are RTX
  // padding without an original sequence number, which Chromium drops before that count, so
  // loss left after repair = packetsLost - retransmittedPacketsReceived. (A retransmission
  // of a packet that was only late would hide one loss; PLIs and freezes are the independent
  // signs of loss left unrepaired.)
  const expected = (cv.packetsReceived ?? 0) + (cv.packetsLost ?? 0);
  const repaired = cv.retransmittedPacketsReceived ?? 0;
  const unrecoveredPackets = Math.max(0, (cv.packetsLost ?? 0) - repaired);
  const unrecovered = expected > 0 ? unrecoveredPackets / expected : null;
  const lossDetail = `packetsLost ${cv.packetsLost}, repaired by RTX ${repaired}, unrecovered ${unrecoveredPackets} of ${expected} expected = ` +
    `${unrecovered === null ? '-' : (unrecovered * 100).toFixed(3)} %; ` +
    `NACKs ${cv.nackCount}, PLIs ${cv.pliCount}, keyframes ${cv.keyFramesDecoded}, framesDropped ${cv.framesDropped}; ` +
    `edge (all viewers): NACKs received ${nacks.received}, packets resent ${nacks.resent_packets}, ` +
    `suppressed ${nacks.suppressed}, not in cache ${nacks.not_in_cache}` +
    `${cv.sessions === 1 ? '' : `; ${cv.sessions} sessions (joined again), counters cover the last only`}`;
  const oneSession = cv.sessions === 1 && unrecovered !== null;
  harnessCheck(`viewer C: NACK repair works (unrecovered video loss < ${MAX_UNRECOVERED_TODAY * 100} %)`,
    oneSession && unrecovered < MAX_UNRECOVERED_TODAY, lossDetail);
  featureCheck(`viewer C: unrecovered video loss < ${MAX_UNRECOVERED * 100} %`, oneSession && unrecovered < MAX_UNRECOVERED, lossDetail);
}

async function assertEmulators({ capAt, liftAt, resentWhileCapped }) {
  // The harness's own proof: the emulator is in A's path and holds the cap.
  const capped = timeline.filter((s) => s.emulatorA && s.at >= capAt + 1000 && s.at <= liftAt);
  if (capped.length >= 2) {
    const ms = capped.at(-1).at - capped[0].at;
    const offered = kbps(capped.at(-1).emulatorA.bytes - capped[0].emulatorA.bytes, ms);
    const forwarded = kbps(capped.at(-1).emulatorA.bytes_forwarded - capped[0].emulatorA.bytes_forwarded, ms);
    const queueDrops = capped.at(-1).emulatorA.drops.queue - capped[0].emulatorA.drops.queue;
    const received = kbps(delta(capped, 'A', 'transportBytesReceived'), ms);
    harnessCheck(`emulator A: holds the cap (forwarded <= ${CAP_BPS * 1.05 / 1000} kbps edge->viewer, viewer A receives no more)`,
      forwarded <= CAP_BPS * 1.05 / 1000 && received <= CAP_BPS * 1.05 / 1000,
      `edge offered ${offered} kbps, emulator forwarded ${forwarded} kbps, dropped ${queueDrops} at the full queue; ` +
      `viewer A's transport received ${received} kbps; the edge resent ${resentWhileCapped ?? '?'} packets from its cache ` +
      'while A was capped (all viewers)');
  } else {
    harnessCheck('emulator A: holds the cap', false, 'no emulator counters sampled during the cap');
  }
  const c = await emulators.C.state();
  const share = (d) => (d.counters.packets > 0 ? d.counters.drops.random / d.counters.packets : 0);
  // Only edge->viewer has packets enough (thousands) for a tight bound; the other way is reported.
  harnessCheck(`emulator C: drops about ${LOSS * 100} % of edge->viewer packets (${(LOSS * 60).toFixed(1)}-${(LOSS * 140).toFixed(1)} %)`,
    share(c.b_to_a) > LOSS * 0.6 && share(c.b_to_a) < LOSS * 1.4,
    `edge->viewer ${c.b_to_a.counters.drops.random}/${c.b_to_a.counters.packets} = ${(share(c.b_to_a) * 100).toFixed(2)} % before repair, ` +
    `viewer->edge ${c.a_to_b.counters.drops.random}/${c.a_to_b.counters.packets} = ${(share(c.a_to_b) * 100).toFixed(2)} %`);
}

function reportEdgeStats(duringCap, atEnd) {
  if (duringCap.every((s) => s.missing)) {
    console.log(`SKIP edge per-viewer stats (estimate, chosen layer, reason): not yet — ${duringCap[0].missing}`);
    return;
  }
  for (const [when, list] of [['capped', duringCap], ['end', atEnd]]) {
    for (const s of list) console.log(`     edge stats ${when} viewer ${s.name}: ${s.missing || JSON.stringify(s.body)}`);
  }
  const text = JSON.stringify(duringCap.map((s) => s.body || {}));
  featureCheck('edge: per-viewer stats name the estimate, the chosen layer and the reason', /estimate/i.test(text) && /layer/i.test(text) && /reason/i.test(text),
    'fields found in the bodies above');
}

main().catch((error) => {
  check(`no error while "${run.step}"`, false, error.message.split('\n')[0]);
  harnessFailures.push('error');
}).finally(finish);
