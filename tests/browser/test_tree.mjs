// Browser proof for the relay tree: `cascade up --tree tests/data/tree/three-regions.toml`
// runs one publishing edge, two levels of relays and three viewing edges as separate
// processes; the link emulator puts the real GCP inter-region delay and 2 % loss (each way)
// on every inter-region link. Chromium publishes at the origin edge and watches at the three
// far edges; the test asserts frames decode everywhere, unrecovered loss at the viewers
// stays below 0.1 %, the publisher is NACKed only for its own first hop while the relays
// repair the lossy links, a chat message reaches every client exactly once, 200 viewers
// joining one edge cost the publisher only a handful of PLIs, and datagrams from an
// unauthenticated sender to a relay are counted and go nowhere.
//
//   node tests/browser/test_tree.mjs <path-to-cascade> <tree.toml> [base_port]
//
// One PASS/FAIL line per assertion and the figures; exit 0 only if all pass.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openLoggedPage } from './chromium.mjs';
import { sleep, startMesh, TestRun } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [cascade, treeFile, portArg] = process.argv.slice(2);
if (!cascade || !treeFile) {
  console.error('usage: node test_tree.mjs <path-to-cascade> <tree.toml> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19400);
// Ports as `cascade up` derives them: edges base+10.. and relays base+30.. in file order.
const origin = { name: 'edge-eu', url: `http://127.0.0.1:${basePort + 10}` };
const leaves = [
  { name: 'edge-us', url: `http://127.0.0.1:${basePort + 11}` },
  { name: 'edge-asia', url: `http://127.0.0.1:${basePort + 12}` },
  { name: 'edge-us-west', url: `http://127.0.0.1:${basePort + 13}` },
];
const relays = [0, 1, 2].map((i) => ({ url: `http://127.0.0.1:${basePort + 30 + i}`, media: basePort + 1950 + i }));
const room = 'tree';
const TOTAL_BUDGET_MS = 170000;
const MEASURE_MS = 15000;
const verbose = process.env.VERBOSE === '1';
// TREE_LOSS=0.05 changes every emulated link's loss (each way) at run time (scripts/bench-tree.sh);
// the 0.1 % bound is asserted at the issue's 2 % and below.
const treeLoss = process.env.TREE_LOSS === undefined ? null : Number(process.env.TREE_LOSS);
const EMULATORS = 3;  // inter-region links in three-regions.toml: HTTP at base+60..

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const waitInPage = run.waitInPage.bind(run);
const consoleLog = [];

// ---------------------------------------------------------------- the mesh under test
const mesh = startMesh(cascade, ['up', '--tree', treeFile, '--base-port', String(basePort), '--duration', '200'], run,
  /^up: tree ready/, /^up: tree NOT ready/);
let browser = null;
let cleaningUp = false;

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  run.step = 'stopping the mesh';
  const exit = await mesh.stop(10000);
  check('mesh: cascade up --tree stopped cleanly on SIGINT', exit.code === 0,
    `exit code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}`);
  if (run.failed || verbose) {
    console.log('\n---- browser console / page events (last 100) ----');
    console.log(consoleLog.slice(-100).join('\n'));
    console.log('\n---- mesh output (last 120 lines) ----');
    console.log(mesh.log.filter((l) => !/heartbeat/.test(l)).slice(-120).join('\n'));
    console.log('----');
  }
  process.exit(run.summarize('test_tree'));
}

setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await finish();
}, TOTAL_BUDGET_MS);
process.on('SIGINT', async () => {
  check('not interrupted', false, `interrupted while waiting for "${run.step}"`);
  await finish();
});

// ---------------------------------------------------------------- helpers
async function metrics(url) {
  const response = await fetch(`${url}/metrics`);
  return response.text();
}
// Sum of every sample of `name` (all label sets) in a Prometheus text page.
function metricSum(text, name) {
  let sum = 0;
  const re = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) sum += Number(m[2]);
  return sum;
}
async function sumOver(urls, name) {
  let sum = 0;
  for (const url of urls) sum += metricSum(await metrics(url), name);
  return sum;
}

