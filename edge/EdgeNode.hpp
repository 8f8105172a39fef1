#pragma once
// An edge node: terminates WebRTC clients on one UDP port (ICE-lite, DTLS-SRTP, SCTP),
// publishes by WHIP and watches by WHEP, and forwards each room's media to its viewers.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/NodeRuntime.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/ice/StunError.hpp"
#include "core/net/Timer.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "edge/EdgeSession.hpp"
#include "edge/Room.hpp"
#include "edge/Token.hpp"

namespace cascade::edge {

struct EdgeOptions {
  std::string auth_secret;  // empty: development mode, GET /api/token hands tokens out
  std::string web_root;     // the publish/watch pages
  Room::Options room;

  static const std::set<std::string>& KnownKeys();
  static EdgeOptions FromConfig(const base::Config& config);
};

class EdgeNode : public net::UdpSocket::Listener, public transport::WebRtcTransport::Listener {
 public:
  EdgeNode(common::NodeSettings settings, EdgeOptions options);
  ~EdgeNode() override;
  void Run() { runtime_->Run(); }
  common::NodeRuntime& runtime() { return *runtime_; }
  size_t session_count(SessionKind kind) const;

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

  // transport::WebRtcTransport::Listener
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                        const net::SocketAddress& address) override;
  void OnWebRtcTransportConnected(transport::WebRtcTransport* transport) override;
  void OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) override;
  void OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                             std::span<const uint8_t> compound) override;
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                          const sctp::DataChannel& channel) override;
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport, uint16_t stream_id,
                                           sctp::DataChannelMessageType type,
                                           std::span<const uint8_t> data) override;
  void OnWebRtcTransportEnded(transport::WebRtcTransport* transport, transport::TransportEnd reason) override;

 private:
  void AddRoutes();
  void HandleOffer(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind);
  void HandleDelete(net::HttpRequest& request, const net::HttpRespond& respond);
  TokenClaims Authorize(const net::HttpRequest& request, const std::string& room,
                        std::optional<TokenRole> role);
  void DestroySession(const std::string& id, const char* reason);
  void DestroyEndedSessions();
  void OnFastTick();
  void OnSlowTick();
  Room& RoomFor(const std::string& name);
  EdgeSession* SessionOf(transport::WebRtcTransport* transport);
  uint32_t AllocateSsrc();
  void RegisterMetrics();

  EdgeOptions options_;
  std::unique_ptr<common::NodeRuntime> runtime_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  sctp::SctpLibrary::Ref sctp_library_;
  TokenAuthority tokens_;
  LocalIdentity identity_;

  std::unordered_map<std::string, std::unique_ptr<EdgeSession>> sessions_;  // by resource id
  std::unordered_map<std::string, EdgeSession*> by_ufrag_;
  std::unordered_map<net::SocketAddress, EdgeSession*, net::SocketAddressHash> by_address_;
  std::unordered_map<const transport::WebRtcTransport*, EdgeSession*> by_transport_;
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::vector<std::string> ended_sessions_;

  RoomCounters counters_;
  base::EnumCounters<transport::TransportDrop> drops_;
  base::EnumCounters<ice::StunError> stun_errors_;
  uint64_t unmatched_packets_ = 0;
  uint64_t sessions_created_ = 0;
  std::vector<uint64_t> join_to_first_media_us_;
  uint32_t ssrc_counter_ = 0;
  uint32_t ssrc_fallback_base_ = 0;

  std::unique_ptr<net::Timer> fast_timer_;
  std::unique_ptr<net::Timer> slow_timer_;
  uint64_t last_fast_tick_ms_ = 0;
};

}  // namespace cascade::edge
