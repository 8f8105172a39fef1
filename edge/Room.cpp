#include "edge/Room.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/base/Bytes.hpp"
#include "core/base/Clock.hpp"
#include "core/codecs/PayloadInspector.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/NtpTime.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/ReceiverReport.hpp"
#include "core/rtcp/Remb.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/srtp/SrtpSession.hpp"

namespace cascade::edge {
namespace {

// The SSRC our own feedback carries: RFC 3550 wants a sender SSRC even for pure receivers.
constexpr uint32_t kFeedbackSsrc = 1;
// A layer that sent nothing for this long is gone (the publisher's encoder paused it).
constexpr uint64_t kLayerTimeoutUs = 1'500'000;

}  // namespace

void Room::SetPublisher(EdgeSession* session) {
  publisher_ = session;
  sources_.clear();
  for (auto* viewer : viewers_) {
    MapExtensions(*viewer);
    viewer->video().source_ssrc = 0;
    viewer->video().pending_source_ssrc = 0;
    viewer->audio().source_ssrc = 0;
  }
}

void Room::AddViewer(EdgeSession* session, uint64_t now_us) {
  viewers_.push_back(session);
  MapExtensions(*session);
  (void)now_us;
}

void Room::OnViewerConnected(EdgeSession* session, uint64_t now_us) {
  uint32_t best = BestVideoSource(now_us);
  if (best == 0) return;
  session->video().pending_source_ssrc = best;
  if (Source* source = FindSource(best)) RequestKeyframe(*source, now_us);
}

void Room::Remove(EdgeSession* session) {
  if (publisher_ == session) {
    publisher_ = nullptr;
    sources_.clear();
  }
  std::erase(viewers_, session);
}

void Room::MapExtensions(EdgeSession& viewer) {
  auto& map = viewer.extension_map();
  map.fill(0);
  if (!publisher_) return;
  const auto& from = publisher_->negotiated();
  const auto& to = viewer.negotiated();
  for (size_t id = 1; id < from.extension_by_id.size(); ++id) {
    auto uri = from.extension_by_id[id];
    // Only what the viewer negotiated survives; mid/rid describe the publisher's stream and go.
    if (uri == rtp::ExtensionUri::kUnknown || uri == rtp::ExtensionUri::kMid ||
        uri == rtp::ExtensionUri::kRid || uri == rtp::ExtensionUri::kRepairedRid) {
      continue;
    }
    map[id] = to.id_by_extension[static_cast<size_t>(uri)];
  }
}

Room::Source* Room::FindSource(uint32_t ssrc) {
  for (auto& source : sources_) {
    if (source.ssrc == ssrc) return &source;
  }
  return nullptr;
}

Room::Source* Room::LearnSource(const rtp::RtpPacket& packet) {
  const auto& pt = publisher_->negotiated().payload_types[packet.payload_type()];
  // Padding-only probes and payload types we did not negotiate (e.g. RTX) start nothing.
  if (!pt.valid || sources_.size() >= 16) return nullptr;
  Source source(options_);  // allocates its packet cache: once per publisher stream
  source.ssrc = packet.ssrc();
  source.kind = pt.kind;
  source.codec = pt.codec;
  source.clock_rate = pt.clock_rate;
  sources_.push_back(std::move(source));
  return &sources_.back();
}

uint32_t Room::BestVideoSource(uint64_t now_us) const {
  const Source* best = nullptr;
  for (const auto& source : sources_) {
    if (source.kind != TrackKind::kVideo || now_us - source.last_packet_us > kLayerTimeoutUs) continue;
    if (!best || source.bitrate_bps > best->bitrate_bps) best = &source;
  }
  return best ? best->ssrc : 0;
}

void Room::RequestKeyframe(Source& source, uint64_t now_us) {
  // Coalesced: however many viewers ask, the publisher hears at most one per interval; a
  // request during the interval goes out when it ends (polled on packets and ticks).
  source.keyframes.OnRequest(now_us);
  SendKeyframeRequestIfDue(source, now_us);
}

void Room::SendKeyframeRequestIfDue(Source& source, uint64_t now_us) {
  if (!publisher_ || !publisher_->has_transport() || !source.keyframes.Due(now_us)) return;
  auto& transport = publisher_->transport();
  auto out = transport.BeginSend();
  if (out.size() < 64 + srtp::SrtpSession::kMaxRtcpOverhead) return;
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  if (!rtcp::Pli::Build(kFeedbackSsrc, source.ssrc, writer).ok()) return;
  if (transport.CommitRtcp(writer.size())) {
    source.keyframes.OnSent(now_us);
    ++counters_.keyframe_requests_sent;
  }
}

void Room::SendPublisherNacks(Source& source, uint64_t now_us) {
  if (!publisher_ || !publisher_->has_transport() ||
      publisher_->transport().state() != transport::TransportState::kConnected) {
    return;
  }
  std::array<uint16_t, 64> seqs{};  // one NACK of at most 64 entries; the rest stays due
  const size_t count = source.nacks.Collect(now_us, options_.publisher_rtt_us, seqs);
  counters_.nack_given_up += source.nacks.counters().given_up - source.nacks_given_up_counted;
  source.nacks_given_up_counted = source.nacks.counters().given_up;
  if (count == 0) return;
  auto& transport = publisher_->transport();
  auto out = transport.BeginSend();
  if (out.size() < 512) return;  // these numbers are asked for again at the next retry
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  if (!rtcp::Nack::Build(kFeedbackSsrc, source.ssrc, std::span<const uint16_t>(seqs.data(), count), writer)
           .ok())
    return;
  if (transport.CommitRtcp(writer.size())) {
    ++counters_.nacks_sent;
    counters_.nack_seqs_requested += count;
  }
}

void Room::OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us) {
  if (!publisher_) return;
  Source* source = FindSource(packet.ssrc());
  if (!source) source = LearnSource(packet);
  if (!source) return;
  source->bytes_in_period += packet.size();
  source->last_packet_us = now_us;
  source->stats.OnPacket(packet.sequence_number());
  // Per-hop loss repair: keep the packet as received for viewers' NACKs, and NACK the
  // publisher for what this link lost (at most once per retry interval per packet).
  source->cache.Insert(packet.sequence_number(), packet.data(), now_us);
  if (source->nacks.OnPacket(packet.sequence_number(), now_us)) ++counters_.nack_recovered;
  if (source->nacks.Due(now_us)) SendPublisherNacks(*source, now_us);
  SendKeyframeRequestIfDue(*source, now_us);
  if (packet.payload_size() == 0) {
    // Padding-only bandwidth probes are not forwarded; close the gap they leave so that
    // viewers do not see (and NACK) a loss that never happened.
    for (auto* viewer : viewers_) {
      ViewerTrack& track = viewer->track(source->kind);
      if (track.source_ssrc == source->ssrc) track.rewriter.Skip(packet);
    }
    return;
  }

  bool keyframe_start = false;
  if (source->kind == TrackKind::kVideo) {
    auto info = codecs::InspectPayload(source->codec, packet.payload());
    keyframe_start = info.ok() && info->is_keyframe && info->begins_frame;
  }
  for (auto* viewer : viewers_) {
    if (!viewer->has_transport() || viewer->transport().state() != transport::TransportState::kConnected)
      continue;
    ViewerTrack& track = viewer->track(source->kind);
    if (source->kind == TrackKind::kVideo) {
      if (track.pending_source_ssrc == source->ssrc && keyframe_start) {
        track.source_ssrc = source->ssrc;  // the rewriter starts a new segment on the new SSRC
        track.pending_source_ssrc = 0;
      }
      if (track.source_ssrc != source->ssrc) continue;
    } else if (track.source_ssrc != source->ssrc) {
      track.source_ssrc = source->ssrc;
    }
    uint8_t payload_type = viewer->negotiated().PayloadTypeFor(source->codec);
    if (payload_type == 0xff) {
      ++counters_.packets_not_forwarded;
      continue;
    }
    ForwardTo(*viewer, track, packet, payload_type, now_us);
  }
}

