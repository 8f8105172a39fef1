#pragma once
// An edge node: terminates WebRTC clients on one UDP port (ICE-lite, DTLS-SRTP, SCTP),
// publishes by WHIP and watches by WHEP, and forwards each room's media to its viewers.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/net/Timer.hpp"
#include "edge/IcePatch.hpp"
#include "edge/IceServers.hpp"
#include "edge/IceSessions.hpp"
#include "edge/IceTcpPort.hpp"
#include "edge/Negotiation.hpp"
#include "edge/RequestAuth.hpp"
#include "media/MediaPlane.hpp"
#include "media/NodeRuntime.hpp"
#include "media/Room.hpp"

namespace cascade::edge {

struct EdgeOptions {
  std::string auth_secret;  // empty: development mode, GET /api/token hands tokens out
  std::string web_root;     // the publish/watch pages
  media::Room::Options room;
  bool media_tcp = true;  // passive ICE-TCP on the media socket's IP and port (`media.tcp`)
  IceServerOptions ice;   // STUN/TURN servers announced in Link headers (`ice.*`)

  static const std::set<std::string>& KnownKeys();
  static EdgeOptions FromConfig(const base::Config& config);
};

class EdgeNode : public net::UdpSocket::Listener {
 public:
  EdgeNode(media::NodeSettings settings, EdgeOptions options);
  ~EdgeNode() override;
  void Run() { runtime_->Run(); }
  media::NodeRuntime& runtime() { return *runtime_; }
  media::MediaPlane& media() { return *media_; }
  // Null when `media.tcp` is off.
  const IceTcpPort* ice_tcp() const { return ice_tcp_.get(); }
  const net::SocketAddress& http_address() const { return runtime_->http().local_address(); }

  // net::UdpSocket::Listener: the media socket is made before the media plane exists.
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override {
    media_->OnUdpSocketPacket(socket, data, from);
  }

 private:
  void AddRoutes();
  void HandleOffer(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind);
  void HandleDelete(net::HttpRequest& request, const net::HttpRespond& respond);
  // The viewer a WHEP resource URL names (authorized like the resource itself).
  media::ViewerSubscriber& ViewerOf(net::HttpRequest& request, bool authorize);
  void HandleViewerStats(net::HttpRequest& request, const net::HttpRespond& respond);
  void HandleLayerPreference(net::HttpRequest& request, const net::HttpRespond& respond);
  void HandlePatch(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind);
  void RestartIce(media::ClientSession& session, const IcePatch& patch, const net::HttpRespond& respond);
  transport::WebRtcTransport* TransportOfUfrag(std::string_view local_ufrag);
  void RegisterMetrics();

  EdgeOptions options_;
  std::unique_ptr<media::NodeRuntime> runtime_;
  std::unique_ptr<media::MediaPlane> media_;
  std::unique_ptr<RequestAuth> auth_;
  LocalIdentity identity_;
  IceSessions ice_sessions_;
  std::vector<std::string> ice_server_links_;  // Link header values, fixed at start
  std::unique_ptr<IceTcpPort> ice_tcp_;
  std::unique_ptr<net::Timer> prune_timer_;
  uint64_t sessions_created_ = 0;
  uint64_t trickle_patches_ = 0;
  uint64_t ice_restarts_ = 0;
  uint64_t rejected_patches_ = 0;
};

}  // namespace cascade::edge
