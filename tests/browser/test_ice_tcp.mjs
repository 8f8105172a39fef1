// Browser proof for passive ICE-TCP (RFC 6544) and ICE restart (RFC 9725 §4.3) on the edge:
// with every UDP datagram to or from the edge's media port dropped by an nftables rule,
// Chromium publishes and watches anyway, over the TCP candidate, and video decodes. The
// viewer then restarts ICE (pc.restartIce semantics via PATCH) and keeps decoding.
//
//   node tests/browser/test_ice_tcp.mjs <path-to-cascade> [base_port]
//
// Needs root for nft (CI runs as root). Exit 77 (skipped) only when `nft` is not installed.
// The rules live in a table of their own, `inet cascade_test_tcp`, deleted on every exit path.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { launchChromium, openLoggedPage } from './chromium.mjs';

const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_ice_tcp.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19500);
const edgePort = basePort + 10;
const mediaPort = basePort + 1920;  // edge 1's media UDP port under `cascade up` (README)
const base = `http://127.0.0.1:${edgePort}`;
const room = `tcp-${randomBytes(3).toString('hex')}`;
const TABLE = 'cascade_test_tcp';
const TOTAL_BUDGET_MS = 90000;

const nftVersion = spawnSync('nft', ['--version'], { encoding: 'utf8' });
if (nftVersion.error && nftVersion.error.code === 'ENOENT') {
  console.log('SKIP test_ice_tcp: `nft` (nftables) is not installed, so UDP cannot be blocked to force ICE-TCP');
  process.exit(77);
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = [];
const meshLog = [];
let failed = false;
let passed = 0;
let step = 'starting';

function check(name, ok, detail = '') {
  if (ok) ++passed;
  else failed = true;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}
function info(message) {
  console.log(`     [${elapsed()}] ${message}`);
}
function nft(...args) {
  return spawnSync('nft', args, { encoding: 'utf8' });
}
function deleteTable() {
  nft('delete', 'table', 'inet', TABLE);  // fails harmlessly when it is not there
}

// ---------------------------------------------------------------- the mesh
const mesh = spawn(cascade, ['up', '--base-port', String(basePort), '--edges', '1', '--relays', '0', '--duration', '150'],
  { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let meshExit = null;
const meshExited = new Promise((resolve) => {
  mesh.on('exit', (code, signal) => resolve((meshExit = { code, signal })));
  mesh.on('error', (error) => {
    meshLog.push(`spawn failed: ${error.message}`);
    resolve((meshExit = { code: -1, signal: null }));
  });
});
const meshReady = new Promise((resolve) => {
  let buffer = '';
  const onData = (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      meshLog.push(`+${elapsed()} ${line}`);
      if (/up: all \d+ nodes registered/.test(line)) resolve(true);
    }
  };
  mesh.stdout.setEncoding('utf8').on('data', onData);
  mesh.stderr.setEncoding('utf8').on('data', onData);
  meshExited.then(() => resolve(false));
});

let browser = null;
let finishing = false;
async function finish() {
  if (finishing) return;
  finishing = true;
  deleteTable();
  const left = nft('list', 'table', 'inet', TABLE);
  check('nftables: the test table is gone again', left.status !== 0, left.status === 0 ? 'still listed' : '');
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  if (!meshExit) {
    try {
      process.kill(mesh.pid, 'SIGINT');
    } catch {}
    const exit = await Promise.race([meshExited, sleep(8000).then(() => null)]);
    if (!exit) {
      try {
        process.kill(-mesh.pid, 'SIGKILL');
      } catch {}
    }
    check('mesh: cascade up stopped cleanly on SIGINT', exit && exit.code === 0, JSON.stringify(exit));
  }
  if (failed) {
    console.log('\n---- browser console (last 80) ----');
    console.log(log.slice(-80).join('\n'));
    console.log('\n---- mesh output (last 60 lines) ----');
    console.log(meshLog.slice(-60).join('\n'));
  }
  console.log(`\n${passed} passed, ${failed ? 'some' : 'none'} failed (${elapsed()})`);
  console.log(failed ? 'FAIL test_ice_tcp' : 'PASS test_ice_tcp');
  process.exit(failed ? 1 : 0);
}
const watchdog = setTimeout(() => {
  check('test finished in time', false, `still waiting for "${step}" after ${TOTAL_BUDGET_MS} ms`);
  finish();
}, TOTAL_BUDGET_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    check('not interrupted', false, `${signal} while waiting for "${step}"`);
    finish();
  });
}
process.on('exit', deleteTable);  // the last resort: never leave the rule behind

