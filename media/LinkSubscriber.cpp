#include "media/LinkSubscriber.hpp"

#include <algorithm>

#include "core/base/Clock.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/NtpTime.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/ReceiverReport.hpp"

namespace cascade::media {

StreamAnnounce AnnounceOf(const std::string& room, const UpstreamStream& stream,
                          const std::array<rtp::ExtensionUri, 256>& extensions) {
  StreamAnnounce announce{room, stream.mesh_ssrc(), stream.kind(), stream.codec(), stream.clock_rate(),
                          {},   stream.layer()};
  for (size_t id = 1; id < extensions.size(); ++id) {
    if (extensions[id] != rtp::ExtensionUri::kUnknown) {
      announce.extensions.emplace_back(static_cast<uint8_t>(id), extensions[id]);
    }
  }
  return announce;
}

void LinkSubscriber::AnnounceAll() {
  for (const auto& stream : upstream_.streams()) OnStreamAdded(*stream);
}

void LinkSubscriber::OnStreamAdded(UpstreamStream& stream) {
  link_.Send(AnnounceOf(room_, stream, upstream_.upstream_extensions()));
}

void LinkSubscriber::OnStreamRemoved(UpstreamStream& stream) {
  link_.Send(StreamWithdraw{room_, stream.mesh_ssrc()});
  std::erase_if(responders_, [&](const auto& entry) { return entry.first == stream.mesh_ssrc(); });
}

rtp::NackResponder& LinkSubscriber::ResponderFor(uint32_t mesh_ssrc) {
  for (auto& [ssrc, responder] : responders_) {
    if (ssrc == mesh_ssrc) return *responder;
  }
  return *responders_.emplace_back(mesh_ssrc, std::make_unique<rtp::NackResponder>()).second;
}

bool LinkSubscriber::Send(std::optional<rtp::RtpPacket> copy, uint32_t mesh_ssrc) {
  auto& counters = link_.counters();
  if (!copy) {
    ++counters.packets_not_sent;
    return false;
  }
  if (copy->ssrc() != mesh_ssrc) copy->SetSsrc(mesh_ssrc);
  if (!link_.sink().CommitRtp(copy->size())) {
    ++counters.packets_not_sent;
    return false;
  }
  ++counters.rtp_packets_sent;
  counters.rtp_bytes_sent += copy->size();
  return true;
}

LinkSubscriber::LayerTraffic& LinkSubscriber::TrafficOf(const std::string& layer) {
  for (auto& traffic : traffic_) {
    if (traffic.layer == layer) return traffic;
  }
  return traffic_.emplace_back(LayerTraffic{layer});
}

void LinkSubscriber::OnPacket(UpstreamStream& stream, const rtp::RtpPacket& packet, const StreamArrival&,
                              uint64_t) {
  LayerTraffic& traffic = TrafficOf(stream.layer());
  if (!paused_.empty() && paused(stream.mesh_ssrc())) {
    ++traffic.paused_packets;
    return;
  }
  if (!Send(link_.sink().CopyRtp(packet), stream.mesh_ssrc())) return;
  ++traffic.packets;
  traffic.bytes += packet.size();
  auto& counters = upstream_.counters();
  ++counters.link_packets_forwarded;
  counters.link_bytes_forwarded += packet.size();
}

void LinkSubscriber::OnRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  switch (packet.Kind()) {
    case rtcp::PacketKind::kNack: OnNack(packet, now_us); break;
    case rtcp::PacketKind::kReceiverReport: OnReceiverReport(packet); break;
    case rtcp::PacketKind::kPli: {
      auto pli = rtcp::Pli::Parse(packet);
      UpstreamStream* stream = pli.ok() ? upstream_.FindMeshStream(pli->media_ssrc()) : nullptr;
      if (!stream) break;
      ++upstream_.counters().keyframe_requests_received;
      ++link_.counters().keyframe_requests_received;
      upstream_.RequestKeyframe(*stream, now_us);
      break;
    }
    default: break;
  }
}

void LinkSubscriber::OnNack(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto nack = rtcp::Nack::Parse(packet);
  if (!nack.ok()) return;
  auto& counters = upstream_.counters();
  auto& link_counters = link_.counters();
  ++counters.nacks_received;
  ++link_counters.nacks_received;
  UpstreamStream* stream = upstream_.FindMeshStream(nack->media_ssrc());
  if (!stream) return;
  // A child numbers packets as this node received them: no mapping, straight from the cache.
  auto& responder = ResponderFor(stream->mesh_ssrc());
  responder.OnNackReceived();
  auto seqs = nack->seqs();
  uint16_t seq = 0;
  // A NACK names at most 17 numbers per 4-byte entry; bound the work one packet can cause.
  for (size_t budget = 256; budget > 0 && seqs.Next(seq); --budget) {
    auto cached = stream->cache().Find(seq, now_us);
    switch (responder.Decide(seq, !cached.empty(), link_.rtt_us(), now_us)) {
      case rtp::NackResponder::Decision::kResend:
        if (Send(link_.sink().CopyRtp(cached), stream->mesh_ssrc())) {
          ++counters.nack_packets_resent;
          ++link_counters.packets_resent;
        }
        break;
      case rtp::NackResponder::Decision::kSuppressed:
        ++counters.nack_suppressed;
        ++link_counters.nack_suppressed;
        break;
      case rtp::NackResponder::Decision::kNotInCache:
        ++link_counters.nack_not_in_cache;
        if (stream->nacks().IsMissing(seq)) {
          ++counters.nack_already_requested;
        } else {
          ++counters.nack_not_in_cache;
        }
        break;
    }
  }
}

void LinkSubscriber::OnReceiverReport(const rtcp::RtcpPacket& packet) {
  // Our sender reports come back as LSR/DLSR: the link's RTT paces resends to this child.
  auto rr = rtcp::ReceiverReport::Parse(packet);
  if (!rr.ok()) return;
  const uint32_t arrival =
      rtcp::NtpTime::Mid32(rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs())));
  for (size_t i = 0; i < rr->report_count(); ++i) {
    const auto block = rr->report(i);
    if (!upstream_.FindMeshStream(block.ssrc)) continue;
    if (auto rtt = rtcp::NtpTime::RttMicros(arrival, block.last_sr, block.delay_since_sr)) {
      link_.set_report_rtt_us(static_cast<uint64_t>(std::clamp<int64_t>(*rtt, 1, 2'000'000)));
    }
  }
}

void LinkSubscriber::OnTick(uint64_t now_us) {
  if (!link_.connected() || upstream_.streams().empty()) return;
  if (!paused_.empty()) {
    // The child does not measure what it paused: tell it what the streams do here.
    StreamStates states{room_, {}};
    for (const auto& stream : upstream_.streams()) {
      states.streams.push_back(StreamState{stream->mesh_ssrc(), stream->bitrate_bps(), stream->height(),
                                           stream->temporal_layers(), stream->live(now_us)});
    }
    link_.Send(states);
  }
  const uint64_t ntp = rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs()));
  link_.sink().SendRtcp([&](base::ByteWriter& writer) {
    for (const auto& stream : upstream_.streams()) {
      if (!stream->received_any()) continue;
      if (!rtcp::SenderReport::Build(stream->MakeSenderReport(ntp, now_us), writer).ok()) break;
    }
  });
}

}  // namespace cascade::media
