#include "tools/relaybench/ChildEndpoint.hpp"

#include <stdexcept>
#include <variant>

#include "core/base/Log.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "media/LinkMessage.hpp"

namespace cascade::relaybench {
namespace {

// As media/MediaPlane: a parent that hears nothing for this long drops the child.
constexpr uint64_t kLinkConsentTimeoutMs = 10'000;

net::UdpSocket::Options SocketOptions() {
  net::UdpSocket::Options options;
  // A child sends only checks and SCTP; it receives the whole stream.
  options.send_queue_datagrams = 256;
  options.socket_buffer_bytes = 4 << 20;
  options.enable_gso = false;
  return options;
}

}  // namespace

ChildEndpoint::ChildEndpoint(net::Loop& loop, dtls::DtlsContext& dtls_context,
                             const dtls::Fingerprint& fingerprint, std::string node_id,
                             const net::SocketAddress& control_address,
                             const dtls::Fingerprint& control_fingerprint, RtpSink sink)
    : loop_(loop), dtls_context_(dtls_context), node_id_(std::move(node_id)), sink_(std::move(sink)) {
  socket_ = std::make_unique<net::UdpSocket>(loop_, this, *net::SocketAddress::Parse("127.0.0.1", 0),
                                             SocketOptions());
  control::NodeHello hello;
  hello.node_id = node_id_;
  hello.role = control::NodeRole::kEdge;
  hello.region = "local";
  hello.media_addresses.push_back({socket_->local_address().ip(), socket_->local_address().port(), "udp"});
  hello.http_url = "http://127.0.0.1:0";  // no HTTP: control never sends clients here
  hello.capacity.max_sessions = 1;
  hello.capacity.max_users = 1;
  hello.capacity.egress_bps = 1;
  hello.certificate_fingerprint = fingerprint.ToString();
  hello.version = "relaybench";
  control_ = std::make_unique<control::ControlClient>(loop_, this, control_address, control_fingerprint,
                                                      std::move(hello));
}

ChildEndpoint::~ChildEndpoint() {
  transport_.reset();  // before the socket it sends on
  control_.reset();
}

void ChildEndpoint::Start() { control_->Start(); }

void ChildEndpoint::OnFastTick() {
  if (transport_) transport_->OnFastTick();
}

void ChildEndpoint::OnSlowTick(uint64_t now_ms) {
  if (transport_) transport_->OnSlowTick(now_ms);
}

void ChildEndpoint::Attach(const control::AttachStream& command) {
  if (transport_) {
    if (command.parent_node_id == parent_) return;  // another stream on the same link
    throw std::invalid_argument("this bench child already has parent '" + parent_ + "'");
  }
  auto fingerprint = dtls::Fingerprint::Parse(command.parent_fingerprint);
  if (!fingerprint) throw std::invalid_argument("parent fingerprint is not valid");
  if (!command.parent_address) throw std::invalid_argument("attach needs the parent's media address");
  auto address = net::SocketAddress::Parse(command.parent_address->ip, command.parent_address->port);
  if (!address) throw std::invalid_argument("parent address is not an IP address");
  const auto& credentials = command.link;
  if (credentials.parent_ufrag.size() < 4 || credentials.child_ufrag.size() < 4 ||
      credentials.password.size() < 22) {
    throw std::invalid_argument("link credentials too short");
  }
  // The child end of media/MediaPlane::LinkFor.
  transport::WebRtcTransportConfig config;
  config.local_ufrag = credentials.child_ufrag;
  config.remote_ufrag = credentials.parent_ufrag;
  config.local_pwd = credentials.password;
  config.remote_pwd = credentials.password;
  config.remote_fingerprint = *fingerprint;
  config.dtls_role = dtls::DtlsRole::kClient;
  config.data_channels = true;
  config.consent_timeout_ms = kLinkConsentTimeoutMs;
  config.ice_controlling = true;
  config.remote_address = *address;
  transport_ = std::make_unique<transport::WebRtcTransport>(*socket_, dtls_context_, loop_.clock(), config,
                                                            this, &drops_);
  parent_ = command.parent_node_id;
  transport_->OnFastTick();  // the first check goes out now
  LOG_DEBUG("relaybench.attached", {"node", node_id_}, {"parent", parent_}, {"stream", command.stream_id});
}

void ChildEndpoint::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data,
                                      const net::SocketAddress& from) {
  if (!transport_) return;
  transport_->ReceiveDatagram(data, from);
}

void ChildEndpoint::OnWebRtcTransportAddressSelected(transport::WebRtcTransport*, const net::SocketAddress&) {
}

void ChildEndpoint::OnWebRtcTransportConnected(transport::WebRtcTransport* transport) {
  connected_us_ = loop_.clock().NowUs();
  // As media/Link::OnConnected: the child opens the link's channel.
  if (channel_) return;
  sctp::DataChannelParams params;
  params.label = media::kLinkChannelLabel;
  params.ordered = true;
  channel_ = transport->OpenDataChannel(params);
  if (!channel_) error_ = "the link channel could not be opened";
}

void ChildEndpoint::OnWebRtcTransportRtp(transport::WebRtcTransport*, rtp::RtpPacket& packet) {
  const uint64_t now = loop_.clock().NowUs();
  if (first_rtp_us_ == 0) first_rtp_us_ = now;
  ++rtp_packets_;
  if (sink_) sink_(packet.ssrc(), packet.sequence_number(), now);
}

void ChildEndpoint::OnWebRtcTransportRtcp(transport::WebRtcTransport*, std::span<const uint8_t>) {}

void ChildEndpoint::OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport*,
                                                       const sctp::DataChannel& channel) {
  if (channel.label() == media::kLinkChannelLabel) channel_open_ = true;
}

void ChildEndpoint::OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport*, uint16_t,
                                                        sctp::DataChannelMessageType,
                                                        std::span<const uint8_t> data) {
  auto message = media::ParseLinkMessage(data);
  if (message.ok() && std::holds_alternative<media::StreamAnnounce>(*message)) ++announces_;
}

void ChildEndpoint::OnWebRtcTransportEnded(transport::WebRtcTransport*, transport::TransportEnd reason) {
  ended_ = reason;  // the transport stays until the endpoint goes: not destroyed from its own call
}

void ChildEndpoint::OnControlClientRegistered(const control::HelloAck&) {}

void ChildEndpoint::OnControlClientCommand(const control::ControlMessage& command,
                                           control::CommandResult& result) {
  try {
    if (const auto* attach = std::get_if<control::AttachStream>(&command.body)) {
      Attach(*attach);
    } else {
      throw std::invalid_argument("a bench child only takes AttachStream");
    }
    result = {true, ""};
  } catch (const std::exception& error) {
    result = {false, error.what()};
  }
}

control::NodeLoad ChildEndpoint::OnControlClientLoadRequested() { return {}; }

}  // namespace cascade::relaybench
