#include "tools/loadgen/WebRtcClient.hpp"

#include "core/ice/IceCredentials.hpp"

#include <array>
#include <cstring>

#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/srtp/SrtpSession.hpp"

namespace cascade::loadgen {
namespace {

constexpr uint64_t kKeyframeIntervalUs = 1'000'000;

net::UdpSocket::Options SocketOptions(WebRtcClient::Role role) {
  net::UdpSocket::Options options;
  // A viewer sends only checks and RTCP; small queues keep hundreds of clients cheap.
  options.send_queue_datagrams = role == WebRtcClient::Role::kPublisher ? 1024 : 64;
  options.socket_buffer_bytes = role == WebRtcClient::Role::kPublisher ? 4 << 20 : 1 << 20;
  options.enable_gso = false;
  return options;
}

}  // namespace

void StreamCounter::OnPacket(uint16_t sequence_number) {
  ++packets;
  if (!started) {
    started = true;
    first_extended = highest_extended = 65536u + sequence_number;
    return;
  }
  // Extend against the highest seen (RFC 3550 appendix A.1), reordering within half the space.
  uint64_t base = highest_extended & ~uint64_t{0xffff};
  uint64_t candidate = base + sequence_number;
  if (candidate + 32768 < highest_extended)
    candidate += 65536;
  else if (candidate > highest_extended + 32768)
    candidate -= 65536;
  if (candidate > highest_extended) highest_extended = candidate;
}

WebRtcClient::WebRtcClient(net::Loop& loop, dtls::DtlsContext& dtls_context,
                           const dtls::Fingerprint& fingerprint, Role role, uint32_t index)
    : loop_(loop),
      dtls_context_(dtls_context),
      role_(role),
      ice_ufrag_(ice::RandomUfrag()),
      ice_pwd_(ice::RandomPassword()),
      fingerprint_(fingerprint),
      audio_ssrc_(0x10000000u + index * 2),
      video_ssrc_(0x10000001u + index * 2),
      vp8_(video_ssrc_, kVp8PayloadType),
      opus_(audio_ssrc_, kOpusPayloadType) {
  socket_ = std::make_unique<net::UdpSocket>(loop_, this, *net::SocketAddress::Parse("127.0.0.1", 0),
                                             SocketOptions(role));
}

WebRtcClient::~WebRtcClient() { transport_.reset(); }

std::string WebRtcClient::Offer() const {
  OfferParams params;
  params.publish = role_ == Role::kPublisher;
  params.ice_ufrag = ice_ufrag_;
  params.ice_pwd = ice_pwd_;
  params.fingerprint = fingerprint_;
  params.candidate = socket_->local_address();
  params.audio_ssrc = audio_ssrc_;
  params.video_ssrc = video_ssrc_;
  return BuildOffer(params);
}

bool WebRtcClient::Start(const std::string& answer_sdp, std::string& parse_error) {
  auto answer = ParseAnswer(answer_sdp, parse_error);
  if (!answer) return false;
  answer_ = *answer;
  transport::WebRtcTransportConfig config;
  config.local_ufrag = ice_ufrag_;
  config.local_pwd = ice_pwd_;
  config.remote_ufrag = answer_.ice_ufrag;
  config.remote_pwd = answer_.ice_pwd;
  config.remote_fingerprint = answer_.fingerprint;
  config.dtls_role = answer_.our_dtls_role;
  config.ice_controlling = true;
  config.remote_address = answer_.candidate;
  transport_ = std::make_unique<transport::WebRtcTransport>(*socket_, dtls_context_, loop_.clock(), config,
                                                            this, &drops_);
  transport_->OnFastTick();  // the first check goes out now
  return true;
}

void WebRtcClient::OnFastTick() {
  if (transport_) transport_->OnFastTick();
}

void WebRtcClient::OnSlowTick(uint64_t now_ms) {
  if (transport_) transport_->OnSlowTick(now_ms);
}

bool WebRtcClient::SendPacket(std::span<const uint8_t> plain) {
  if (!transport_ || !connected()) return false;
  auto out = transport_->BeginSend();
  if (out.size() < plain.size() + srtp::SrtpSession::kMaxRtpOverhead) return false;
  std::memcpy(out.data(), plain.data(), plain.size());
  if (!transport_->CommitRtp(plain.size())) return false;
  ++packets_sent_;
  return true;
}

void WebRtcClient::SendVideoFrame(size_t frame_bytes, bool force_keyframe) {
  if (!connected() || failed()) return;
  uint64_t now = loop_.clock().NowUs();
  bool keyframe = force_keyframe || keyframe_requested_ || now - last_keyframe_us_ >= kKeyframeIntervalUs;
  if (keyframe) {
    last_keyframe_us_ = now;
    keyframe_requested_ = false;
  }
  vp8_.StartFrame(keyframe, frame_bytes);
  std::array<uint8_t, kMaxRtpPacket> packet{};
  while (vp8_.HasPacket()) {
    size_t n = vp8_.WritePacket(packet);
    SendPacket(std::span<const uint8_t>(packet.data(), n));
  }
}

void WebRtcClient::SendAudioPacket() {
  if (!connected() || failed()) return;
  std::array<uint8_t, kMaxRtpPacket> packet{};
  size_t n = opus_.WritePacket(packet);
  SendPacket(std::span<const uint8_t>(packet.data(), n));
}

void WebRtcClient::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data,
                                     const net::SocketAddress& from) {
  if (!transport_) return;
  transport_->ReceiveDatagram(data, from);
}

void WebRtcClient::OnWebRtcTransportAddressSelected(transport::WebRtcTransport*, const net::SocketAddress&) {}

void WebRtcClient::OnWebRtcTransportConnected(transport::WebRtcTransport*) {
  connected_us_ = loop_.clock().NowUs();
}

void WebRtcClient::OnWebRtcTransportRtp(transport::WebRtcTransport*, rtp::RtpPacket& packet) {
  if (packet.payload_type() == answer_.video_payload_type) {
    if (first_video_us_ == 0) first_video_us_ = loop_.clock().NowUs();
    video_.OnPacket(packet.sequence_number());
  } else if (packet.payload_type() == answer_.audio_payload_type) {
    audio_.OnPacket(packet.sequence_number());
  }
}

void WebRtcClient::OnWebRtcTransportRtcp(transport::WebRtcTransport*, std::span<const uint8_t> compound) {
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  while (reader.Next(packet)) {
    auto kind = packet.Kind();
    if (kind == rtcp::PacketKind::kPli || kind == rtcp::PacketKind::kFir) {
      keyframe_requested_ = true;
      ++keyframe_requests_;
    }
  }
}

void WebRtcClient::OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport*, const sctp::DataChannel&) {
}

void WebRtcClient::OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport*, uint16_t,
                                                       sctp::DataChannelMessageType,
                                                       std::span<const uint8_t>) {}

void WebRtcClient::OnWebRtcTransportEnded(transport::WebRtcTransport*, transport::TransportEnd reason) {
  ended_ = reason;
}

}  // namespace cascade::loadgen