void Room::ForwardTo(EdgeSession& viewer, ViewerTrack& track, const rtp::RtpPacket& packet,
                     uint8_t payload_type, uint64_t now_us) {
  auto& transport = viewer.transport();
  auto out = transport.BeginSend();
  size_t length = packet.size();
  if (out.size() < length + srtp::SrtpSession::kMaxRtpOverhead) {
    ++counters_.packets_not_forwarded;
    return;
  }
  std::memcpy(out.data(), packet.data().data(), length);
  auto copy = rtp::RtpPacket::Parse(out.first(length));
  if (!copy.ok()) return;
  copy->SetPayloadType(payload_type);
  copy->RemapExtensionIds(viewer.extension_map());
  if (!track.rewriter.Rewrite(*copy, now_us)) {
    ++counters_.packets_not_forwarded;
    return;
  }
  if (!transport.CommitRtp(length)) {
    ++counters_.packets_not_forwarded;
    return;
  }
  ++track.packets_sent;
  track.octets_sent += static_cast<uint32_t>(copy->payload_size());
  track.last_sent_us = now_us;
  if (viewer.first_media_sent_us == 0) viewer.first_media_sent_us = now_us;
  ++counters_.packets_forwarded;
  counters_.bytes_forwarded += length;
}

void Room::ResendTo(EdgeSession& viewer, ViewerTrack& track, std::span<const uint8_t> cached,
                    uint8_t payload_type, uint64_t now_us) {
  // Same per-viewer rewrite as ForwardTo, but the packet keeps the output number it was
  // first sent with and the rewriter's state does not move.
  auto& transport = viewer.transport();
  auto out = transport.BeginSend();
  const size_t length = cached.size();
  if (out.size() < length + srtp::SrtpSession::kMaxRtpOverhead) return;
  std::memcpy(out.data(), cached.data(), length);
  auto copy = rtp::RtpPacket::Parse(out.first(length));
  if (!copy.ok()) return;
  copy->SetPayloadType(payload_type);
  copy->RemapExtensionIds(viewer.extension_map());
  if (!track.rewriter.RewriteRetransmission(*copy)) return;
  if (!transport.CommitRtp(length)) return;
  ++counters_.nack_packets_resent;
  counters_.bytes_forwarded += length;
  (void)now_us;
}

