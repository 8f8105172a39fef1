// Browser proof for control's WHIP/WHEP entry (RFC 9725 §4.5 redirects, §4.7 auth): the
// pages are served by control, get their tokens from control and POST only to control;
// Chromium follows the 307 to the chosen edge, dropping Authorization on that cross-origin
// redirect (Fetch standard), so the placement grant in the Location is what the edge
// accepts. Two edges in two regions: the token's region hint decides which edge a client
// gets. The publisher and a viewer in europe-west1 meet at that region's edge and frames
// decode; a viewer hinting us-east1 is answered by the us-east1 edge; the session resource
// (PATCH/DELETE) is at the edge, with the bearer token.
//
//   node tests/browser/test_entry.mjs <path-to-cascade> [base_port]
//
// Separate processes: `cascade control` and two `cascade edge`, started here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

import { launchChromium, openLoggedPage } from './chromium.mjs';
import { sleep, startMesh, TestRun } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [cascade, portArg] = process.argv.slice(2);
if (!cascade) {
  console.error('usage: node test_entry.mjs <path-to-cascade> [base_port]');
  process.exit(2);
}
const basePort = Number(portArg || 19600);
const control = `http://127.0.0.1:${basePort}`;
const room = `entry-${randomBytes(3).toString('hex')}`;
const EDGES = [
  { id: 'edge-eu', region: 'europe-west1', http: basePort + 10, media: basePort + 20 },
  { id: 'edge-us', region: 'us-east1', http: basePort + 11, media: basePort + 21 },
];
const TOTAL_BUDGET_MS = 80000;

const run = new TestRun();
const check = run.check.bind(run);
const info = run.info.bind(run);
const within = run.within.bind(run);
const waitInPage = run.waitInPage.bind(run);
const consoleLog = [];
const processes = [];
let browser = null;
let cleaningUp = false;

async function finish() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  run.step = 'stopping control and edges';
  for (const p of processes.reverse()) await p.stop();
  if (run.failed || process.env.VERBOSE === '1') {
    console.log('\n---- browser console / page events (last 120) ----');
    console.log(consoleLog.slice(-120).join('\n'));
    for (const p of processes) {
      console.log(`\n---- ${p.name} output (last 40 lines) ----`);
      console.log(p.log.slice(-40).join('\n'));
    }
  }
  process.exit(run.summarize('test_entry'));
}
setTimeout(async () => {
  check('test finished in time', false, `still waiting for "${run.step}" after ${TOTAL_BUDGET_MS} ms`);
  await finish();
}, TOTAL_BUDGET_MS);

async function startProcesses() {
  const controlProcess = startMesh(cascade, ['control', '--set', `http.listen=127.0.0.1:${basePort}`,
    '--set', `control.listen=127.0.0.1:${basePort + 1}`, '--set', 'control.heartbeat_ms=200'],
  run, /event=control\.started/);
  controlProcess.name = 'control';
  processes.push(controlProcess);
  if (!check('control started', await within(10000, 'control to start', controlProcess.ready))) return false;
  const started = controlProcess.log.find((l) => /event=control\.started/.test(l));
  const fingerprint = /fingerprint="?(sha-256 [0-9A-F:]+)"?/.exec(started)?.[1];
  if (!check('control logged its fingerprint', !!fingerprint, started)) return false;
  for (const edge of EDGES) {
    const p = startMesh(cascade, ['edge', '--set', `node.id=${edge.id}`, '--set', `node.region=${edge.region}`,
      '--set', `http.listen=127.0.0.1:${edge.http}`, '--set', `media.listen=127.0.0.1:${edge.media}`,
      '--set', `control.address=127.0.0.1:${basePort + 1}`, '--set', `control.fingerprint=${fingerprint}`],
    run, /event=node\.started/);
    p.name = edge.id;
    processes.push(p);
  }
  run.step = 'both edges registered and alive at control';
  const deadline = Date.now() + 15000;
  let alive = [];
  while (Date.now() < deadline) {
    try {
      const nodes = (await (await fetch(`${control}/api/nodes`)).json()).nodes;
      alive = nodes.filter((n) => n.alive).map((n) => n.id);
      if (EDGES.every((e) => alive.includes(e.id))) break;
    } catch {}
    await sleep(200);
  }
  return check('both edges registered with control', EDGES.every((e) => alive.includes(e.id)), `alive: ${alive.join(', ')}`);
}

