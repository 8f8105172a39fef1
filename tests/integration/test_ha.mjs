// HA on Redis: two control replicas share one real redis-server (started here: a free port,
// no persistence); every node knows both. Separate processes on loopback: redis-server,
// `cascade control` ×2 (replica A leads, B follows and mirrors the running tree from node
// reports), edges in europe-west1, us-east1 and asia-northeast1 and a relay in each far
// region. A loadgen publisher and viewers join through A; A is killed with SIGKILL; viewers
// in a new region join through B at once: B takes the lease, already holds the running tree,
// and extends it to them; the first viewers' media never stops. Then Redis is killed and
// started again empty on the same port: joins keep working, the replicas re-write every
// node's SSRC range, and a node that registers after the restart gets a range nobody holds.
//
//   node tests/integration/test_ha.mjs <path-to-cascade> [base_port]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sleep, startMesh, TestRun } from '../browser/harness.mjs';
import { aliveNodes, json, loadgenSummary, metricSum, spawnLoadgen, treeLinks, until as untilTrue } from '../browser/mesh-api.mjs';

const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_ha.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
if (!REDIS_SERVER) {
  console.log('test_ha: SKIP: redis-server is not installed (scripts/setup.sh installs it)');
  process.exit(77);
}
const basePort = Number(portArg || 20100);
const replicas = {
  a: { id: 'control-a', http: basePort, channel: basePort + 1 },
  b: { id: 'control-b', http: basePort + 2, channel: basePort + 3 },
};
const url = (replica) => `http://127.0.0.1:${replica.http}`;
const room = 'ha';
const secret = 'test-node-secret-0123456789abcdef';
const NODES = [
  { id: 'edge-eu', role: 'edge', region: 'europe-west1', http: basePort + 10, media: basePort + 20 },
  { id: 'edge-us', role: 'edge', region: 'us-east1', http: basePort + 11, media: basePort + 21 },
  { id: 'edge-asia', role: 'edge', region: 'asia-northeast1', http: basePort + 12, media: basePort + 22 },
  { id: 'relay-us', role: 'relay', region: 'us-east1', http: basePort + 13, media: basePort + 23 },
  { id: 'relay-asia', role: 'relay', region: 'asia-northeast1', http: basePort + 14, media: basePort + 24 },
];
const LATE_NODE = { id: 'edge-eu-2', role: 'edge', region: 'europe-west1', http: basePort + 15, media: basePort + 25 };
const TOTAL_BUDGET_MS = 150000;

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const dir = mkdtempSync(path.join(tmpdir(), 'cascade-ha-'));
const processes = [];
const loadgens = [];
let redis = null;
let redisPort = 0;
let cleaningUp = false;

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  for (const child of loadgens) if (child.exitCode === null) child.kill('SIGKILL');
  for (const p of processes.slice().reverse()) await p.stop(3000);
  if (redis) await redis.kill();
  if (run.failed || process.env.VERBOSE === '1') {
    for (const p of processes) {
      console.log(`\n---- ${p.name} (last 25 lines) ----`);
      console.log(p.log.slice(-25).join('\n'));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(run.summarize('test_ha'));
}
setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await finish();
}, TOTAL_BUDGET_MS);

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
function startRedis() {
  const p = startMesh(REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no'], run, /Ready to accept connections/);
  p.name = 'redis';
  return p;
}
function redisCli(...args) {
  return execFileSync('redis-cli', ['-p', String(redisPort), ...args], { encoding: 'utf8' });
}
// Replica A's certificate is from files, so nodes still pin it after A restarts; B makes one
// at start: each replica has its own fingerprint in the nodes' control.fingerprint list.
function startControl(replica) {
  const certificate = replica === replicas.a
    ? ['--set', `control.certificate=${dir}/a.pem`, '--set', `control.key=${dir}/a.key`] : [];
  const p = startMesh(cascade, ['control', ...certificate, '--set', `http.listen=127.0.0.1:${replica.http}`,
    '--set', `control.listen=127.0.0.1:${replica.channel}`, '--set', 'control.heartbeat_ms=200',
    '--set', `control.redis=127.0.0.1:${redisPort}`, '--set', `control.replica_id=${replica.id}`,
    '--set', `auth.node_secret=${secret}`], run, /event=control\.started/);
  p.name = replica.id;
  processes.push(p);
  return p;
}
function fingerprintOf(control) {
  return /fingerprint="?(sha-256 [0-9A-F:]+)"?/.exec(control.log.find((l) => /control\.started/.test(l)))?.[1];
}
function startNode(node, fingerprints) {
  const p = startMesh(cascade, [node.role, '--set', `node.id=${node.id}`, '--set', `node.region=${node.region}`,
    '--set', `http.listen=127.0.0.1:${node.http}`, '--set', `media.listen=127.0.0.1:${node.media}`,
    '--set', `control.address=127.0.0.1:${replicas.a.channel},127.0.0.1:${replicas.b.channel}`,
    '--set', `control.fingerprint=${fingerprints.join(',')}`, '--set', `auth.node_secret=${secret}`],
  run, /event=node\.started/);
  p.name = node.id;
  processes.push(p);
  return p;
}

async function replicaState(replica) {
  try {
    return await json(`${url(replica)}/api/replica`);
  } catch {
    return null;
  }
}
const nodesAt = (replica) => aliveNodes(url(replica));
const links = (replica) => treeLinks(url(replica), room);
const metric = (node, name) => metricSum(node.http, name);
const until = (what, ms, fn) => untilTrue(run, what, ms, fn);
function startLoadgen(replica, args) {
  const child = spawnLoadgen(cascade, ['--control', url(replica), '--room', room, ...args]);
  loadgens.push(child);
  return child;
}
const summaryOf = loadgenSummary;
const joinOf = (out) => Number(/^edge=\S+ .*join_p50_ms=([\d.]+)/m.exec(out)?.[1] ?? NaN);
const distinct = (values) => new Set(values).size === values.length;

async function main() {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${dir}/a.key`, '-out', `${dir}/a.pem`, '-days', '1', '-subj', '/CN=cascade-control-a'],
  { stdio: 'ignore' });
  redisPort = await freePort();
  redis = startRedis();
  if (!check('redis-server started (no persistence)', await within(10000, 'redis to start', redis.ready))) return finish();

  let a = startControl(replicas.a);
  if (!check('replica A started', await within(10000, 'replica A to start', a.ready))) return finish();
  check('replica A leads (first on Redis)', await until('A to lead', 5000, async () => (await replicaState(replicas.a))?.leader));
  let b = startControl(replicas.b);
  if (!check('replica B started', await within(10000, 'replica B to start', b.ready))) return finish();
  const fingerprints = [fingerprintOf(a), fingerprintOf(b)];
  check('each replica has its own certificate fingerprint', fingerprints[0] && fingerprints[1] &&
    fingerprints[0] !== fingerprints[1]);
  check('replica B follows', (await replicaState(replicas.b))?.leader === false);

  for (const node of NODES) startNode(node, fingerprints);
  const registered = await until('every node registered at both replicas', 15000, async () =>
    (await nodesAt(replicas.a)).length === NODES.length && (await nodesAt(replicas.b)).length === NODES.length);
  if (!check('every node registered with both replicas', registered)) return finish();
  const rangesA = Object.fromEntries((await nodesAt(replicas.a)).map((n) => [n.id, n.ssrc_range_start]));
  const rangesB = Object.fromEntries((await nodesAt(replicas.b)).map((n) => [n.id, n.ssrc_range_start]));
  check('each node has the same SSRC range at both replicas', NODES.every((n) => rangesA[n.id] && rangesA[n.id] === rangesB[n.id]),
    JSON.stringify({ rangesA, rangesB }));
  check('no two nodes share an SSRC range', distinct(Object.values(rangesA)), JSON.stringify(rangesA));

  // ---- the room through replica A
  const publisher = startLoadgen(replicas.a, ['--publish', '--viewers', '0', '--duration', '100', '--region', 'europe-west1']);
  await sleep(2000);
  const viewers = startLoadgen(replicas.a, ['--viewers', '3', '--duration', '45', '--region', 'us-east1']);
  const before = await until('the tree reaching edge-us', 15000, async () => {
    const l = await links(replicas.a);
    return l['edge-us'] ? l : null;
  });
  check('replica A grew the tree to edge-us', before && before['edge-us'] === 'relay-us' && before['relay-us'] === 'edge-eu',
    JSON.stringify(before));
  const mirrored = await until('B mirroring the running tree', 5000, async () => {
    const l = await links(replicas.b);
    return l['edge-us'] === before?.['edge-us'] && l['relay-us'] === before?.['relay-us'] ? l : null;
  });
  check('follower B holds the running tree, as the nodes report it', mirrored, JSON.stringify(mirrored));
  await sleep(3000);

  // ---- replica A dies; viewers in a new region join through B at once
  const usEdge = NODES[1];
  const forwardedBefore = await metric(usEdge, 'cascade_media_packets_forwarded_total');
  await a.kill();
  const killedAt = Date.now();
  info('replica A killed (SIGKILL)');
  const late = startLoadgen(replicas.b, ['--viewers', '2', '--duration', '4', '--join-timeout', '20', '--region', 'asia-northeast1']);
  const lateStartedMs = Date.now() - killedAt;
  const ledAt = await until('B to lead', 10000, async () => ((await replicaState(replicas.b))?.leader ? Date.now() : 0));
  check('replica B leads after A died', ledAt, ledAt ? `${ledAt - killedAt} ms after the kill` : '');
  const lateCode = await within(40000, 'the late viewers', late.done);
  const lateSummary = summaryOf(late.out);
  const lateJoin = joinOf(late.out);
  check('viewers in a new region joined through B and got video', lateCode === 0 && lateSummary && lateSummary[2] === '2',
    late.out.slice(-400));
  info(`kill -> first video at edge-asia through B ≈ ${Math.round(lateStartedMs + lateJoin)} ms ` +
    `(loadgen started ${lateStartedMs} ms after the kill, POST -> video p50 ${lateJoin} ms; B led ${ledAt - killedAt} ms after the kill)`);
  const grown = await links(replicas.b);
  check('B extended the running tree to edge-asia (same links kept)', grown['edge-asia'] === 'relay-asia' &&
    grown['edge-us'] === before['edge-us'] && grown['relay-us'] === before['relay-us'], JSON.stringify(grown));
  const forwardedAfter = await metric(usEdge, 'cascade_media_packets_forwarded_total');
  check('edge-us kept forwarding to its viewers through the failover', forwardedAfter - forwardedBefore > 1000,
    `${forwardedAfter - forwardedBefore} packets`);

  // ---- Redis restarts empty
  await redis.kill();
  redis = startRedis();
  if (!check('redis-server restarted on the same port', await within(10000, 'redis to restart', redis.ready))) return finish();
  const reconnected = await until('B back on Redis', 10000, async () => (await replicaState(replicas.b))?.redis?.connected);
  check('replica B reconnected to the restarted Redis', reconnected);
  const rewritten = await until('the ranges re-written', 10000, async () => {
    const lines = redisCli('HGETALL', 'cascade:ssrc_ranges').trim().split('\n').filter(Boolean);
    return lines.length === 2 * NODES.length ? lines : null;
  });
  check('every node\'s SSRC range is back in Redis after the restart', rewritten &&
    NODES.every((n) => rewritten[rewritten.indexOf(n.id) - 1] === String(rangesA[n.id])), JSON.stringify(rewritten));
  check('B still leads after the Redis restart', (await replicaState(replicas.b))?.leader === true);

  const afterRestart = startLoadgen(replicas.b, ['--viewers', '2', '--duration', '3', '--join-timeout', '20', '--region', 'us-east1']);
  const afterCode = await within(30000, 'viewers after the Redis restart', afterRestart.done);
  const afterSummary = summaryOf(afterRestart.out);
  check('joins through B keep working after the Redis restart', afterCode === 0 && afterSummary && afterSummary[2] === '2',
    afterRestart.out.slice(-300));

  // A node new to the mesh, and replica A back as a follower.
  a = startControl(replicas.a);
  check('replica A restarted', await within(10000, 'replica A to restart', a.ready));
  check('replica A kept its fingerprint (certificate files)', fingerprintOf(a) === fingerprints[0]);
  startNode(LATE_NODE, fingerprints);
  const all = [...NODES, LATE_NODE];
  const back = await until('every node at both replicas again', 20000, async () =>
    (await nodesAt(replicas.a)).length === all.length && (await nodesAt(replicas.b)).length === all.length);
  check('every node registered with both replicas again', back);
  const finalA = Object.fromEntries((await nodesAt(replicas.a)).map((n) => [n.id, n.ssrc_range_start]));
  const finalB = Object.fromEntries((await nodesAt(replicas.b)).map((n) => [n.id, n.ssrc_range_start]));
  check('no two nodes hold one SSRC range (edge-eu-2 registered after the Redis restart)',
    distinct(Object.values(finalB)) && all.every((n) => finalB[n.id]), JSON.stringify(finalB));
  check('the restarted replica A gives every node the range it had', all.every((n) => finalA[n.id] === finalB[n.id]) &&
    NODES.every((n) => finalA[n.id] === rangesA[n.id]), JSON.stringify(finalA));
  check('the restarted replica A follows', (await replicaState(replicas.a))?.leader === false);

  const code = await within(60000, 'the first viewers', viewers.done);
  const summary = summaryOf(viewers.out);
  check('the first viewers rode through the failover and the Redis restart', code === 0 && summary && summary[2] === '3' &&
    Number(summary[3]) < 1, summary ? `${summary[2]}/${summary[1]} with video, loss ${summary[3]} %` : viewers.out.slice(-300));
  publisher.kill('SIGINT');
  await finish();
}

main().catch(async (error) => {
  check('no exception', false, error.stack || String(error));
  await finish();
});