// Inbound totals of a viewer page: what arrived and what Chromium counts as lost after
// retransmissions (packetsLost counts a packet that arrived late as received).
const inbound = (page) => page.evaluate(async () => {
  const out = { videoReceived: 0, videoLost: 0, audioReceived: 0, audioLost: 0, framesDecoded: 0, nacks: 0, plis: 0 };
  (await window.__cascadeTest.session.pc.getStats()).forEach((r) => {
    if (r.type !== 'inbound-rtp') return;
    if (r.kind === 'video') {
      out.videoReceived += r.packetsReceived;
      out.videoLost += r.packetsLost;
      out.framesDecoded += r.framesDecoded || 0;
      out.nacks += r.nackCount || 0;
      out.plis += r.pliCount || 0;
    } else if (r.kind === 'audio') {
      out.audioReceived += r.packetsReceived;
      out.audioLost += r.packetsLost;
    }
  });
  return out;
});
const outbound = (page) => page.evaluate(async () => {
  const out = { nacks: 0, plis: 0, firs: 0, packets: 0, retransmitted: 0 };
  (await window.__cascadeTest.session.pc.getStats()).forEach((r) => {
    if (r.type !== 'outbound-rtp' || r.kind !== 'video') return;
    out.nacks += r.nackCount || 0;
    out.plis += r.pliCount || 0;
    out.firs += r.firCount || 0;
    out.packets += r.packetsSent || 0;
    out.retransmitted += r.retransmittedPacketsSent || 0;
  });
  return out;
});

