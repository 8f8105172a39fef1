// Injected into every test page before its own scripts (context.addInitScript). It changes
// nothing the page does; it only records: every fetch (WHIP/WHEP offers, answers, Location,
// DELETE statuses), every RTCPeerConnection's state changes, and the session object that
// window.Cascade.publish/watch return (watch.html keeps it in a closure), its chat messages
// and, for a viewer, the time from the WHEP POST to the first decoded video frame.
(() => {
  const t = {
    sessions: [],
    requests: [],
    chat: [],
    chatOpen: false,
    pcs: [],
    joinToFirstFrameMs: null,
    connectedMs: null,
    iceConnectedMs: null,
  };
  window.__cascadeTest = t;
  const note = (message) => console.log(`[cascade-test] ${message}`);

  const originalFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const url = String(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = (init.method || 'GET').toUpperCase();
    const media = /\/wh[ie]p\//.test(url);
    const record = { url, method, at: performance.now() };
    if (media && method === 'POST' && typeof init.body === 'string') record.offer = init.body;
    t.requests.push(record);
    try {
      const response = await originalFetch(input, init);
      record.status = response.status;
      record.doneAt = performance.now();
      record.location = response.headers.get('Location');
      if (media && method === 'POST') record.answer = await response.clone().text();
      note(`${method} ${url} -> ${response.status} in ${Math.round(record.doneAt - record.at)} ms`);
      return response;
    } catch (error) {
      record.error = String(error);
      note(`${method} ${url} failed: ${error}`);
      throw error;
    }
  };

  const OriginalPeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends OriginalPeerConnection {
    constructor(...args) {
      super(...args);
      const id = t.pcs.length;
      t.pcs.push(this);
      const created = performance.now();
      const watchState = (event, read) =>
        this.addEventListener(event, () => note(`pc${id} +${Math.round(performance.now() - created)}ms ${read()}`));
      watchState('iceconnectionstatechange', () => `ice=${this.iceConnectionState}`);
      watchState('connectionstatechange', () => `connection=${this.connectionState}`);
      watchState('signalingstatechange', () => `signaling=${this.signalingState}`);
      watchState('icegatheringstatechange', () => `gathering=${this.iceGatheringState}`);
      this.addEventListener('track', (e) => note(`pc${id} track kind=${e.track.kind} mid=${e.transceiver?.mid}`));
      this.addEventListener('icecandidateerror', (e) => note(`pc${id} icecandidateerror ${e.errorCode} ${e.errorText}`));
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' && t.iceConnectedMs === null) t.iceConnectedMs = performance.now();
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && t.connectedMs === null) t.connectedMs = performance.now();
      });
    }
  };

  function adopt(kind, api, session) {
    t.kind = kind;
    t.session = session;
    t.sessions.push(session);
    const chat = session.chat;
    chat.addEventListener('open', () => {
      t.chatOpen = true;
      note(`chat open (id ${chat.id})`);
    });
    chat.addEventListener('close', () => note('chat closed'));
    chat.addEventListener('error', (e) => note(`chat error ${e.error?.message || e}`));
    chat.addEventListener('message', (e) => {
      t.chat.push(String(e.data));
      note(`chat message: ${e.data}`);
    });
    if (kind === 'watch') {
      const post = [...t.requests].reverse().find((r) => r.method === 'POST' && /\/whep\//.test(r.url));
      t.whepPostAt = post ? post.at : null;
      (async () => {
        const deadline = performance.now() + 60000;
        while (performance.now() < deadline && session.pc.connectionState !== 'closed') {
          const stats = await api.mediaStats(session.pc);
          if (stats.framesDecoded > 0) {
            t.firstFrameAt = performance.now();
            t.joinToFirstFrameMs = post ? t.firstFrameAt - post.at : null;
            note(`first decoded frame ${Math.round(t.joinToFirstFrameMs)} ms after the WHEP POST`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
    }
    return session;
  }

  let api;
  Object.defineProperty(window, 'Cascade', {
    configurable: true,
    enumerable: true,
    get: () => api,
    set: (real) => {
      api = {
        ...real,
        publish: async (options) => adopt('publish', real, await real.publish(options)),
        watch: async (options) => adopt('watch', real, await real.watch(options)),
      };
    },
  });

  // What chrome://webrtc-internals would show, from getStats(): transport, candidate pairs,
  // candidates, RTP streams, data channels; plus both SDPs.
  t.diagnose = async () => {
    const out = [];
    for (const [id, pc] of t.pcs.entries()) {
      const lines = [`pc${id}: signaling=${pc.signalingState} ice=${pc.iceConnectionState} ` +
        `connection=${pc.connectionState} gathering=${pc.iceGatheringState}`];
      if (pc.connectionState !== 'closed') {
        const stats = await pc.getStats();
        stats.forEach((r) => {
          const pick = (keys) => keys.filter((k) => r[k] !== undefined).map((k) => `${k}=${r[k]}`).join(' ');
          if (r.type === 'transport') {
            lines.push(`  transport ${pick(['iceState', 'dtlsState', 'dtlsRole', 'srtpCipher', 'tlsVersion', 'selectedCandidatePairChanges', 'bytesSent', 'bytesReceived', 'packetsSent', 'packetsReceived'])}`);
          } else if (r.type === 'candidate-pair') {
            lines.push(`  candidate-pair ${r.localCandidateId}->${r.remoteCandidateId} ${pick(['state', 'nominated', 'requestsSent', 'responsesReceived', 'requestsReceived', 'responsesSent', 'consentRequestsSent', 'bytesSent', 'bytesReceived', 'currentRoundTripTime', 'availableOutgoingBitrate'])}`);
          } else if (r.type === 'local-candidate' || r.type === 'remote-candidate') {
            lines.push(`  ${r.type} ${r.id} ${pick(['candidateType', 'protocol', 'address', 'port'])}`);
          } else if (r.type === 'inbound-rtp') {
            lines.push(`  inbound-rtp ${r.kind} ${pick(['ssrc', 'mid', 'packetsReceived', 'packetsLost', 'bytesReceived', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'frameWidth', 'frameHeight', 'framesPerSecond', 'nackCount', 'pliCount', 'firCount', 'jitter', 'decoderImplementation'])}`);
          } else if (r.type === 'outbound-rtp') {
            lines.push(`  outbound-rtp ${r.kind} ${pick(['rid', 'ssrc', 'mid', 'packetsSent', 'bytesSent', 'framesEncoded', 'frameWidth', 'frameHeight', 'framesPerSecond', 'targetBitrate', 'qualityLimitationReason', 'nackCount', 'pliCount', 'firCount', 'active'])}`);
          } else if (r.type === 'remote-inbound-rtp') {
            lines.push(`  remote-inbound-rtp ${r.kind} ${pick(['ssrc', 'packetsLost', 'roundTripTime', 'fractionLost'])}`);
          } else if (r.type === 'data-channel') {
            lines.push(`  data-channel ${pick(['label', 'protocol', 'dataChannelIdentifier', 'state', 'messagesSent', 'messagesReceived', 'bytesSent', 'bytesReceived'])}`);
          } else if (r.type === 'codec') {
            lines.push(`  codec ${pick(['payloadType', 'mimeType', 'clockRate', 'channels', 'sdpFmtpLine'])}`);
          }
        });
      }
      out.push(lines.join('\n'));
    }
    return out.join('\n');
  };
})();