// Opens `page` (publish.html or watch.html) from control and waits for its session.
async function openPage(context, name, file, region) {
  const page = await openLoggedPage(context, name, consoleLog, run.t0);
  const url = `${control}/web/${file}?room=${room}&region=${region}`;
  const loaded = await within(10000, `${file} from control`, page.goto(url));
  check(`${name}: control serves ${file}`, loaded && loaded.status() === 200, `answered ${loaded && loaded.status()}`);
  if (file === 'publish.html') await page.click('#start', { timeout: 5000 });
  const joined = await waitInPage(page, `${name} session`, 15000,
    () => window.__cascadeTest.session || /failed/.test(document.getElementById('status').textContent));
  const state = await page.evaluate(() => {
    const t = window.__cascadeTest;
    const post = t.requests.find((r) => r.method === 'POST');
    return { ok: !!t.session, status: document.getElementById('status').textContent, post: post && { url: post.url, status: post.status }, resource: t.session?.resource };
  });
  check(`${name}: POST to control ended in 201 at an edge`, joined && state.ok && state.post?.status === 201,
    `page status "${state.status}", POST ${JSON.stringify(state.post)}`);
  return { page, ...state };
}

async function main() {
  if (!(await startProcesses())) return finish();
  browser = await within(20000, 'Chromium to start', launchChromium());
  info(`chromium ${browser.version()} up, room ${room}`);
  const context = await browser.newContext();
  context.setDefaultTimeout(10000);
  await context.addInitScript({ content: readFileSync(path.join(here, 'page-instrumentation.js'), 'utf8') });

  const publisher = await openPage(context, 'publisher', 'publish.html', 'europe-west1');
  check('publisher: the POST went to control', publisher.post?.url?.startsWith(`${control}/whip/`), publisher.post?.url);
  check('publisher: placed at the europe-west1 edge', publisher.resource?.startsWith(`http://127.0.0.1:${EDGES[0].http}/whip/${room}/`),
    `resource ${publisher.resource}`);
  const viewer = await openPage(context, 'viewer-eu', 'watch.html', 'europe-west1');
  check('viewer-eu: placed at the europe-west1 edge', viewer.resource?.startsWith(`http://127.0.0.1:${EDGES[0].http}/whep/${room}/`),
    `resource ${viewer.resource}`);
  const frames = await waitInPage(viewer.page, 'viewer-eu framesDecoded > 30', 15000,
    async () => (await window.Cascade.mediaStats(window.__cascadeTest.session.pc)).framesDecoded > 30);
  check('viewer-eu: video frames decode', frames);
  const far = await openPage(context, 'viewer-us', 'watch.html', 'us-east1');
  check('viewer-us: placed at the us-east1 edge by its token hint', far.resource?.startsWith(`http://127.0.0.1:${EDGES[1].http}/whep/${room}/`),
    `resource ${far.resource}`);

  // The edges accepted the grants, not a token (Chromium did not send one across origins).
  for (const edge of EDGES) {
    const metrics = await (await fetch(`http://127.0.0.1:${edge.http}/metrics`)).text();
    const created = Number(/^cascade_edge_sessions_created_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
    const refusals = [...metrics.matchAll(/^cascade_edge_auth_refusals_total\{reason="([^"]+)"\} (\S+)$/gm)]
      .filter((m) => Number(m[2]) > 0).map((m) => `${m[1]}=${m[2]}`);
    check(`${edge.id}: sessions created, no auth refusals`, created >= 1 && refusals.length === 0,
      `created ${created}, refusals ${refusals.join(' ') || 'none'}`);
    const byGrant = Number(/^cascade_edge_auth_accepted_total\{by="grant"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
    check(`${edge.id}: every offer came in on a placement grant (Chromium dropped Authorization on the redirect)`,
      byGrant === created, `${byGrant} by grant of ${created} offers`);
  }
  const entry = await (await fetch(`${control}/metrics`)).text();
  const placed = Number(/^cascade_control_entry_placements_total\{located_by="token"\} (\S+)$/m.exec(entry)?.[1] ?? 0);
  check('control: three placements by token hint', placed === 3, `located_by=token ${placed}`);

  // DELETE at the edge with the bearer token ends the session (the page's stop button).
  const status = await viewer.page.evaluate(() => window.__cascadeTest.session.stop());
  check('viewer-eu: DELETE at the edge with the token answered 200', status === 200, `status ${status}`);
  await finish();
}

main().catch(async (error) => {
  check('no unexpected error', false, error.stack || String(error));
  await finish();
});
