// Proves the harness without Cascade: Chromium starts with the fake camera, and two
// in-page RTCPeerConnections exchange its video over loopback ICE; framesDecoded must rise.
// Usage: node tests/browser/selfcheck.mjs
import http from 'node:http';
import { launchChromium, openLoggedPage } from './chromium.mjs';

const deadline = setTimeout(() => {
  console.log('FAIL selfcheck: timed out after 30 s');
  process.exit(1);
}, 30000);

const log = [];
// getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
const server = http.createServer((req, res) => res.end('<!doctype html><title>selfcheck</title>'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launchChromium();
let ok = false;
try {
  console.log(`chromium ${browser.version()}`);
  const context = await browser.newContext();
  const page = await openLoggedPage(context, 'selfcheck', log);
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    stream.getTracks().forEach((t) => a.addTrack(t, stream));
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const frames = async () => {
      let n = 0;
      let audio = 0;
      (await b.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0;
        if (r.type === 'inbound-rtp' && r.kind === 'audio') audio += r.packetsReceived || 0;
      });
      return { n, audio };
    };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    await sleep(3000);
    const first = await frames();
    await sleep(2000);
    const second = await frames();
    return { first, second, ice: b.iceConnectionState };
  });
  console.log(`selfcheck: ice=${result.ice} framesDecoded ${result.first.n} -> ${result.second.n}, ` +
              `audio packets ${result.second.audio}`);
  ok = result.second.n > result.first.n && result.first.n > 30 && result.second.audio > 0;
} catch (error) {
  console.log(`selfcheck error: ${error.message}`);
} finally {
  await browser.close();
  server.close();
  clearTimeout(deadline);
}
if (!ok) console.log(log.join('\n'));
console.log(ok ? 'PASS selfcheck: in-page loopback video decodes' : 'FAIL selfcheck');
process.exit(ok ? 0 : 1);
