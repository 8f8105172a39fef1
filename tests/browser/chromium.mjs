// Launches Debian's Chromium through playwright-core (never a downloaded browser) with the
// flags the browser tests rely on: fake camera + microphone without a permission prompt,
// loopback ICE candidates allowed, nothing that talks to the network on its own.
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CASCADE_CHROMIUM || '/usr/bin/chromium';

// --headless comes from `headless: true` (playwright adds it; listing it twice is harmless
// but noisy). Everything else is passed as is.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export async function launchChromium({ timeoutMs = 20000 } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
  });
}

// A fresh page whose console messages, page errors and failed requests are kept (with a
// time offset) so a failing test can print what the browser said.
export async function openLoggedPage(context, name, log, t0 = Date.now()) {
  const page = await context.newPage();
  const stamp = () => `+${String(Date.now() - t0).padStart(6)}ms`;
  page.on('console', (m) => {
    if (m.location()?.url?.endsWith('/favicon.ico')) return;
    log.push(`${stamp()} [${name}] console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.push(`${stamp()} [${name}] pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // stop() does not read the DELETE's body, so Chromium reports it aborted: not a failure.
    if (r.method() === 'DELETE' && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    log.push(`${stamp()} [${name}] requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) log.push(`${stamp()} [${name}] HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('crash', () => log.push(`${stamp()} [${name}] page crashed`));
  return page;
}
