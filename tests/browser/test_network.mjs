// Browser proof that control runs the network: `cascade up` (no tree file) starts control and
// relays and edges in three emulated regions (the link emulator puts the measured GCP delay on
// every inter-region link). Chromium publishes and watches by POSTing only to control, with a
// region hint in each token; loadgen viewers join the same way. The test asserts that every
// client lands at its own region's edge, that control grew the room's tree by itself (each
// far region entered once, through one of its relays), that frames decode everywhere, that a
// relay killed with SIGKILL under a Chromium viewer and the loadgen viewers is replaced at
// once (frames resume without a new WHEP request, no loadgen viewer lost), and that a viewer
// whose edge is killed is back through control, on another edge, within seconds.
//
//   node tests/browser/test_network.mjs <path-to-cascade> [base_port]
//
// One PASS/FAIL line per assertion plus the figures (freeze after the relay kill, time back
// after the edge kill, join times); exit 0 only if all pass.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openLoggedPage } from './chromium.mjs';
import { sleep, startMesh, TestRun } from './harness.mjs';
import { loadgenSummary, spawnLoadgen, treeLinks } from './mesh-api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_network.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19700);
const control = `http://127.0.0.1:${basePort}`;
const room = `net-${randomBytes(3).toString('hex')}`;
const TOTAL_BUDGET_MS = 200000;
const LOADGEN_VIEWERS = 20;
const verbose = process.env.VERBOSE === '1';

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const waitInPage = run.waitInPage.bind(run);
const consoleLog = [];

// Two relays per region so a killed one has a same-region replacement; the default edges
// (two in europe-west1, one in each other region).
const mesh = startMesh(cascade, ['up', '--base-port', String(basePort), '--relays', '2', '--duration', '220',
  '--log-file', `/tmp/cascade-test-network-${basePort}.log`], run, /^up: all \d+ nodes registered/);
let browser = null;
let loadgen = null;
let cleaningUp = false;

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (loadgen && loadgen.exitCode === null) loadgen.kill('SIGKILL');
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  run.step = 'stopping the mesh';
  const exit = await mesh.stop(10000);
  // Two nodes were killed on purpose: `up` reports them, so only a clean stop is asked of it.
  check('mesh: cascade up stopped on SIGINT', exit.code !== null, `exit code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}`);
  if (run.failed || verbose) {
    console.log('\n---- browser console / page events (last 120) ----');
    console.log(consoleLog.slice(-120).join('\n'));
    console.log('\n---- mesh output (last 80 lines) ----');
    console.log(mesh.log.slice(-80).join('\n'));
    console.log(`(node logs: /tmp/cascade-test-network-${basePort}.log)`);
  }
  process.exit(run.summarize('test_network'));
}
setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await finish();
}, TOTAL_BUDGET_MS);
process.on('SIGINT', async () => {
  check('not interrupted', false, `interrupted while waiting for "${run.step}"`);
  await finish();
});

// The nodes `up` started: "up: started edge  edge-us-east1-1  pid 123  http 127.0.0.1:19712 ...".
function startedNodes() {
  const nodes = {};
  for (const line of mesh.log) {
    const m = /up: started (edge|relay)\s+(\S+)\s+pid (\d+)\s+http 127\.0\.0\.1:(\d+)/.exec(line);
    if (m) nodes[m[2]] = { role: m[1], id: m[2], pid: Number(m[3]), http: Number(m[4]) };
  }
  return nodes;
}
const regionOf = (id) => id.replace(/^(edge|relay)-/, '').replace(/-\d+$/, '');

const tree = () => treeLinks(control, room);
const rootOf = (links, node) => {
  for (let i = 0; i < 20 && links[node]; ++i) node = links[node];
  return node;
};

// Samples the page's decoded frames every 50 ms: [time, session count, framesDecoded].
async function startFrameSampler(page) {
  await page.evaluate(() => {
    window.__frames = [];
    setInterval(async () => {
      const t = window.__cascadeTest;
      if (!t.session) return;
      const s = await window.Cascade.mediaStats(t.session.pc);
      window.__frames.push([Date.now(), t.sessions.length, s.framesDecoded]);
    }, 50);
  });
}
// After `since`: the longest time without a new decoded frame, and when the last one came.
// A new session's first frame counts as progress.
async function freezeAfter(page, since) {
  const samples = await page.evaluate(() => window.__frames);
  let last = null;
  let lastProgressAt = since;
  let longest = 0;
  for (const [at, sessions, frames] of samples) {
    const progressed = last && (sessions !== last[1] ? frames > 0 : frames > last[2]);
    if (progressed && at >= since) {
      const gap = at - lastProgressAt;
      longest = Math.max(longest, gap);
      lastProgressAt = at;
    } else if (progressed) {
      lastProgressAt = since;
    }
    last = [at, sessions, frames];
  }
  return { longestGapMs: longest, lastProgressAt };
}

