#pragma once
// A link between two media nodes: one WebRTC transport on the nodes' media ports (ICE with
// credentials and DTLS fingerprints handed out by control, SRTP for media and feedback) and
// one ordered `cascade-link` data channel for LinkMessages. The child is the ICE controlling
// side and DTLS client, so a parent behind one port serves any number of children the way an
// edge serves browsers. Rooms on both nodes share the link; it closes when none uses it.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/Metrics.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "media/LinkMessage.hpp"
#include "media/PacketSink.hpp"

namespace cascade::media {

struct LinkCounters {
  uint64_t rtp_packets_sent = 0;
  uint64_t rtp_bytes_sent = 0;
  uint64_t rtp_packets_received = 0;
  uint64_t rtp_bytes_received = 0;
  uint64_t packets_not_sent = 0;     // the transport was not ready or its queue was full
  uint64_t unannounced_packets = 0;  // RTP for an SSRC the parent has not announced
  uint64_t nacks_sent = 0;           // NACK messages towards the peer (we are its child)
  uint64_t nack_seqs_sent = 0;
  uint64_t nacks_received = 0;  // NACK messages from the peer (we are its parent)
  uint64_t packets_resent = 0;
  uint64_t nack_suppressed = 0;
  uint64_t nack_not_in_cache = 0;
  uint64_t keyframe_requests_sent = 0;
  uint64_t keyframe_requests_received = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_not_sent = 0;  // too large once serialized, or refused by SCTP
  uint64_t messages_received = 0;
  uint64_t bad_messages = 0;
  uint64_t lost_before_repair = 0;  // sequence gaps seen on packets from the peer
  uint64_t lost_after_repair = 0;   // of those, given up on (never recovered)
};

class Link {
 public:
  // Which end of the link this node is.
  enum class End : uint8_t { kParent, kChild };

  Link(std::string peer_node_id, End end, std::unique_ptr<transport::WebRtcTransport> transport)
      : peer_node_id_(std::move(peer_node_id)),
        end_(end),
        transport_(std::move(transport)),
        sink_(transport_.get()) {}

  const std::string& peer_node_id() const { return peer_node_id_; }
  End end() const { return end_; }
  transport::WebRtcTransport& transport() { return *transport_; }
  bool connected() const { return transport_->state() == transport::TransportState::kConnected; }
  PacketSink& sink() { return sink_; }

  // Messages wait for the data channel; the child opens it once DTLS is up.
  void Send(const LinkMessage& message);
  void OnConnected();
  void OnChannelOpened(uint16_t stream_id, const std::string& label);
  bool IsLinkChannel(uint16_t stream_id) const { return channel_ && *channel_ == stream_id; }

  // Round-trip time to the peer: from ICE consent checks when we are the child, from
  // receiver reports answering our sender reports when we are the parent.
  uint64_t rtt_us() const;
  void set_report_rtt_us(uint64_t rtt_us) { report_rtt_us_ = rtt_us; }

  std::set<std::string>& rooms() { return rooms_; }

  // Media or feedback from the parent (this node is its child).
  void OnHeardFromParent(uint64_t now_us) {
    last_heard_us_ = now_us;
    silence_reported_ = false;
  }
  // True once per silence: the parent has carried media and then sent nothing for
  // `silence_us` (it hangs or lost its network; control may not know yet).
  bool TakeParentSilence(uint64_t now_us, uint64_t silence_us) {
    if (last_heard_us_ == 0 || silence_reported_ || now_us < last_heard_us_ + silence_us) return false;
    silence_reported_ = true;
    return true;
  }
  uint64_t last_heard_us() const { return last_heard_us_; }
  // The link carries no stream now: silence from the parent means nothing.
  void ResetParentWatch() {
    last_heard_us_ = 0;
    silence_reported_ = false;
  }
  LinkCounters& counters() { return counters_; }
  // The metric series registered for this link (MediaPlane): removed with it.
  base::MetricsRegistrations& metrics() { return metrics_; }
  const LinkCounters& counters() const { return counters_; }

 private:
  void Flush();

  std::string peer_node_id_;
  End end_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  TransportSink sink_;
  std::optional<uint16_t> channel_;
  bool channel_requested_ = false;
  std::vector<std::string> pending_;  // serialized messages waiting for the channel
  std::set<std::string> rooms_;
  uint64_t report_rtt_us_ = 0;
  base::MetricsRegistrations metrics_;
  uint64_t last_heard_us_ = 0;  // 0: nothing yet
  bool silence_reported_ = false;
  LinkCounters counters_;
};

}  // namespace cascade::media
