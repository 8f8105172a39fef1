// WHIP (RFC 9725) publish and WHEP watch from a browser, shared by the publish and watch
// pages and by the browser tests. Non-trickle: the offer is sent once ICE gathering is done.

async function waitForIceGathering(pc, timeoutMs = 2000) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function postOffer(url, token, pc) {
  await pc.setLocalDescription(await pc.createOffer());
  await waitForIceGathering(pc);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription.sdp,
  });
  if (response.status !== 201) {
    throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  }
  const location = new URL(response.headers.get('Location'), response.url).toString();
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  return location;
}

async function fetchToken(base, room, role) {
  const response = await fetch(`${base}/api/token?room=${encodeURIComponent(room)}&role=${role}`);
  if (!response.ok) throw new Error(`token request answered ${response.status}`);
  return (await response.json()).token;
}

// The ICE lines of an SDP as an application/trickle-ice-sdpfrag body (RFC 8840): credentials,
// the BUNDLE group and the first (BUNDLE-tagged) m= section with its mid and candidates.
function iceFragment(sdp) {
  const lines = sdp.split('\r\n');
  const first = lines.findIndex((l) => l.startsWith('m='));
  const next = lines.findIndex((l, i) => i > first && l.startsWith('m='));
  const section = lines.slice(first, next < 0 ? lines.length : next);
  const pick = (prefix) => section.find((l) => l.startsWith(prefix)) || lines.find((l) => l.startsWith(prefix));
  return [
    pick('a=ice-ufrag:'),
    pick('a=ice-pwd:'),
    lines.find((l) => l.startsWith('a=group:BUNDLE')),
    section[0],
    section.find((l) => l.startsWith('a=mid:')),
    ...section.filter((l) => l.startsWith('a=candidate:')),
    'a=end-of-candidates',
  ].filter(Boolean).join('\r\n') + '\r\n';
}

// ICE restart (RFC 9725 §4.3.1): our new credentials and candidates go to the session by
// PATCH with If-Match: *; the edge's new ones come back in the 200 and replace those of the
// answer we hold. DTLS and media carry on. Returns the new ETag.
async function restartIce(pc, resource, token) {
  await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
  await waitForIceGathering(pc);
  const response = await fetch(resource, {
    method: 'PATCH',
    headers: {
      'Content-Type': 'application/trickle-ice-sdpfrag',
      'If-Match': '*',
      Authorization: `Bearer ${token}`,
    },
    body: iceFragment(pc.localDescription.sdp),
  });
  if (response.status !== 200) throw new Error(`ICE restart PATCH answered ${response.status}: ${await response.text()}`);
  const fragment = await response.text();
  const ufrag = /^a=ice-ufrag:(.+)$/m.exec(fragment)?.[1]?.trim();
  const pwd = /^a=ice-pwd:(.+)$/m.exec(fragment)?.[1]?.trim();
  if (!ufrag || !pwd) throw new Error('ICE restart answer has no a=ice-ufrag/a=ice-pwd');
  const answer = pc.remoteDescription.sdp
    .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${ufrag}`)
    .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${pwd}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return response.headers.get('ETag');
}

// Publishes camera + microphone; video as three simulcast layers (RFC 8853).
async function publish({ base, room, token, stream, simulcast = true }) {
  const pc = new RTCPeerConnection();
  const [video] = stream.getVideoTracks();
  const [audio] = stream.getAudioTracks();
  if (audio) pc.addTransceiver(audio, { direction: 'sendonly' });
  if (video) {
    pc.addTransceiver(video, {
      direction: 'sendonly',
      sendEncodings: simulcast
        ? [
            { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
            { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
            { rid: 'f', maxBitrate: 1500000 },
          ]
        : [{}],
    });
  }
  const chat = pc.createDataChannel('chat');
  const resource = await postOffer(`${base}/whip/${encodeURIComponent(room)}`, token, pc);
  return {
    pc,
    chat,
    resource,
    stop: () => stopSession(pc, resource, token),
    restartIce: () => restartIce(pc, resource, token),
  };
}

// Watches a room: audio, video and the room's chat channel.
async function watch({ base, room, token, videoElement }) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const chat = pc.createDataChannel('chat');
  const remote = new MediaStream();
  pc.addEventListener('track', (event) => {
    remote.addTrack(event.track);
    if (videoElement) videoElement.srcObject = remote;
  });
  const resource = await postOffer(`${base}/whep/${encodeURIComponent(room)}`, token, pc);
  return {
    pc,
    chat,
    resource,
    stop: () => stopSession(pc, resource, token),
    restartIce: () => restartIce(pc, resource, token),
  };
}

// DELETE first (RFC 9725 §4.3: that ends the session), then close locally.
async function stopSession(pc, resource, token) {
  const response = await fetch(resource, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  pc.close();
  return response.status;
}

// The figures the tests and the pages show: decoded frames, audio packets, RTT.
async function mediaStats(pc) {
  const out = { framesDecoded: 0, audioPackets: 0, videoPackets: 0, bytesReceived: 0 };
  (await pc.getStats()).forEach((report) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') {
      out.framesDecoded += report.framesDecoded || 0;
      out.videoPackets += report.packetsReceived || 0;
      out.bytesReceived += report.bytesReceived || 0;
    }
    if (report.type === 'inbound-rtp' && report.kind === 'audio') out.audioPackets += report.packetsReceived || 0;
  });
  return out;
}

window.Cascade = { publish, watch, fetchToken, mediaStats };
