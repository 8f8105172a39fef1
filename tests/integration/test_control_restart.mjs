// Control that dies: media keeps flowing, nodes reconnect and re-announce what they carry,
// and control rebuilds its view from them. Separate processes on loopback: `cascade control`
// (with a certificate from files, so that nodes still pin it after a restart), edges in
// europe-west1, us-east1 and asia-northeast1 and a relay in each far region, all with a node
// secret. A loadgen publisher (europe-west1) and viewers (us-east1) join through control; the
// tree grows; control is killed with SIGKILL for a few seconds; the viewers' media never stops;
// a restarted control finds every node again, adopts the running tree as the nodes report it
// (the same links, no command resent), and extends it to a new region for new viewers.
//
//   node tests/integration/test_control_restart.mjs <path-to-cascade> [base_port]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sleep, startMesh, TestRun } from '../browser/harness.mjs';
import { aliveNodes, loadgenSummary, metricSum, spawnLoadgen, treeLinks, until as untilTrue } from '../browser/mesh-api.mjs';

const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_control_restart.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19900);
const controlUrl = `http://127.0.0.1:${basePort}`;
const room = 'restart';
const secret = 'test-node-secret-0123456789abcdef';
const NODES = [
  { id: 'edge-eu', role: 'edge', region: 'europe-west1', http: basePort + 10, media: basePort + 20 },
  { id: 'edge-us', role: 'edge', region: 'us-east1', http: basePort + 11, media: basePort + 21 },
  { id: 'edge-asia', role: 'edge', region: 'asia-northeast1', http: basePort + 12, media: basePort + 22 },
  { id: 'relay-us', role: 'relay', region: 'us-east1', http: basePort + 13, media: basePort + 23 },
  { id: 'relay-asia', role: 'relay', region: 'asia-northeast1', http: basePort + 14, media: basePort + 24 },
];
const TOTAL_BUDGET_MS = 100000;

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const dir = mkdtempSync(path.join(tmpdir(), 'cascade-restart-'));
const processes = [];
const loadgens = [];
let control = null;
let cleaningUp = false;

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  for (const child of loadgens) if (child.exitCode === null) child.kill('SIGKILL');
  for (const p of [control, ...processes].filter(Boolean).reverse()) await p.stop(3000);
  if (run.failed || process.env.VERBOSE === '1') {
    for (const p of [control, ...processes].filter(Boolean)) {
      console.log(`\n---- ${p.name} (last 25 lines) ----`);
      console.log(p.log.slice(-25).join('\n'));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(run.summarize('test_control_restart'));
}
setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await finish();
}, TOTAL_BUDGET_MS);

function startControl() {
  const p = startMesh(cascade, ['control', '--set', `http.listen=127.0.0.1:${basePort}`,
    '--set', `control.listen=127.0.0.1:${basePort + 1}`, '--set', 'control.heartbeat_ms=200',
    '--set', `control.certificate=${dir}/control.pem`, '--set', `control.key=${dir}/control.key`,
    '--set', `auth.node_secret=${secret}`, '--set', 'trees.detach_grace_ms=1000'], run, /event=control\.started/);
  p.name = 'control';
  return p;
}

const alive = async () => (await aliveNodes(controlUrl)).map((n) => n.id);
const links = () => treeLinks(controlUrl, room);
const metric = (node, name) => metricSum(node.http, name);
const until = (what, ms, fn) => untilTrue(run, what, ms, fn);
function startLoadgen(args) {
  const child = spawnLoadgen(cascade, ['--control', controlUrl, '--room', room, ...args]);
  loadgens.push(child);
  return child;
}
const summaryOf = loadgenSummary;

