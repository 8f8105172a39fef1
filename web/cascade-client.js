// WHIP (RFC 9725) publish and WHEP watch from a browser, shared by the publish and watch
// pages and by the browser tests. Non-trickle: the offer is sent once ICE gathering is done.
//
// `base` is control (the default of the pages) or one edge. Control answers the POST with a
// 307 to the chosen edge carrying a placement grant (`?grant=`); fetch follows it, repeating
// the POST, and drops our Authorization header because the edge is another origin (the
// grant stands in for it, RFC 9725 §4.5). `response.url` is then the edge, so the session
// resource (Location) resolves against it, and PATCH/DELETE go there with the bearer token.

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

// Development mode only (no auth.secret): control or an edge hands out a token. `region`
// is an optional hint that control places the client by.
async function fetchToken(base, room, role, region = '') {
  const hint = region ? `&region=${encodeURIComponent(region)}` : '';
  const response = await fetch(`${base}/api/token?room=${encodeURIComponent(room)}&role=${role}${hint}`);
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
    token, // the resource's own credential: only it may PATCH, DELETE or PUT .../layer
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
    token, // the resource's own credential: only it may PATCH, DELETE or PUT .../layer
    setLayer: layerRequester(pc),
    stop: () => stopSession(pc, resource, token),
    restartIce: () => restartIce(pc, resource, token),
  };
}

// Returns setLayer(preference): asks the edge for at most this layer ("low", "medium", "high",
// "auto" or a height such as "360p"; a thumbnail asks for "low") on a "layer" data channel
// opened on first use, and resolves with the edge's reply ({ ok, preference } or
// { ok: false, error }). Same effect as PUT on `${resource}/layer`, without a token or an HTTP
// round trip. One request at a time: each waits for the reply to the one before.
function layerRequester(pc) {
  let channel = null;
  let last = Promise.resolve();
  const request = (preference) =>
    new Promise((resolve, reject) => {
      if (!channel) channel = pc.createDataChannel('layer');
      const timer = setTimeout(() => reject(new Error('no reply on the layer channel within 5 s')), 5000);
      channel.addEventListener(
        'message',
        (event) => {
          clearTimeout(timer);
          resolve(JSON.parse(event.data));
        },
        { once: true },
      );
      if (channel.readyState === 'open') channel.send(preference);
      else channel.addEventListener('open', () => channel.send(preference), { once: true });
    });
  return (preference) => {
    last = last.catch(() => {}).then(() => request(preference));
    return last;
  };
}

// DELETE first (RFC 9725 §4.3: that ends the session), then close locally.
async function stopSession(pc, resource, token) {
  const response = await fetch(resource, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  pc.close();
  return response.status;
}

// Watches `room` and stays watching when the edge goes away: media that stops for `stallMs`
// makes the client ask the edge if the session is still there (OPTIONS on its resource, which
// a live edge answers at once); no answer means the edge died or is cut off, and the client
// joins again through `base` (control, which places it on a live edge). Media that stops
// while the edge answers is the publisher's pause: nothing to do. `onSession(session)` is
// called for every session, the first and each rejoin. Returns { current(), stop() }.
function keepWatching({ base, room, token, videoElement, onSession = () => {}, stallMs = 1000 }) {
  let session = null;
  let stopped = false;
  let busy = false;
  let lastBytes = 0;
  let stalledSince = null;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const join = async () => {
    for (let backoff = 250; !stopped; backoff = Math.min(backoff * 2, 4000)) {
      try {
        // Through window.Cascade, so that whatever wraps it (the tests) sees every session.
        session = await window.Cascade.watch({ base, room, token, videoElement });
        lastBytes = 0;
        stalledSince = null;
        onSession(session);
        return;
      } catch (error) {
        console.warn(`join failed (${error.message}); again in ${backoff} ms`);
        await sleep(backoff);
      }
    }
  };
  const edgeAnswers = async () => {
    try {
      await fetch(session.resource, { method: 'OPTIONS', signal: AbortSignal.timeout(1000) });
      return true;
    } catch {
      return false;
    }
  };
  const check = async () => {
    if (stopped || busy || !session) return;
    busy = true;
    try {
      const stats = await mediaStats(session.pc);
      if (stats.bytesReceived > lastBytes) {
        lastBytes = stats.bytesReceived;
        stalledSince = null;
      } else if (stalledSince === null) {
        stalledSince = Date.now();
      } else if (Date.now() - stalledSince >= stallMs) {
        if (await edgeAnswers()) {
          stalledSince = Date.now();  // the edge is there: the publisher paused
        } else {
          console.warn(`no media for ${Date.now() - stalledSince} ms and the edge does not answer: joining again`);
          session.pc.close();
          await join();
        }
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(check, 100);
  const first = join();
  return {
    ready: first,
    current: () => session,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (session) return session.stop();
    },
  };
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

window.Cascade = { publish, watch, keepWatching, fetchToken, mediaStats };
