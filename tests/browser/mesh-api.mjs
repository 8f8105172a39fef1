// What the multi-process tests ask of a running mesh, in one place: control's tree and node
// list, a node's metrics, bounded polling, and `cascade loadgen` children with their reports.
import { spawn } from 'node:child_process';

import { sleep } from './harness.mjs';

export async function json(url) {
  return (await fetch(url)).json();
}

// child -> parent for one room, from control's GET /api/tree.
export async function treeLinks(controlUrl, room) {
  const body = await json(`${controlUrl}/api/tree`);
  const out = {};
  for (const link of body.streams?.[room] || []) out[link.child] = link.parent;
  return out;
}

// The nodes control counts alive (GET /api/nodes); [] while control does not answer.
export async function aliveNodes(controlUrl) {
  try {
    return (await json(`${controlUrl}/api/nodes`)).nodes.filter((n) => n.alive);
  } catch {
    return [];
  }
}

// Sum of every sample of `name` (all label sets) on the node at http://127.0.0.1:`httpPort`.
export async function metricSum(httpPort, name) {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[2]);
  return sum;
}

// Polls fn() every 100 ms until it returns something truthy or `ms` pass; returns its last
// value. `run.step` says what is awaited, for the timeout message.
export async function until(run, what, ms, fn) {
  run.step = what;
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleep(100);
  }
}

// A `cascade loadgen` child: `child.out` collects its report, `child.done` resolves to its
// exit code (-1 if it could not start).
export function spawnLoadgen(cascade, args) {
  const child = spawn(cascade, ['loadgen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (child.out += d));
  child.stderr.on('data', () => {});
  child.done = new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (error) => {
      child.out += `spawn failed: ${error.message}\n`;
      resolve(-1);
    });
  });
  return child;
}

// The summary line of a loadgen report: [, viewers, with_video, loss_pct].
export const loadgenSummary = (out) => /^viewers=(\d+) with_video=(\d+) .*loss_pct=([\d.]+)/m.exec(out);