void Room::OnViewerNack(EdgeSession& viewer, const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto nack = rtcp::Nack::Parse(packet);
  if (!nack.ok()) return;
  ++counters_.nacks_received;
  ViewerTrack* track = nullptr;
  if (nack->media_ssrc() == viewer.video().ssrc) track = &viewer.video();
  if (nack->media_ssrc() == viewer.audio().ssrc) track = &viewer.audio();
  if (!track || !viewer.has_transport()) return;
  Source* source = FindSource(track->rewriter.source_ssrc());
  const uint8_t payload_type = source ? viewer.negotiated().PayloadTypeFor(source->codec) : 0xff;
  track->nack_responder.OnNackReceived();
  auto seqs = nack->seqs();
  uint16_t out_seq = 0;
  // A NACK names at most 17 numbers per 4-byte entry; bound the work one packet can cause.
  for (size_t budget = 256; budget > 0 && seqs.Next(out_seq); --budget) {
    std::optional<uint16_t> source_seq;
    if (source && payload_type != 0xff) source_seq = track->rewriter.SourceSequenceFor(out_seq);
    std::span<const uint8_t> cached;
    if (source_seq) cached = source->cache.Find(*source_seq, now_us);
    switch (track->nack_responder.Decide(out_seq, !cached.empty(), track->rtt_us, now_us)) {
      case rtp::NackResponder::Decision::kResend:
        ResendTo(viewer, *track, cached, payload_type, now_us);
        break;
      case rtp::NackResponder::Decision::kSuppressed: ++counters_.nack_suppressed; break;
      case rtp::NackResponder::Decision::kNotInCache:
        // Lost on the publisher link too: the edge's own NACK already asks for it, and the
        // viewer's retry will find it once it arrives.
        if (source_seq && source->nacks.IsMissing(*source_seq)) {
          ++counters_.nack_already_requested;
        } else {
          ++counters_.nack_not_in_cache;
        }
        break;
    }
  }
}

void Room::OnViewerReceiverReport(EdgeSession& viewer, const rtcp::RtcpPacket& packet) {
  // RFC 3550 §6.4.1: our sender reports come back as LSR/DLSR, giving the viewer's RTT,
  // which paces how often one packet is resent to it.
  auto rr = rtcp::ReceiverReport::Parse(packet);
  if (!rr.ok()) return;
  const uint32_t arrival =
      rtcp::NtpTime::Mid32(rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs())));
  for (size_t i = 0; i < rr->report_count(); ++i) {
    const auto block = rr->report(i);
    ViewerTrack* track = block.ssrc == viewer.video().ssrc   ? &viewer.video()
                         : block.ssrc == viewer.audio().ssrc ? &viewer.audio()
                                                             : nullptr;
    if (!track) continue;
    if (auto rtt = rtcp::NtpTime::RttMicros(arrival, block.last_sr, block.delay_since_sr)) {
      track->rtt_us = static_cast<uint64_t>(std::min<int64_t>(*rtt, 2'000'000));
    }
  }
}

void Room::OnPublisherRtcp(std::span<const uint8_t>) {
  // Nothing in the publisher's RTCP is used yet: viewers get sender reports of their own
  // (SendSenderReports), so walking the compound here would be work for nothing.
}

void Room::OnViewerRtcp(EdgeSession* viewer, std::span<const uint8_t> compound, uint64_t now_us) {
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  bool wants_keyframe = false;
  while (reader.Next(packet)) {
    auto kind = packet.Kind();
    if (kind == rtcp::PacketKind::kPli || kind == rtcp::PacketKind::kFir) wants_keyframe = true;
    if (kind == rtcp::PacketKind::kNack) OnViewerNack(*viewer, packet, now_us);
    if (kind == rtcp::PacketKind::kReceiverReport) OnViewerReceiverReport(*viewer, packet);
  }
  if (!wants_keyframe) return;
  ++counters_.keyframe_requests_received;
  auto& video = viewer->video();
  uint32_t ssrc = video.pending_source_ssrc ? video.pending_source_ssrc : video.source_ssrc;
  if (Source* source = FindSource(ssrc)) RequestKeyframe(*source, now_us);
}

