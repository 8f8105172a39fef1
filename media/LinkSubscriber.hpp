#pragma once
// A child link as a room's subscriber: it learns every stream by an announce and receives
// each packet under the stream's mesh-wide SSRC, otherwise unchanged (padding included, so
// its sequence numbers have no gaps it would NACK). Its NACKs are answered from this node's
// caches, its PLIs coalesced upstream, and it gets our sender reports, which come back as
// the link's RTT.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/rtp/NackResponder.hpp"
#include "media/Link.hpp"
#include "media/PacketSink.hpp"
#include "media/Subscriber.hpp"

namespace cascade::media {

// The announce that tells a child what a stream's packets are.
StreamAnnounce AnnounceOf(const std::string& room, const UpstreamStream& stream,
                          const std::array<rtp::ExtensionUri, 256>& extensions);

class LinkSubscriber final : public Subscriber {
 public:
  LinkSubscriber(std::string room, Link& link, Upstream& upstream)
      : room_(std::move(room)), link_(link), upstream_(upstream) {}

  Link& link() { return link_; }
  // Layer-aware trees: the child's latest subscription (video streams it does not want now).
  void SetPaused(std::vector<uint32_t> paused) { paused_ = std::move(paused); }
  bool paused(uint32_t mesh_ssrc) const {
    return std::find(paused_.begin(), paused_.end(), mesh_ssrc) != paused_.end();
  }
  // What went down this link per layer (RID; "" for audio and streams without simulcast).
  struct LayerTraffic {
    std::string layer;
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t paused_packets = 0;  // not sent: the child paused the stream
  };
  const std::vector<LayerTraffic>& traffic() const { return traffic_; }
  const std::vector<uint32_t>& paused_streams() const { return paused_; }
  // Announces every stream the room has now (a child that just joined).
  void AnnounceAll();

  void OnStreamAdded(UpstreamStream& stream) override;
  void OnStreamRemoved(UpstreamStream& stream) override;
  void OnPacket(UpstreamStream& stream, const rtp::RtpPacket& packet, const StreamArrival& arrival,
                uint64_t now_us) override;
  void OnRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) override;
  void OnTick(uint64_t now_us) override;

 private:
  // Sends a packet copied into the link's slot under the stream's mesh SSRC.
  bool Send(std::optional<rtp::RtpPacket> copy, uint32_t mesh_ssrc);
  void OnNack(const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnReceiverReport(const rtcp::RtcpPacket& packet);
  // One responder per stream, made at the child's first NACK for it.
  rtp::NackResponder& ResponderFor(uint32_t mesh_ssrc);

  std::string room_;
  Link& link_;
  Upstream& upstream_;
  LayerTraffic& TrafficOf(const std::string& layer);

  std::vector<std::pair<uint32_t, std::unique_ptr<rtp::NackResponder>>> responders_;
  std::vector<uint32_t> paused_;
  std::vector<LayerTraffic> traffic_;  // grows once per layer
};

}  // namespace cascade::media