async function openPage(context, name, file, region) {
  const page = await openLoggedPage(context, name, consoleLog, run.t0);
  await within(10000, `${name}: ${file} from control`, page.goto(`${control}/web/${file}?room=${room}&region=${region}`));
  if (file === 'publish.html') await page.click('#start', { timeout: 5000 });
  const joined = await waitInPage(page, `${name} session`, 20000, () => !!window.__cascadeTest.session);
  const state = await page.evaluate(() => ({
    resource: window.__cascadeTest.session?.resource,
    posts: window.__cascadeTest.requests.filter((r) => r.method === 'POST').map((r) => r.url),
  }));
  check(`${name}: joined by POSTing to control`, joined && state.posts.length > 0 && state.posts[0].startsWith(`${control}/wh`),
    `POSTs ${JSON.stringify(state.posts)}`);
  return { page, name, region, ...state };
}

function edgeOfResource(nodes, resource) {
  const port = Number(new URL(resource).port);
  return Object.values(nodes).find((n) => n.role === 'edge' && n.http === port)?.id;
}

async function main() {
  if (!check('mesh: every node registered with control', await within(30000, 'the mesh', mesh.ready))) return finish();
  const nodes = startedNodes();
  const edges = Object.values(nodes).filter((n) => n.role === 'edge');
  info(`${Object.keys(nodes).length} nodes: ${Object.keys(nodes).join(' ')}`);

  browser = await within(20000, 'Chromium to start', launchChromium());
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  await context.addInitScript({ content: readFileSync(path.join(here, 'page-instrumentation.js'), 'utf8') });

  // ---- every client at its own region's edge
  const publisher = await openPage(context, 'publisher', 'publish.html', 'europe-west1');
  const origin = edgeOfResource(nodes, publisher.resource || 'http://x:1/');
  check('publisher: placed at a europe-west1 edge', origin && regionOf(origin) === 'europe-west1', `at ${origin}`);
  const viewers = [];
  for (const region of ['us-east1', 'asia-northeast1']) {
    const viewer = await openPage(context, `viewer-${region}`, 'watch.html', region);
    viewer.edge = edgeOfResource(nodes, viewer.resource || 'http://x:1/');
    check(`viewer-${region}: placed at its region's edge`, viewer.edge && regionOf(viewer.edge) === region, `at ${viewer.edge}`);
    viewers.push(viewer);
  }
  for (const viewer of viewers) {
    const frames = await waitInPage(viewer.page, `${viewer.name} frames`, 20000,
      async () => (await window.Cascade.mediaStats(window.__cascadeTest.session.pc)).framesDecoded > 30);
    const join = await viewer.page.evaluate(() => window.__cascadeTest.joinToFirstFrameMs);
    check(`${viewer.name}: frames decode (the tree reached ${viewer.edge} by itself)`, frames,
      `join (WHEP POST to first frame) ${Math.round(join)} ms`);
    await startFrameSampler(viewer.page);
  }

  // ---- loadgen viewers through control, beside the Chromium viewer in us-east1
  loadgen = spawnLoadgen(cascade, ['--control', control, '--region', 'us-east1', '--room', room,
    '--viewers', String(LOADGEN_VIEWERS), '--ramp-ms', '20', '--duration', '25']);
  await sleep(6000);

  // ---- the tree control built
  const links = await tree();
  info(`tree: ${JSON.stringify(links)}`);
  for (const viewer of viewers) {
    const parent = links[viewer.edge];
    check(`tree: ${viewer.edge} is fed by a relay of its own region`,
      parent && nodes[parent]?.role === 'relay' && regionOf(parent) === viewer.region, `parent ${parent}`);
    check(`tree: ${viewer.edge} reaches the origin ${origin}`, rootOf(links, viewer.edge) === origin);
  }
  // Into each far region: one ingress relay feeding the region's edges, and at most one standby
  // relay of that region pulling the stream beside it, childless, from the same parent.
  const entries = {};
  for (const [child, parent] of Object.entries(links)) {
    if (regionOf(child) === regionOf(parent)) continue;
    const feeds = Object.values(links).includes(child);
    (entries[regionOf(child)] ||= { ingress: [], standby: [] })[feeds ? 'ingress' : 'standby'].push(`${parent}->${child}`);
  }
  check('tree: each far region is entered once (plus at most one childless standby relay)',
    Object.values(entries).every((e) => e.ingress.length === 1 && e.standby.length <= 1), JSON.stringify(entries));

  // ---- kill -9 the relay under the us-east1 viewers
  const usViewer = viewers[0];
  const deadRelay = links[usViewer.edge];
  const postsBefore = usViewer.posts.length;
  const killedAt = Date.now();
  process.kill(nodes[deadRelay].pid, 'SIGKILL');
  info(`killed ${deadRelay} (pid ${nodes[deadRelay].pid})`);
  await sleep(6000);
  const relayFreeze = await freezeAfter(usViewer.page, killedAt);
  const after = await tree();
  check(`relay kill: ${usViewer.edge} has a new live parent`, after[usViewer.edge] && after[usViewer.edge] !== deadRelay,
    `parent ${after[usViewer.edge]}`);
  check(`relay kill: ${deadRelay} is gone from the tree`, !Object.keys(after).includes(deadRelay) && !Object.values(after).includes(deadRelay));
  check('relay kill: frames keep decoding at the Chromium viewer below it',
    Date.now() - relayFreeze.lastProgressAt < 1000,
    `longest time without a new frame since the kill ${relayFreeze.longestGapMs} ms (goal: frames again within 1000 ms)`);
  const postsAfter = await usViewer.page.evaluate(() => window.__cascadeTest.requests.filter((r) => r.method === 'POST').length);
  check('relay kill: the viewer did not reconnect (no new WHEP POST)', postsAfter === postsBefore, `${postsAfter - postsBefore} new POSTs`);

  // ---- kill -9 the asia-northeast1 edge: its viewer is back through control on another edge
  const asiaViewer = viewers[1];
  const edgeKilledAt = Date.now();
  process.kill(nodes[asiaViewer.edge].pid, 'SIGKILL');
  info(`killed ${asiaViewer.edge} (pid ${nodes[asiaViewer.edge].pid})`);
  const back = await waitInPage(asiaViewer.page, 'the asia viewer back on a live edge', 20000, async () => {
    const t = window.__cascadeTest;
    return t.sessions.length >= 2 && (await window.Cascade.mediaStats(t.session.pc)).framesDecoded > 0;
  });
  const backAfterMs = Date.now() - edgeKilledAt;
  const rejoined = await asiaViewer.page.evaluate(() => window.__cascadeTest.session.resource);
  const newEdge = edgeOfResource(nodes, rejoined);
  check('edge kill: the viewer joined again through control and decodes frames', back,
    `frames again ${backAfterMs} ms after the kill (goal: within 3000 ms), now at ${newEdge}`);
  check('edge kill: the new session is on a live edge', newEdge && newEdge !== asiaViewer.edge, `${newEdge}`);

  // ---- the loadgen viewers rode through the relay kill
  const code = await within(60000, 'loadgen to finish', loadgen.done);
  const loadgenOut = loadgen.out;
  const summary = loadgenSummary(loadgenOut);
  const joins = /join_p50_ms=([\d.]+) join_p95_ms=([\d.]+)/.exec(loadgenOut);
  check('loadgen: every viewer joined through control and received video', code === 0 && summary &&
    Number(summary[1]) === LOADGEN_VIEWERS && Number(summary[2]) === LOADGEN_VIEWERS,
    summary ? `${summary[2]}/${summary[1]} with video, loss ${summary[3]} % across the relay kill, join p50/p95 ${joins?.[1]}/${joins?.[2]} ms` : loadgenOut.slice(-400));
  console.log(`FIGURES relay_kill_freeze_ms=${relayFreeze.longestGapMs} ` +
    `edge_kill_back_ms=${backAfterMs} loadgen_loss_pct=${summary?.[3]} loadgen_join_p50_ms=${joins?.[1]}`);
  await finish();
}

main().catch(async (error) => {
  check('no exception', false, error.stack || String(error));
  await finish();
});
