// A second, independent WebRTC implementation (werift, pure TypeScript) watching a room over
// WHEP: non-trickle offer with audio + video recvonly, BUNDLE, rtcp-mux; counts RTP per track.
import { RTCPeerConnection } from 'werift';

function waitGathering(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

// Returns { pc, resource, offer, answer, counts: {audio, video}, states: [..], stop() }.
// Throws an Error carrying .status, .body and .offer when the edge does not answer 201.
export async function weriftWatch({ base, room, token, log = () => {} }) {
  const pc = new RTCPeerConnection({
    bundlePolicy: 'max-bundle',
    // The edge listens on loopback; werift leaves loopback out of its host candidates.
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  const counts = { audio: 0, video: 0, audioSsrcs: new Set(), videoSsrcs: new Set(), videoPayloadTypes: new Set(), videoSeqGaps: 0, videoPaddingOnly: 0 };
  let lastVideoSeq = null;
  const states = [];
  let postedAt = Date.now();
  pc.iceConnectionStateChange.subscribe((s) => states.push(`+${Date.now() - postedAt}ms ice=${s}`));
  pc.connectionStateChange.subscribe((s) => states.push(`+${Date.now() - postedAt}ms connection=${s}`));
  pc.onTrack.subscribe((track) => {
    states.push(`+${Date.now() - postedAt}ms track kind=${track.kind}`);
    track.onReceiveRtp.subscribe((rtp) => {
      if (track.kind === 'video') {
        if (counts.video === 0) counts.firstVideoMs = Date.now() - postedAt;
        counts.video += 1;
        // Sequence numbers a forwarder skips (say, dropped padding) look like loss to a receiver.
        const seq = rtp.header.sequenceNumber;
        if (lastVideoSeq !== null) {
          const step = (seq - lastVideoSeq + 65536) % 65536;
          if (step > 1 && step < 32768) counts.videoSeqGaps += step - 1;
        }
        if (lastVideoSeq === null || ((seq - lastVideoSeq + 65536) % 65536) < 32768) lastVideoSeq = seq;
        if (rtp.payload.length === 0 || rtp.header.padding && rtp.payload.length === 0) counts.videoPaddingOnly += 1;
        counts.videoSsrcs.add(rtp.header.ssrc);
        counts.videoPayloadTypes.add(rtp.header.payloadType);
      } else {
        if (counts.audio === 0) counts.firstAudioMs = Date.now() - postedAt;
        counts.audio += 1;
        counts.audioSsrcs.add(rtp.header.ssrc);
      }
    });
  });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await waitGathering(pc, 3000);
  const offer = pc.localDescription.sdp;
  postedAt = Date.now();
  const response = await fetch(`${base}/whep/${encodeURIComponent(room)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: offer,
  });
  const body = await response.text();
  if (response.status !== 201) {
    await pc.close();
    const error = new Error(`werift WHEP POST answered ${response.status}: ${body.slice(0, 500)}`);
    Object.assign(error, { status: response.status, body, offer });
    throw error;
  }
  const resource = new URL(response.headers.get('Location'), `${base}/`).toString();
  log(`werift: 201 after ${Date.now() - postedAt} ms, resource ${resource}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  return {
    pc,
    resource,
    offer,
    answer: body,
    counts,
    states,
    async stop() {
      await pc.close();
      const r = await fetch(resource, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
      return r.status;
    },
  };
}