function runLoadgen(args) {
  return new Promise((resolve) => {
    const child = spawn(cascade, ['loadgen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

// ---------------------------------------------------------------- the test
async function main() {
  const ready = await within(30000, 'the tree to be linked (up: tree ready)', mesh.ready);
  if (!check('tree: every link commanded through control and confirmed by both nodes', ready,
    mesh.log.filter((l) => /up: tree/.test(l)).join(' | '))) {
    throw new Error('tree not ready');
  }
  browser = await within(20000, 'Chromium to start', launchChromium());
  info(`chromium ${browser.version()} up`);
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  await context.addInitScript({ content: readFileSync(path.join(here, 'page-instrumentation.js'), 'utf8') });

  // Publisher at the origin edge.
  const publisher = await openLoggedPage(context, 'publisher', consoleLog, run.t0);
  await within(10000, 'publish.html to load', publisher.goto(`${origin.url}/web/publish.html?room=${room}`));
  await publisher.click('#start', { timeout: 5000 });
  const published = await waitInPage(publisher, 'publisher connected', 20000,
    () => window.__cascadeTest.session && window.__cascadeTest.session.pc.connectionState === 'connected');
  if (!check(`publish: Chromium publishes at the origin (${origin.name})`, published)) throw new Error('publish failed');

  // One viewer at each far edge.
  const viewers = [];
  for (const leaf of leaves) {
    const page = await openLoggedPage(context, `viewer@${leaf.name}`, consoleLog, run.t0);
    await within(10000, `watch.html at ${leaf.name}`, page.goto(`${leaf.url}/web/watch.html?room=${room}`));
    viewers.push({ ...leaf, page });
  }
  const firstFrames = await Promise.all(viewers.map((v) => waitInPage(v.page, `first frame at ${v.name}`, 20000,
    () => window.__cascadeTest.joinToFirstFrameMs !== null)));
  for (const [k, v] of viewers.entries()) {
    const join = await v.page.evaluate(() => window.__cascadeTest.joinToFirstFrameMs);
    check(`viewer@${v.name}: first video frame decoded through two relays`, firstFrames[k],
      firstFrames[k] ? `join_to_first_frame_ms=${Math.round(join)}` : 'no frame within 20 s');
  }
  if (!firstFrames.every(Boolean)) throw new Error('a viewer decoded nothing');

  // Steady state under the emulated loss.
  if (treeLoss !== null) {
    for (let i = 0; i < EMULATORS; ++i) {
      const r = await fetch(`http://127.0.0.1:${basePort + 60 + i}/link`, { method: 'PUT', body: JSON.stringify({ both: { loss: treeLoss } }) });
      if (!r.ok) throw new Error(`PUT /link on emulator ${i} answered ${r.status}: ${await r.text()}`);
    }
    info(`emulated links now lose ${(treeLoss * 100).toFixed(1)} % each way`);
  }
  await sleep(2000);
  const before = await Promise.all(viewers.map((v) => inbound(v.page)));
  const pubBefore = await outbound(publisher);
  run.step = `measuring for ${MEASURE_MS} ms`;
  await sleep(MEASURE_MS);
  const after = await Promise.all(viewers.map((v) => inbound(v.page)));
  const pubAfter = await outbound(publisher);
  let received = 0;
  let lost = 0;
  for (const [k, v] of viewers.entries()) {
    const a = before[k];
    const b = after[k];
    const rx = b.videoReceived - a.videoReceived + b.audioReceived - a.audioReceived;
    const lo = b.videoLost - a.videoLost + b.audioLost - a.audioLost;
    received += rx;
    lost += Math.max(0, lo);
    check(`viewer@${v.name}: framesDecoded keeps rising`, b.framesDecoded > a.framesDecoded + 30,
      `${a.framesDecoded} -> ${b.framesDecoded} in ${MEASURE_MS / 1000} s; ${rx} packets, ${lo} unrecovered ` +
      `(video ${b.videoLost - a.videoLost}, audio ${b.audioLost - a.audioLost}; viewer NACKs ${b.nacks - a.nacks})`);
    const m = await metrics(v.url);
    info(`${v.name}: not forwarded ${metricSum(m, 'cascade_media_packets_not_forwarded_total')}, ` +
      `link lost before/after repair ${metricSum(m, 'cascade_link_lost_before_repair_total')}/${metricSum(m, 'cascade_link_lost_after_repair_total')}, ` +
      `viewer NACKs ${metricSum(m, 'cascade_media_nack_received_total')} resent ${metricSum(m, 'cascade_media_nack_resent_packets_total')} ` +
      `not in cache ${metricSum(m, 'cascade_media_nack_not_in_cache_total')} already requested ${metricSum(m, 'cascade_media_nack_already_requested_total')} ` +
      `suppressed ${metricSum(m, 'cascade_media_nack_suppressed_total')}, srtp drops ${metricSum(m, 'cascade_media_dropped_packets_total')}`);
  }
  const lossPct = received > 0 ? (100 * lost) / (received + lost) : 100;
  const linkLossPct = ((treeLoss ?? 0.02) * 100).toFixed(1);
  const viewerNacks = after.reduce((n, b, k) => n + b.nacks - before[k].nacks, 0);
  console.log(`unrecovered_loss_pct=${lossPct.toFixed(3)} link_loss_pct=${linkLossPct} viewer_packets=${received} viewer_nacks=${viewerNacks}`);
  if ((treeLoss ?? 0.02) <= 0.02) {
    check('viewers: unrecovered loss below 0.1 %', received > 0 && lossPct < 0.1, `${lost} of ${received + lost}`);
  }

  const relayUrls = relays.map((r) => r.url);
  const leafUrls = leaves.map((l) => l.url);
  const repaired = await sumOver(relayUrls, 'cascade_link_packets_resent_total');
  const lostOnLinks = await sumOver([...relayUrls, ...leafUrls], 'cascade_link_lost_before_repair_total');
  const notRepaired = await sumOver([...relayUrls, ...leafUrls], 'cascade_link_lost_after_repair_total');
  const downstreamNacks = await sumOver([...relayUrls, origin.url], 'cascade_media_nack_received_total');
  const originNacksToPublisher = metricSum(await metrics(origin.url), 'cascade_media_nack_sent_total');
  const publisherNacks = pubAfter.nacks;
  console.log(`link_loss lost_before_repair=${lostOnLinks} lost_after_repair=${notRepaired} resent_by_relays=${repaired}`);
  console.log(`nack_amplification viewer_and_link_nacks=${downstreamNacks} publisher_nacks=${publisherNacks} ` +
    `ratio=${publisherNacks > 0 ? (downstreamNacks / publisherNacks).toFixed(1) : 'inf (publisher got none)'}`);
  check('relays: losses on the emulated links were seen and repaired hop by hop', lostOnLinks > 20 && repaired > 20,
    `${lostOnLinks} lost on links, ${repaired} resent by relays, ${notRepaired} never recovered`);
  check('publisher: NACKed only for its own first hop (none of the downstream losses)',
    publisherNacks <= originNacksToPublisher && publisherNacks < lostOnLinks / 10,
    `publisher nackCount=${publisherNacks}, origin edge NACKs to it=${originNacksToPublisher}, losses downstream=${lostOnLinks}`);
  info(`publisher during the window: ${pubAfter.nacks - pubBefore.nacks} NACKs, ${pubAfter.plis - pubBefore.plis} PLIs`);

  // Chat across the tree: once at every other client.
  const clients = [{ name: 'publisher', page: publisher }, ...viewers.map((v) => ({ name: `viewer@${v.name}`, page: v.page }))];
  const opened = await Promise.all(clients.map((c) => waitInPage(c.page, `${c.name} chat open`, 5000,
    () => window.__cascadeTest.session.chat.readyState === 'open')));
  check('chat: every client has an open chat channel', opened.every(Boolean), opened.join(','));
  const message = `across the tree ${randomBytes(4).toString('hex')}`;
  await clients[1].page.evaluate((m) => window.__cascadeTest.session.chat.send(m), message);
  await sleep(3000);  // the farthest edge is two emulated links away each way
  for (const c of clients) {
    const count = await c.page.evaluate((m) => window.__cascadeTest.chat.filter((x) => x === m).length, message);
    const want = c === clients[1] ? 0 : 1;
    check(`chat: ${c.name} received the message ${want === 1 ? 'exactly once' : 'not back (no echo)'}`, count === want,
      `${count} copies`);
  }

  await checkLayerAwareTree(viewers[1], relays[2]);

  // 200 viewers join one far edge within about a second: PLIs reaching the publisher,
  // against the PLIs of an equally long quiet window just before (the Chromium viewers ask
  // for keyframes of their own after unrecoverable frames).
  const crowdStart = Date.now();
  const plisBefore = (await outbound(publisher)).plis;
  const crowd = await runLoadgen(['--edge', leaves[0].url, '--room', room, '--viewers', '200', '--ramp-ms', '5',
    '--duration', '2', '--join-timeout', '20', '--token-from-edge']);
  await sleep(500);
  const crowdMs = Date.now() - crowdStart;
  const plisAfter = (await outbound(publisher)).plis;
  await sleep(crowdMs);
  const plisQuiet = (await outbound(publisher)).plis - plisAfter;
  const crowdPlis = plisAfter - plisBefore;
  const summary = crowd.output.split('\n').filter((l) => /^viewers=|^rss_per_viewer/.test(l)).join(' | ');
  check('crowd: 200 loadgen viewers joined the far edge and got video', crowd.code === 0, summary || crowd.output.slice(-400));
  console.log(`crowd_join plis_at_publisher=${crowdPlis} quiet_window_plis=${plisQuiet} window_ms=${crowdMs} viewers=200 ramp_ms=5`);
  // The bound coalescing guarantees: at most one upstream request per layer per 300 ms
  // while joins keep coming (POSTs over 1 s, plus the slowest joins' setup), three layers.
  // On a fast machine that is ~15 against ~200 without coalescing; a slow (sanitizer) build
  // spreads the joins and the bound with them.
  const joinP95 = Number((crowd.output.match(/join_p95_ms=([0-9.]+)/) || [])[1] || 0);
  const bound = 3 * Math.ceil((1000 + joinP95) / 300);
  check(`crowd: 200 joins cost the publisher at most one PLI per layer per 300 ms of joining (${bound})`,
    crowdPlis - plisQuiet <= bound,
    `${crowdPlis} PLIs during the join vs ${plisQuiet} in an equal quiet window; joins over ${Math.round(1000 + joinP95)} ms`);

  // An unauthenticated sender aims at a relay's media port.
  const relay = relays[0];
  const unmatchedBefore = metricSum(await metrics(relay.url), 'cascade_media_unmatched_packets_total');
  const forwardedBefore = metricSum(await metrics(relay.url), 'cascade_media_link_packets_forwarded_total');
  const socket = dgram.createSocket('udp4');
  const sent = 60;
  for (let i = 0; i < sent; ++i) {
    const packet = randomBytes(200);
    if (i % 3 === 0) packet[0] = 0x80;  // looks like RTP
    if (i % 3 === 1) packet[0] = 22;  // looks like a DTLS handshake
    if (i % 3 === 2) { packet[0] = 0x80; packet[1] = 200; }  // looks like RTCP
    await new Promise((resolve) => socket.send(packet, relay.media, '127.0.0.1', resolve));
  }
  socket.close();
  await sleep(500);
  const unmatchedAfter = metricSum(await metrics(relay.url), 'cascade_media_unmatched_packets_total');
  const forwardedAfter = metricSum(await metrics(relay.url), 'cascade_media_link_packets_forwarded_total');
  check('relay: datagrams from an unauthenticated sender are dropped and counted', unmatchedAfter - unmatchedBefore >= sent,
    `cascade_media_unmatched_packets_total +${unmatchedAfter - unmatchedBefore} for ${sent} sent ` +
    `(forwarded to children meanwhile: +${forwardedAfter - forwardedBefore}, the stream itself)`);
}

// Layer-aware trees: the one viewer at edge-asia asks for the low layer only (PUT on its WHEP
// resource); relay-asia must then send edge-asia the low layer's bytes and none of the
// others', and the top layer again once the viewer asks for it.
async function checkLayerAwareTree(viewer, parentRelay) {
  run.step = 'layer-aware tree';
  // The viewer's own token: a resource belongs to the token that created it.
  const { resource, token } = await viewer.page.evaluate(() => {
    const { session } = window.__cascadeTest;
    return { resource: session.resource, token: session.token };
  });
  const setLayer = (preference) => fetch(`${resource}/layer`,
    { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body: preference });
  const sentTo = async () => {
    const media = await (await fetch(`${parentRelay.url}/api/media`)).json();
    const child = (media.rooms[room]?.children || []).find((c) => c.peer === viewer.name);
    return child ? child.sent : {};
  };
  const bytesOf = (sent, layer) => (sent[layer] ? sent[layer].bytes : 0);
  const low = await setLayer('low');
  check(`layers: PUT ${new URL(resource).pathname}/layer "low" accepted`, low.status === 200, `status ${low.status}`);
  // The switch waits for a keyframe of the low layer, then the parent lingers 2 s before it
  // pauses the others; on a loaded machine both take longer, so the assertion is a 3 s window
  // with only the low layer's bytes, found within 15 s of the request.
  const asked = Date.now();
  let a = await sentTo();
  let measured = null;
  while (Date.now() - asked < 15000) {
    await sleep(3000);
    const b = await sentTo();
    const layers = Object.keys(b).filter((k) => k !== '-').sort();
    const delta = Object.fromEntries(layers.map((k) => [k, bytesOf(b, k) - bytesOf(a, k)]));
    measured = { layers, delta, lowest: layers.find((k) => delta[k] > 0) };
    if (measured.lowest !== undefined && layers.filter((k) => k !== measured.lowest).every((k) => delta[k] === 0)) break;
    a = b;
  }
  const { layers, delta, lowest } = measured;
  const others = layers.filter((k) => k !== lowest);
  check(`layers: ${parentRelay.url.split(':').pop()} (${viewer.name}'s parent) sends it only the low layer once its viewer asked for it`,
    layers.length >= 2 && lowest !== undefined && others.every((k) => delta[k] === 0),
    `bytes sent per layer over 3 s: ${JSON.stringify(delta)}, ${((Date.now() - asked) / 1000).toFixed(1)} s after the request`);
  const auto = await setLayer('auto');
  const start = Date.now();
  let back = null;
  let c = await sentTo();
  while (Date.now() - start < 10000) {
    await sleep(250);
    const d = await sentTo();
    const grown = others.filter((k) => bytesOf(d, k) > bytesOf(c, k));
    if (grown.length > 0) {
      back = Date.now() - start;
      break;
    }
    c = d;
  }
  check('layers: a higher layer flows to the edge again once its viewer asks for it', auto.status === 200 && back !== null,
    back === null ? 'no higher layer bytes within 10 s' : `after ${back} ms`);
}

main().catch((error) => check(`no error (${run.step})`, false, error.message)).finally(finish);