async function metric(name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return match ? Number(match[1]) : null;
}

// Polls fn(arg) in the page every 100 ms until it is truthy or ms pass.
async function waitInPage(page, what, ms, fn, arg) {
  step = what;
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await page.evaluate(fn, arg)) return true;
    } catch {}
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

// What ICE selected for a page's peer connection: the remote candidate's protocol and port.
const selectedPair = (page, name) => page.evaluate(async (n) => {
  const stats = await window[n].pc.getStats();
  let pairId = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
  });
  const pair = pairId && stats.get(pairId);
  const remote = pair && stats.get(pair.remoteCandidateId);
  return remote ? { protocol: remote.protocol, port: remote.port, tcpType: remote.tcpType } : null;
}, name);

const selectedPairId = (page) => page.evaluate(async () => {
  let id = null;
  (await window.viewer.pc.getStats()).forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) id = r.selectedCandidatePairId;
  });
  return id;
});

const framesDecoded = (page) => page.evaluate(async () => (await window.Cascade.mediaStats(window.viewer.pc)).framesDecoded);

async function main() {
  step = 'cascade up';
  if (!check('mesh: cascade up reports all nodes registered', await Promise.race([meshReady, sleep(15000).then(() => false)]))) return;

  deleteTable();
  const rules = [
    ['add', 'table', 'inet', TABLE],
    ['add', 'chain', 'inet', TABLE, 'output', '{ type filter hook output priority 0 ; policy accept ; }'],
    ['add', 'rule', 'inet', TABLE, 'output', 'udp', 'dport', String(mediaPort), 'drop'],
    ['add', 'rule', 'inet', TABLE, 'output', 'udp', 'sport', String(mediaPort), 'drop'],
  ];
  for (const rule of rules) {
    const r = nft(...rule);
    if (!check(`nftables: nft ${rule.join(' ')}`, r.status === 0, (r.stderr || '').trim())) return;
  }
  info(`UDP to and from 127.0.0.1:${mediaPort} is dropped from now on`);

  step = 'Chromium to start';
  browser = await launchChromium();
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const publisher = await openLoggedPage(context, 'publisher', log, t0);
  const viewer = await openLoggedPage(context, 'viewer', log, t0);
  // Any page of the edge's origin: it has cascade-client.js, and fetches stay same-origin.
  await publisher.goto(`${base}/web/publish.html?room=${room}`);
  await viewer.goto(`${base}/web/publish.html?room=${room}`);

  step = 'WHIP publish';
  await publisher.evaluate(async ({ base, room }) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    const token = await window.Cascade.fetchToken(base, room, 'publish');
    window.publisher = await window.Cascade.publish({ base, room, token, stream, simulcast: false });
  }, { base, room });
  const pubConnected = await waitInPage(publisher, 'publisher connected over ICE-TCP', 20000,
    () => window.publisher.pc.connectionState === 'connected');
  const pubPair = await selectedPair(publisher, 'publisher');
  check('publish: connected with UDP blocked', pubConnected, `connection state, selected remote ${JSON.stringify(pubPair)}`);
  check('publish: ICE selected the edge\'s passive TCP candidate', pubPair && pubPair.protocol === 'tcp' && pubPair.port === mediaPort,
    JSON.stringify(pubPair));

  step = 'WHEP watch';
  await viewer.evaluate(async ({ base, room }) => {
    const token = await window.Cascade.fetchToken(base, room, 'watch');
    window.viewer = await window.Cascade.watch({ base, room, token });
  }, { base, room });
  const frames = await waitInPage(viewer, 'viewer decodes > 30 frames over ICE-TCP', 20000,
    async () => (await window.Cascade.mediaStats(window.viewer.pc)).framesDecoded > 30);
  const viewPair = await selectedPair(viewer, 'viewer');
  check('watch: video decodes with UDP blocked', frames, `framesDecoded=${await framesDecoded(viewer).catch(() => '?')}`);
  check('watch: ICE selected the edge\'s passive TCP candidate', viewPair && viewPair.protocol === 'tcp' && viewPair.port === mediaPort,
    JSON.stringify(viewPair));
  const accepted = await metric('cascade_edge_ice_tcp_accepted_total');
  const connections = await metric('cascade_edge_ice_tcp_connections');
  check('metrics: the edge accepted ICE-TCP connections for both', accepted >= 2 && connections >= 2,
    `cascade_edge_ice_tcp_accepted_total=${accepted} cascade_edge_ice_tcp_connections=${connections}`);

  // ICE restart from the browser: createOffer({iceRestart}) + PATCH, the edge's new
  // credentials applied; media keeps decoding on the same DTLS session.
  step = 'viewer ICE restart';
  const before = await viewer.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.viewer.pc.remoteDescription.sdp)[1]);
  const pairBefore = await selectedPairId(viewer);
  let etag = null;
  try {
    etag = await viewer.evaluate(() => window.viewer.restartIce());
    check('restart: PATCH answered 200 with a new ETag', !!etag, `ETag ${etag}`);
  } catch (error) {
    check('restart: PATCH answered 200 with a new ETag', false, error.message.split('\n')[0]);
  }
  const after = await viewer.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.viewer.pc.remoteDescription.sdp)[1]);
  check('restart: the edge\'s ice-ufrag changed', before !== after, `${before} -> ${after}`);
  const f0 = await framesDecoded(viewer);
  const keeps = await waitInPage(viewer, 'frames keep decoding after the restart', 15000,
    async (start) => window.viewer.pc.connectionState === 'connected' &&
      (await window.Cascade.mediaStats(window.viewer.pc)).framesDecoded > start + 30, f0);
  check('restart: still connected and decoding afterwards', keeps,
    `framesDecoded ${f0} -> ${await framesDecoded(viewer).catch(() => '?')}, connection ${await viewer.evaluate(() => window.viewer.pc.connectionState)}`);
  // The checks with the new credentials were answered: ICE moved to a pair of the new
  // generation and got responses on it (the edge routed them by its new ufrag).
  const newPair = await waitInPage(viewer, 'a new-generation candidate pair answered', 15000, async (old) => {
    const stats = await window.viewer.pc.getStats();
    let pair = null;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    });
    return pair && pair.id !== old && pair.responsesReceived > 0;
  }, pairBefore);
  check('restart: ICE selected a new pair whose checks the edge answered', newPair,
    `selected pair before ${pairBefore}, after ${await selectedPairId(viewer)}`);
  const restarts = await metric('cascade_edge_ice_patches_total\\{result="restart"\\}');
  check('metrics: the edge counted the restart', restarts === 1, `cascade_edge_ice_patches_total{result="restart"}=${restarts}`);

  step = 'DELETE';
  const deleted = await Promise.all([publisher.evaluate(() => window.publisher.stop()), viewer.evaluate(() => window.viewer.stop())]);
  check('DELETE of both sessions answered 200', deleted.every((s) => s === 200), JSON.stringify(deleted));
  let open = null;
  for (let i = 0; i < 30 && open !== 0; ++i) {
    await sleep(100);
    open = await metric('cascade_edge_ice_tcp_connections');
  }
  check('metrics: the sessions\' ICE-TCP connections closed with them', open === 0, `cascade_edge_ice_tcp_connections=${open}`);
}

main()
  .catch((error) => check(`no error while "${step}"`, false, error.message.split('\n')[0]))
  .finally(() => {
    clearTimeout(watchdog);
    finish();
  });
