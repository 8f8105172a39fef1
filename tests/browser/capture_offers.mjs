// Prints the WHIP (camera + mic, three simulcast layers) and WHEP (recvonly) offers this
// machine's Chromium makes with web/cascade-client.js's transceiver setup, for the
// negotiation tests' data (tests/data/sdp/chromium/):
//   node tests/browser/capture_offers.mjs tests/data/sdp/chromium
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const outDir = process.argv[2] || '.';
// getUserMedia needs a secure context: an empty page from 127.0.0.1 is one.
const server = createServer((request, response) => response.end('<!doctype html><title>offers</title>'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const offers = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    const publisher = new RTCPeerConnection();
    publisher.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
    publisher.addTransceiver(stream.getVideoTracks()[0], {
      direction: 'sendonly',
      sendEncodings: [
        { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
        { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
        { rid: 'f', maxBitrate: 1500000 },
      ],
    });
    publisher.createDataChannel('chat');
    await publisher.setLocalDescription(await publisher.createOffer());
    const viewer = new RTCPeerConnection();
    viewer.addTransceiver('audio', { direction: 'recvonly' });
    viewer.addTransceiver('video', { direction: 'recvonly' });
    viewer.createDataChannel('chat');
    await viewer.setLocalDescription(await viewer.createOffer());
    // Gathering is not awaited: the edge does not need the client's candidates in the offer.
    return { publish: publisher.localDescription.sdp, watch: viewer.localDescription.sdp };
  });
  const version = browser.version();
  for (const [name, sdp] of Object.entries(offers)) {
    const file = join(outDir, `${name}_offer.sdp`);
    writeFileSync(file, sdp);
    console.log(`wrote ${file} (Chromium ${version})`);
  }
} finally {
  await browser.close();
  server.close();
}