async function main() {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${dir}/control.key`, '-out', `${dir}/control.pem`, '-days', '1', '-subj', '/CN=cascade-control'],
  { stdio: 'ignore' });
  control = startControl();
  if (!check('control started', await within(10000, 'control to start', control.ready))) return finish();
  const fingerprint = /fingerprint="?(sha-256 [0-9A-F:]+)"?/.exec(control.log.find((l) => /control\.started/.test(l)))?.[1];
  for (const node of NODES) {
    const p = startMesh(cascade, [node.role, '--set', `node.id=${node.id}`, '--set', `node.region=${node.region}`,
      '--set', `http.listen=127.0.0.1:${node.http}`, '--set', `media.listen=127.0.0.1:${node.media}`,
      '--set', `control.address=127.0.0.1:${basePort + 1}`, '--set', `control.fingerprint=${fingerprint}`,
      '--set', `auth.node_secret=${secret}`], run, /event=node\.started/);
    p.name = node.id;
    processes.push(p);
  }
  const registered = await until('every node registered', 15000, async () => (await alive()).length === NODES.length);
  if (!check('every node registered with control (node secret)', registered)) return finish();

  const publisher = startLoadgen(['--publish', '--viewers', '0', '--duration', '60', '--region', 'europe-west1']);
  await sleep(2000);
  const viewers = startLoadgen(['--viewers', '3', '--duration', '20', '--region', 'us-east1']);
  const before = await until('the tree reaching edge-us', 15000, async () => {
    const l = await links();
    return l['edge-us'] ? l : null;
  });
  check('control grew the tree to edge-us', before && before['edge-us'] === 'relay-us' && before['relay-us'] === 'edge-eu',
    JSON.stringify(before));
  await sleep(2000);

  // ---- control dies
  const usEdge = NODES[1];
  const forwardedBefore = await metric(usEdge, 'cascade_media_packets_forwarded_total');
  await control.kill();
  const killedAt = Date.now();
  info('control killed (SIGKILL)');
  await sleep(4000);
  const forwardedDuring = await metric(usEdge, 'cascade_media_packets_forwarded_total');
  check('while control is down, edge-us keeps forwarding to its viewers', forwardedDuring - forwardedBefore > 1000,
    `${forwardedDuring - forwardedBefore} packets in 4 s`);

  // ---- control comes back: nodes reconnect, the running tree is adopted as reported
  control = startControl();
  if (!check('control restarted', await within(10000, 'control to restart', control.ready))) return finish();
  const back = await until('every node back at control', 15000, async () => (await alive()).length === NODES.length);
  check('every node reconnected to the restarted control', back, `${Date.now() - killedAt} ms after the kill`);
  const adopted = await until('the tree adopted', 5000, async () => {
    const l = await links();
    return l['edge-us'] && l['relay-us'] ? l : null;
  });
  check('the restarted control holds the running tree, as the nodes report it', adopted &&
    adopted['edge-us'] === before['edge-us'] && adopted['relay-us'] === before['relay-us'], JSON.stringify(adopted));
  const commands = await metric(usEdge, 'cascade_media_commands_applied_total');

  // ---- joins resume and the tree grows to a new region
  const late = startLoadgen(['--viewers', '2', '--duration', '4', '--join-timeout', '20', '--region', 'asia-northeast1']);
  const lateCode = await within(40000, 'the late viewers', late.done);
  const lateSummary = summaryOf(late.out);
  check('after the restart, viewers in a new region join through control and get video', lateCode === 0 && lateSummary &&
    lateSummary[2] === '2', late.out.slice(-300));
  const grown = await links();
  check('the tree grew to edge-asia after the restart', grown['edge-asia'] === 'relay-asia', JSON.stringify(grown));
  check('edge-us was not sent its link again', (await metric(usEdge, 'cascade_media_commands_applied_total')) === commands);

  // The late viewers have left: after the grace their branch goes (the edge's link first, then
  // the relay's), and both nodes live on (a parent told to stop serving a child whose link had
  // just ended used to free the link twice).
  const pruned = await until('the asia branch removed', 10000, async () => {
    const l = await links();
    return !l['edge-asia'] && !l['relay-asia'] ? l : null;
  });
  check('the branch of a region whose viewers left is removed after the grace', !!pruned, JSON.stringify(pruned));
  await sleep(1500);
  check('every node keeps running (the branch\'s parents included)', processes.every((p) => p.exit === null),
    processes.filter((p) => p.exit !== null).map((p) => `${p.name}: ${JSON.stringify(p.exit)}`).join(', ') || 'all running');
  const originMetrics = await (await fetch(`http://127.0.0.1:${NODES[0].http}/metrics`)).text();
  const stale = originMetrics.split('\n').filter((l) => l.includes('peer="relay-asia"'));
  check('the origin lists no metric series of its closed link to relay-asia', stale.length === 0, stale.join(' | '));
  check('...and stay registered', (await alive()).length === NODES.length, (await alive()).join(' '));

  const code = await within(30000, 'the first viewers', viewers.done);
  const summary = summaryOf(viewers.out);
  check('the first viewers rode through the control outage', code === 0 && summary && summary[2] === '3' &&
    Number(summary[3]) < 1, summary ? `${summary[2]}/${summary[1]} with video, loss ${summary[3]} %` : viewers.out.slice(-300));
  publisher.kill('SIGINT');
  await finish();
}

main().catch(async (error) => {
  check('no exception', false, error.stack || String(error));
  await finish();
});
