// What every browser test needs around Chromium: PASS/FAIL lines with a running verdict,
// bounded waits that say what they were waiting for, polling inside a page, and the
// `cascade up` process under test (its output kept for the report, stopped with SIGINT,
// its whole process group killed if it does not stop).
import { spawn } from 'node:child_process';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class TestRun {
  constructor() {
    this.t0 = Date.now();
    this.results = [];
    this.failed = false;
    this.step = 'starting';  // what the test waits for now, for the timeout message
  }

  elapsed() {
    return `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
  }

  check(name, ok, detail = '') {
    this.results.push({ name, ok, detail });
    if (!ok) this.failed = true;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
    return ok;
  }

  info(message) {
    console.log(`     [${this.elapsed()}] ${message}`);
  }

  async within(ms, what, promise) {
    this.step = what;
    let timer;
    try {
      return await Promise.race([
        promise,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  // Polls fn(arg) in the page (it may be async) every 100 ms until it is truthy or ms pass.
  async waitInPage(page, what, ms, fn, arg) {
    this.step = what;
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        if (await page.evaluate(fn, arg)) return true;
      } catch (error) {
        if (/closed|crash/i.test(error.message)) return false;  // the page is gone: no use waiting
      }
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
  }

  // Prints the tally and the verdict line; the exit code.
  summarize(testName) {
    const passed = this.results.filter((r) => r.ok).length;
    console.log(`\n${passed} passed, ${this.results.length - passed} failed (${this.elapsed()})`);
    // Repeated here because CI keeps only the tail of a long log, after the mesh's output.
    for (const r of this.results.filter((result) => !result.ok)) {
      console.log(`  failed: ${r.name}${r.detail ? `: ${String(r.detail).slice(0, 400)}` : ''}`);
    }
    console.log(this.failed ? `FAIL ${testName}` : `PASS ${testName}`);
    return this.failed ? 1 : 0;
  }
}

// Starts `command args` in its own process group; `ready` resolves true at the first output
// line matching `readyLine`, false at one matching `failLine` or when the process exits.
export function startMesh(command, args, run, readyLine, failLine = null) {
  const mesh = { log: [], exit: null };
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  mesh.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve((mesh.exit = { code, signal })));
    child.on('error', (error) => {
      mesh.log.push(`spawn failed: ${error.message}`);
      resolve((mesh.exit = { code: -1, signal: null }));
    });
  });
  let buffer = '';
  mesh.ready = new Promise((resolve) => {
    const onData = (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        mesh.log.push(`+${run.elapsed()} ${line}`);
        if (readyLine.test(line)) resolve(true);
        if (failLine && failLine.test(line)) resolve(false);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    mesh.exited.then(() => resolve(false));
  });
  mesh.pid = child.pid;
  // SIGKILL to the process alone (as a crash would end it), then wait for it.
  mesh.kill = async () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
    return mesh.exited;
  };
  mesh.stop = async (graceMs = 8000) => {
    if (mesh.exit) return mesh.exit;
    try {
      process.kill(child.pid, 'SIGINT');
    } catch {}
    const exit = await Promise.race([mesh.exited, sleep(graceMs).then(() => null)]);
    if (exit) return exit;
    try {
      process.kill(-child.pid, 'SIGKILL');  // the whole process group: `up` and its node children
    } catch {}
    return { code: null, signal: `SIGKILL (did not stop within ${graceMs / 1000} s of SIGINT)` };
  };
  return mesh;
}
