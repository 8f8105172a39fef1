// A stand-in for `cascade up --edges 1` built on werift, to check the browser harness itself
// (pages, instrumentation, werift client, timing, metrics polling) without the C++ edge:
//   node tests/browser/test_whip_whep.mjs --mock [base_port]
// It serves web/, /api/token, WHIP/WHEP (forwarding the publisher's lowest simulcast layer
// and audio to every viewer, chat between everyone in the room), DELETE and /metrics on
// 127.0.0.1:<base_port+10>. It is a test double with the edge's HTTP contract, not an SFU.
import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters,
  useNACK, usePLI, useREMB, useSdesMid, useSdesRTPStreamId, useRepairedRtpStreamId,
} from 'werift';

const basePort = Number(process.argv[process.argv.indexOf('--base-port') + 1] || 19080);
const port = basePort + 10;
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const secret = randomBytes(16).toString('hex');
const MAX_BODY = 256 * 1024;

const peerConfig = () => ({
  bundlePolicy: 'max-bundle',
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceUseIpv6: false,
  codecs: {
    audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
    video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
  },
  headerExtensions: { audio: [useSdesMid()], video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()] },
});

const sign = (payload) => createHmac('sha256', secret).update(payload).digest('base64url');
const issue = (room, role) => {
  const payload = Buffer.from(JSON.stringify({ room, role, exp: Math.floor(Date.now() / 1000) + 3600, id: randomBytes(4).toString('hex') })).toString('base64url');
  return `${payload}.${sign(payload)}`;
};
function verify(header) {
  const token = (header || '').replace(/^Bearer /, '');
  const [payload, mac] = token.split('.');
  if (!payload || mac !== sign(payload)) return null;
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}

const rooms = new Map();  // room -> { source: {video, audio, pli}, viewers: Set, chats: Set }
const sessions = new Map();  // id -> { kind, room, pc, close }
const roomOf = (name) => {
  if (!rooms.has(name)) rooms.set(name, { source: null, viewers: new Set(), chats: new Set() });
  return rooms.get(name);
};

function wireChat(pc, room) {
  pc.onDataChannel.subscribe((channel) => {
    room.chats.add(channel);
    channel.onMessage.subscribe((data) => {
      for (const other of room.chats) if (other !== channel && other.readyState === 'open') other.send(data);
    });
    channel.stateChanged.subscribe((state) => state === 'closed' && room.chats.delete(channel));
  });
}

async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise((resolve) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()));
}

async function startPublisher(room, offer) {
  const pc = new RTCPeerConnection(peerConfig());
  const source = { video: new Set(), audio: new Set(), pli: () => {} };
  room.source = source;
  wireChat(pc, room);
  pc.onTrack.subscribe((track) => {
    const transceiver = pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
    if (track.kind === 'video' && track.rid && track.rid !== 'q') return;  // forward one layer
    if (track.kind === 'video') {
      source.pli = () => track.ssrc && transceiver?.receiver.sendRtcpPLI(track.ssrc).catch(() => {});
    }
    track.onReceiveRtp.subscribe((rtp) => {
      for (const out of source[track.kind]) {
        const copy = rtp.clone();
        copy.header.extensions = [];
        out.writeRtp(copy);
      }
    });
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  const timer = setInterval(() => source.pli(), 2000);
  return { pc, close: () => { clearInterval(timer); if (room.source === source) room.source = null; } };
}

async function startViewer(room, offer) {
  if (!room.source) throw Object.assign(new Error('no publisher in this room'), { status: 404 });
  const pc = new RTCPeerConnection(peerConfig());
  wireChat(pc, room);
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  pc.addTrack(audio);
  pc.addTrack(video);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  const source = room.source;
  source.audio.add(audio);
  source.video.add(video);
  pc.connectionStateChange.subscribe((s) => s === 'connected' && source.pli());
  return { pc, close: () => { source.audio.delete(audio); source.video.delete(video); } };
}

function send(res, status, body = '', headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  try {
    if (req.method === 'GET' && url.pathname.startsWith('/web/')) {
      const file = path.join(webDir, path.normalize(url.pathname.slice(5)));
      const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }[path.extname(file)] || 'application/octet-stream';
      return send(res, 200, await readFile(file), { 'Content-Type': type });
    }
    if (req.method === 'GET' && url.pathname === '/api/token') {
      const role = url.searchParams.get('role');
      return send(res, 200, JSON.stringify({ token: issue(url.searchParams.get('room'), role) }), { 'Content-Type': 'application/json' });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const count = (kind) => [...sessions.values()].filter((s) => s.kind === kind).length;
      return send(res, 200, `cascade_edge_sessions{kind="publisher"} ${count('publisher')}\ncascade_edge_sessions{kind="viewer"} ${count('viewer')}\n`);
    }
    const media = url.pathname.match(/^\/(whip|whep)\/([^/]+)$/);
    if (req.method === 'POST' && media) {
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_BODY) return send(res, 413, 'offer too large', { Connection: 'close' });
        chunks.push(chunk);
      }
      const offer = Buffer.concat(chunks).toString();
      const claims = verify(req.headers.authorization);
      if (!claims) return send(res, 401, 'missing or invalid bearer token');
      const [kind, roomName] = [media[1], decodeURIComponent(media[2])];
      if (claims.room !== roomName) return send(res, 403, 'token is for another room');
      if ((kind === 'whip') !== (claims.role === 'publish')) return send(res, 403, `a ${claims.role} token cannot ${kind}`);
      if (!offer.startsWith('v=0')) return send(res, 400, 'body is not an SDP offer (must start with v=0)');
      if (!/^a=group:BUNDLE /m.test(offer)) return send(res, 400, 'offer must use BUNDLE (a=group:BUNDLE)');
      const room = roomOf(roomName);
      const session = kind === 'whip' ? await startPublisher(room, offer) : await startViewer(room, offer);
      const id = randomBytes(8).toString('hex');
      sessions.set(id, { kind: kind === 'whip' ? 'publisher' : 'viewer', ...session });
      return send(res, 201, session.pc.localDescription.sdp, { 'Content-Type': 'application/sdp', Location: `/resource/${id}` });
    }
    const resource = url.pathname.match(/^\/resource\/([0-9a-f]+)$/);
    if (req.method === 'DELETE' && resource) {
      const session = sessions.get(resource[1]);
      if (!session) return send(res, 404, 'no such session');
      if (!verify(req.headers.authorization)) return send(res, 401, 'missing or invalid bearer token');
      sessions.delete(resource[1]);
      session.close();
      await session.pc.close();
      return send(res, 200);
    }
    return send(res, 404, 'not found');
  } catch (error) {
    return send(res, error.status || 500, String(error.message));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`up: mock edge on http://127.0.0.1:${port} (werift)`);
  console.log('up: all 1 nodes registered with control after 0 ms');
});
process.on('SIGINT', () => {
  console.log('up: stopping mock edge');
  for (const s of sessions.values()) s.pc.close();
  server.close();
  process.exit(0);
});