void Room::OnChatMessage(EdgeSession* from, std::span<const uint8_t> message) {
  ++counters_.chat_messages;
  auto send = [&](EdgeSession* to) {
    if (to == from || !to->chat_stream || !to->has_transport()) return;
    to->transport().SendDataChannelMessage(*to->chat_stream, sctp::DataChannelMessageType::kText, message);
  };
  if (publisher_) send(publisher_);
  for (auto* viewer : viewers_) send(viewer);
}

void Room::OnTick(uint64_t now_us) {
  uint64_t elapsed_us = last_tick_us_ ? now_us - last_tick_us_ : 0;
  last_tick_us_ = now_us;
  if (elapsed_us > 0) {
    for (auto& source : sources_) {
      source.bitrate_bps = source.bytes_in_period * 8 * 1'000'000 / elapsed_us;
      source.bytes_in_period = 0;
    }
  }
  // Each viewer gets the publisher's best live layer; a change waits for that layer's keyframe.
  uint32_t best = BestVideoSource(now_us);
  for (auto* viewer : viewers_) {
    auto& video = viewer->video();
    if (!viewer->has_transport() || viewer->transport().state() != transport::TransportState::kConnected)
      continue;
    if (best != 0 && video.source_ssrc != best) video.pending_source_ssrc = best;
    // Keep asking while anyone waits: a keyframe that came before a viewer started waiting
    // does not help it, and the publisher sends none unasked. RequestKeyframe coalesces.
    if (video.pending_source_ssrc != 0) {
      if (Source* source = FindSource(video.pending_source_ssrc)) RequestKeyframe(*source, now_us);
    }
  }
  for (auto& source : sources_) {
    SendKeyframeRequestIfDue(source, now_us);  // a pending request when the publisher went quiet
    if (source.nacks.Due(now_us)) SendPublisherNacks(source, now_us);
  }
  if (publisher_ && publisher_->has_transport() &&
      publisher_->transport().state() == transport::TransportState::kConnected) {
    SendPublisherFeedback();
  }
  SendSenderReports(now_us);
}

void Room::SendPublisherFeedback() {
  // Receiver reports let the publisher's loss-based estimator ramp up; REMB caps it.
  auto& transport = publisher_->transport();
  auto out = transport.BeginSend();
  if (out.size() < 512) return;
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  std::array<rtcp::ReportBlock, 16> blocks{};
  std::array<uint32_t, 16> video_ssrcs{};
  size_t block_count = 0;
  size_t video_count = 0;
  for (auto& source : sources_) {
    if (!source.stats.started()) continue;
    auto report = source.stats.MakeReport();
    auto& block = blocks[block_count++];
    block.ssrc = source.ssrc;
    block.fraction_lost = report.fraction_lost;
    block.cumulative_lost = report.cumulative_lost;
    block.extended_highest_seq = report.extended_highest_seq;
    if (source.kind == TrackKind::kVideo) video_ssrcs[video_count++] = source.ssrc;
  }
  rtcp::ReceiverReport::Fields rr;
  rr.sender_ssrc = kFeedbackSsrc;
  rr.reports = std::span<const rtcp::ReportBlock>(blocks.data(), block_count);
  if (!rtcp::ReceiverReport::Build(rr, writer).ok()) return;
  if (video_count > 0) {
    rtcp::Remb::Build(kFeedbackSsrc, options_.publisher_bitrate_cap_bps,
                      std::span<const uint32_t>(video_ssrcs.data(), video_count), writer);
  }
  if (writer.ok()) transport.CommitRtcp(writer.size());
}

void Room::SendSenderReports(uint64_t now_us) {
  uint64_t ntp = rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs()));
  for (auto* viewer : viewers_) {
    if (!viewer->has_transport() || viewer->transport().state() != transport::TransportState::kConnected)
      continue;
    for (ViewerTrack* track : {&viewer->audio(), &viewer->video()}) {
      if (track->packets_sent == 0) continue;
      auto& transport = viewer->transport();
      auto out = transport.BeginSend();
      if (out.size() < 128) return;
      base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
      rtcp::SenderReport::Fields sr;
      sr.sender_ssrc = track->ssrc;
      sr.ntp_timestamp = ntp;
      // The RTP time of "now" on this viewer's stream, extrapolated from the last packet sent.
      sr.rtp_timestamp =
          track->rewriter.last_timestamp() +
          static_cast<uint32_t>((now_us - track->last_sent_us) * track->clock_rate / 1'000'000);
      sr.packet_count = track->packets_sent;
      sr.octet_count = track->octets_sent;
      if (rtcp::SenderReport::Build(sr, writer).ok()) transport.CommitRtcp(writer.size());
    }
  }
}

}  // namespace cascade::edge
