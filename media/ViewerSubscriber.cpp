#include "media/ViewerSubscriber.hpp"

#include <algorithm>
#include <optional>

#include "core/base/Clock.hpp"
#include "core/codecs/PayloadInspector.hpp"
#include "core/codecs/Vp8.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/NtpTime.hpp"
#include "core/rtcp/ReceiverReport.hpp"
#include "core/rtcp/Remb.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/rtcp/TransportCc.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "core/rtp/Rtx.hpp"
#include "core/transport/PacketPath.hpp"

namespace cascade::media {
namespace {

// Padding per probe packet (RFC 3550 §5.1: the count is one byte).
constexpr uint8_t kProbePaddingBytes = 240;
// A viewer started from a cached keyframe older than this still asks upstream for a new
// one: the next viewers then find a young keyframe with a short backlog behind it.
constexpr uint64_t kReplayedKeyframeRefreshUs = 250'000;

// Viewers start where a typical first layer fits and probe up from there quickly: the first
// seconds of a join decide what a viewer thinks of the picture.
bwe::SendSideBandwidthEstimator::Options ViewerEstimatorOptions() {
  bwe::SendSideBandwidthEstimator::Options options;
  options.start_bps = 500'000;
  options.probing.max_probe_factor = 3.0;
  options.history.capacity = 512;  // > 2 s of packets at 2 Mbit/s; ~15 KiB per viewer
  // A probe that failed behind a cap must not keep the viewer waiting long once the cap is
  // gone: probes are a few KB, so retry within 2 s (the controller's default backs off to 5 s).
  options.probing.max_interval_us = 2'000'000;
  return options;
}

// Up-switches are proven by a probe first, so the selector need not also wait long.
LayerSelector::Config ViewerLayerConfig() {
  LayerSelector::Config config;
  config.up_hold_us = 1'500'000;
  return config;
}

}  // namespace

ViewerSubscriber::ViewerSubscriber(ClientSession& session, PacketSink& sink, Upstream& upstream)
    : session_(session),
      sink_(sink),
      upstream_(upstream),
      counters_(upstream.counters()),
      audio_(session.audio_ssrc(), 48000),
      video_(session.video_ssrc(), 90000),
      bwe_(ViewerEstimatorOptions()),
      selector_(ViewerLayerConfig()),
      transport_cc_id_(session.negotiated().transport_cc ? session.negotiated().TransportCcExtensionId() : 0),
      rtx_ssrc_(session.negotiated().video_rtx_ssrc) {
  MapExtensions();
}

ViewerTrack* ViewerSubscriber::TrackBySsrc(uint32_t ssrc) {
  if (ssrc == video_.ssrc) return &video_;
  if (ssrc == audio_.ssrc) return &audio_;
  return nullptr;
}

void ViewerSubscriber::MapExtensions() {
  extension_map_.fill(0);
  const auto& upstream = upstream_.upstream_extensions();
  const auto& to = session_.negotiated();
  for (size_t id = 1; id < upstream.size(); ++id) {
    auto uri = upstream[id];
    // Only what the viewer negotiated survives; mid/rid describe the publisher's stream and go.
    if (uri == rtp::ExtensionUri::kUnknown || uri == rtp::ExtensionUri::kMid ||
        uri == rtp::ExtensionUri::kRid || uri == rtp::ExtensionUri::kRepairedRid) {
      continue;
    }
    extension_map_[id] = to.id_by_extension[static_cast<size_t>(uri)];
  }
}

void ViewerSubscriber::OnUpstreamChanged() {
  for (ViewerTrack* t : {&audio_, &video_}) {
    t->source_ssrc = 0;
    t->pending_source_ssrc = 0;
  }
}

void ViewerSubscriber::OnStreamRemoved(UpstreamStream& stream) {
  for (ViewerTrack* t : {&audio_, &video_}) {
    if (t->source_ssrc == stream.ssrc()) t->source_ssrc = 0;
    if (t->pending_source_ssrc == stream.ssrc()) t->pending_source_ssrc = 0;
  }
}

uint32_t ViewerSubscriber::ChooseVideoSource(uint64_t now_us) const {
  // Before the selector has run: the best live layer (the estimate decides from the next tick).
  const UpstreamStream* best = nullptr;
  for (const auto& stream : upstream_.streams()) {
    if (stream->kind() != TrackKind::kVideo || !stream->live(now_us)) continue;
    if (!best || stream->bitrate_bps() > best->bitrate_bps()) best = stream.get();
  }
  return best ? best->ssrc() : 0;
}

void ViewerSubscriber::ChooseLayer(uint64_t now_us) {
  // The publisher's layers, lowest first: by keyframe height, then by bitrate.
  std::array<SpatialLayer, kMaxSpatialLayers> layers{};
  size_t count = 0;
  for (const auto& stream : upstream_.streams()) {
    if (stream->kind() != TrackKind::kVideo || count == layers.size()) continue;
    layers[count++] = SpatialLayer{stream->ssrc(),
                                   stream->layer(),
                                   stream->bitrate_bps(),
                                   stream->live(now_us),
                                   stream->height(),
                                   stream->temporal_layers(),
                                   {}};
  }
  auto lower = [](const SpatialLayer& a, const SpatialLayer& b) {
    if (a.height != b.height && a.height != 0 && b.height != 0) return a.height < b.height;
    return a.bitrate_bps < b.bitrate_bps;
  };
  for (size_t i = 1; i < count; ++i) {  // at most 8: an insertion sort
    for (size_t j = i; j > 0 && lower(layers[j], layers[j - 1]); --j) std::swap(layers[j], layers[j - 1]);
  }
  const uint64_t estimate = estimate_seen_ ? bwe_.target_bps() : 0;
  const LayerTarget& target = selector_.Update(static_cast<int64_t>(now_us), estimate,
                                               std::span<const SpatialLayer>(layers.data(), count));
  temporal_filter_.SetTarget(target.temporal);
  if (target.changed)
    ++counters_.layer_switches[static_cast<size_t>(target.reason) % counters_.layer_switches.size()];
  if (target.spatial_id != 0 && video_.source_ssrc != target.spatial_id) {
    // With a picture the switch waits for the new layer's keyframe (a cached one would show
    // the viewer a moment it has already seen); without one, a cached keyframe is all gain.
    UpstreamStream* stream = upstream_.FindStream(target.spatial_id);
    if (video_.source_ssrc == 0 && video_.pending_source_ssrc != target.spatial_id && stream) {
      StartVideo(*stream, now_us);
    } else {
      video_.pending_source_ssrc = target.spatial_id;
    }
  } else if (target.spatial_id == video_.source_ssrc) {
    video_.pending_source_ssrc = 0;
  }
  if (target.wants_probe_bps != 0 && rtx_ssrc_ != 0 && transport_cc_id_ != 0 && !probe_) {
    if (auto cluster = bwe_.RequestProbe(target.wants_probe_bps, now_us)) {
      probe_ = ActiveProbe{*cluster, now_us, 0, 0};
      ++probes_sent_;
      ++counters_.probes_sent;
      ContinueProbe(now_us);
    }
  }
}

void ViewerSubscriber::OnConnected(uint64_t now_us) {
  const uint32_t chosen = ChooseVideoSource(now_us);
  if (chosen == 0) return;
  if (UpstreamStream* stream = upstream_.FindStream(chosen)) StartVideo(*stream, now_us);
}

void ViewerSubscriber::StartVideo(UpstreamStream& stream, uint64_t now_us) {
  const auto keyframe = stream.ReplayableKeyframe(now_us);
  const bool replay =
      keyframe && sink_.ready() && session_.negotiated().PayloadTypeFor(stream.codec()) != kNoPayloadType;
  if (!replay || now_us - keyframe->arrival_us > kReplayedKeyframeRefreshUs) {
    upstream_.RequestKeyframe(stream, now_us);
  }
  if (!replay) {
    video_.pending_source_ssrc = stream.ssrc();
    ++counters_.video_starts_waiting_for_keyframe;
    return;
  }
  ++counters_.video_starts_from_cache;
  started_from_cache_ = true;
  ReplayFromCache(stream, *keyframe, now_us);
}

void ViewerSubscriber::ReplayFromCache(UpstreamStream& stream, const UpstreamStream::CachedKeyframe& keyframe,
                                       uint64_t now_us) {
  video_.source_ssrc = stream.ssrc();
  video_.pending_source_ssrc = 0;
  // One new segment from the keyframe on: the cached packets keep their relative RTP times
  // (mapped by when they arrived), and the live packets after them continue the segment.
  video_.rewriter.RequestSwitch();
  new_segment_ = true;
  static thread_local std::array<uint8_t, transport::PacketPath::kMaxPacket> scratch;
  uint16_t seq = keyframe.first_seq;
  for (size_t i = 0; i < keyframe.packets(); ++i, ++seq) {
    const auto stored = stream.cache().FindAnyAge(seq);
    if (stored.bytes.empty() || stored.bytes.size() > scratch.size()) return;
    std::copy(stored.bytes.begin(), stored.bytes.end(), scratch.begin());
    auto packet = rtp::RtpPacket::Parse(std::span(scratch.data(), stored.bytes.size()));
    if (!packet.ok()) return;
    Deliver(stream, *packet, stream.Inspect(*packet), now_us, stored.arrival_us);
  }
}

void ViewerSubscriber::OnPacket(UpstreamStream& stream, const rtp::RtpPacket& packet,
                                const StreamArrival& arrival, uint64_t now_us) {
  Deliver(stream, packet, arrival, now_us, now_us);
}

void ViewerSubscriber::Deliver(UpstreamStream& stream, const rtp::RtpPacket& packet,
                               const StreamArrival& arrival, uint64_t now_us, uint64_t arrival_us) {
  if (!sink_.ready()) return;
  ViewerTrack& t = track(stream.kind());
  if (arrival.padding_only) {
    // Padding-only bandwidth probes are not forwarded; close the gap they leave so that the
    // viewer does not see (and NACK) a loss that never happened. A probe repaired late
    // already has its number among what the viewer got: it fills that hole.
    if (t.source_ssrc != stream.ssrc() || t.rewriter.Skip(packet)) return;
  } else if (stream.kind() == TrackKind::kVideo) {
    if (t.pending_source_ssrc == stream.ssrc() && arrival.keyframe_start) {
      t.source_ssrc = stream.ssrc();  // the rewriter starts a new segment on the new SSRC
      t.pending_source_ssrc = 0;
      new_segment_ = true;
    }
    if (t.source_ssrc != stream.ssrc()) return;
    const auto& info = arrival.info;
    if (!temporal_filter_.Accept(TemporalLayerFilter::PacketOf(info))) {
      if (info.picture_id) pictures_.Drop(*info.picture_id, info.picture_id_15bit);
      // A late packet (later ones were numbered around it) is a hole the viewer waits for.
      if (t.rewriter.Skip(packet)) {
        ++counters_.packets_dropped_for_layer;
        return;
      }
    }
  } else if (t.source_ssrc != stream.ssrc()) {
    t.source_ssrc = stream.ssrc();
  }
  const uint8_t payload_type = session_.negotiated().PayloadTypeFor(stream.codec());
  if (payload_type == 0xff) {
    ++counters_.packets_not_forwarded;
    return;
  }
  Forward(t, packet, arrival, payload_type, now_us, arrival_us);
}

void ViewerSubscriber::Stamp(rtp::RtpPacket& packet, uint64_t now_us, bool probe) {
  if (transport_cc_id_ == 0) return;
  auto slot = packet.FindMutableExtension(transport_cc_id_);
  if (slot.empty() || !rtp::WriteTransportSequenceNumber(slot, ++transport_seq_)) return;
  ++packets_stamped_;
  bwe_.OnPacketSent(transport_seq_, packet.size(), now_us, probe);
}

void ViewerSubscriber::RewritePictureId(rtp::RtpPacket& packet, const codecs::PayloadInfo& info,
                                        bool new_source) {
  if (!info.picture_id || packet.payload_size() == 0) return;
  const uint16_t id = pictures_.Forward(*info.picture_id, info.picture_id_15bit, new_source);
  codecs::WriteVp8PictureId(packet.mutable_payload(), id);
}

void ViewerSubscriber::RewriteResentPictureId(rtp::RtpPacket& packet, uint8_t payload_type) {
  // A retransmission must carry the picture id its original was sent with.
  const auto& pt = session_.negotiated().payload_types[payload_type & 0x7f];
  if (!pt.valid || pt.codec != codecs::CodecKind::kVp8 || packet.payload_size() == 0) return;
  auto info = codecs::InspectPayload(pt.codec, packet.payload());
  if (info.ok()) RewritePictureId(packet, *info, false);
}

void ViewerSubscriber::Forward(ViewerTrack& t, const rtp::RtpPacket& packet, const StreamArrival& arrival,
                               uint8_t payload_type, uint64_t now_us, uint64_t arrival_us) {
  auto copy = sink_.CopyRtp(packet);
  if (!copy) {
    ++counters_.packets_not_forwarded;
    return;
  }
  copy->SetPayloadType(payload_type);
  copy->RemapExtensionIds(extension_map_);
  if (&t == &video_ && arrival.info.picture_id && copy->payload_size() > 0) {
    // Picture ids stay continuous across dropped temporal layers and layer switches.
    const uint16_t id =
        pictures_.Forward(*arrival.info.picture_id, arrival.info.picture_id_15bit, new_segment_);
    codecs::WriteVp8PictureId(copy->mutable_payload(), id);
    new_segment_ = false;
  }
  Stamp(*copy, now_us, false);
  if (!t.rewriter.Rewrite(*copy, arrival_us) || !sink_.CommitRtp(copy->size())) {
    ++counters_.packets_not_forwarded;
    return;
  }
  ++t.packets_sent;
  t.octets_sent += static_cast<uint32_t>(copy->payload_size());
  t.last_sent_us = now_us;
  if (session_.first_media_sent_us == 0) session_.first_media_sent_us = now_us;
  ++counters_.packets_forwarded;
  counters_.bytes_forwarded += copy->size();
}

bool ViewerSubscriber::Resend(ViewerTrack& t, std::span<const uint8_t> cached, uint8_t payload_type,
                              uint64_t now_us, bool probe) {
  // Same per-viewer rewrite as Forward, but the packet keeps the output number it was first
  // sent with and the rewriter's state does not move.
  const uint8_t rtx_payload_type = &t == &video_ && rtx_ssrc_ != 0 && payload_type < 128
                                       ? session_.negotiated().payload_types[payload_type].rtx_payload_type
                                       : kNoPayloadType;
  if (rtx_payload_type == kNoPayloadType) {
    if (probe) return false;  // probes go only as RTX: a plain duplicate would count as media
    auto copy = sink_.CopyRtp(cached);
    if (!copy) return false;
    copy->SetPayloadType(payload_type);
    copy->RemapExtensionIds(extension_map_);
    if (!t.rewriter.RewriteRetransmission(*copy)) return false;
    if (&t == &video_) RewriteResentPictureId(*copy, payload_type);
    Stamp(*copy, now_us, false);
    if (!sink_.CommitRtp(copy->size())) return false;
    counters_.bytes_forwarded += copy->size();
    return true;
  }
  // RFC 4588: rewritten as the viewer knows the packet, then wrapped into the RTX stream.
  static thread_local std::array<uint8_t, transport::PacketPath::kMaxPacket> scratch;
  if (cached.empty() || cached.size() > scratch.size()) return false;
  std::copy(cached.begin(), cached.end(), scratch.begin());
  auto original = rtp::RtpPacket::Parse(std::span(scratch.data(), cached.size()));
  if (!original.ok()) return false;
  original->SetPayloadType(payload_type);
  original->RemapExtensionIds(extension_map_);
  if (!t.rewriter.RewriteRetransmission(*original)) return false;
  RewriteResentPictureId(*original, payload_type);
  auto slot = sink_.BeginRtp();
  auto length = rtp::WrapRtx(*original, rtx_ssrc_, rtx_payload_type, rtx_seq_, slot);
  if (!length.ok()) return false;
  auto rtx = rtp::RtpPacket::Parse(slot.first(*length));
  if (!rtx.ok()) return false;
  Stamp(*rtx, now_us, probe);
  if (!sink_.CommitRtp(*length)) return false;
  ++rtx_seq_;
  ++rtx_sent_;
  counters_.bytes_forwarded += *length;
  return true;
}

bool ViewerSubscriber::SendPadding(uint64_t now_us) {
  UpstreamStream* stream = upstream_.FindStream(video_.rewriter.source_ssrc());
  if (!stream) return false;
  const uint8_t payload_type = session_.negotiated().PayloadTypeFor(stream->codec());
  if (payload_type == kNoPayloadType) return false;
  const uint8_t rtx_payload_type = session_.negotiated().payload_types[payload_type].rtx_payload_type;
  if (rtx_payload_type == kNoPayloadType) return false;
  auto slot = sink_.BeginRtp();
  if (slot.empty()) return false;
  const std::array<uint8_t, 2> no_sequence_yet{};
  rtp::RtpPacketBuilder builder(slot);
  builder.SetPayloadType(rtx_payload_type)
      .SetSequenceNumber(rtx_seq_)
      .SetTimestamp(video_.rewriter.last_timestamp())
      .SetSsrc(rtx_ssrc_)
      .AddExtension(transport_cc_id_, no_sequence_yet)
      .SetPadding(kProbePaddingBytes);
  auto length = builder.Build();
  if (!length.ok()) return false;
  auto packet = rtp::RtpPacket::Parse(slot.first(*length));
  if (!packet.ok()) return false;
  Stamp(*packet, now_us, true);
  if (!sink_.CommitRtp(*length)) return false;
  ++rtx_seq_;
  ++probe_packets_;
  if (probe_) {
    probe_->bytes += *length;
    ++probe_->packets;
  }
  return true;
}

void ViewerSubscriber::ContinueProbe(uint64_t now_us) {
  if (!probe_) return;
  // Paced at the cluster's rate (the estimator compares the send and the receive rate of
  // its packets), one packet ahead so the cluster starts at once.
  const auto& spec = probe_->spec;
  const uint64_t elapsed_us = now_us - probe_->start_us;
  const size_t due = static_cast<size_t>(spec.bitrate_bps * elapsed_us / 8'000'000) + kProbePaddingBytes;
  for (int budget = 16; budget > 0 && probe_->bytes < due; --budget) {
    if (!SendPadding(now_us)) {
      probe_.reset();
      return;
    }
  }
  const bool enough = probe_->packets >= spec.min_packets && probe_->bytes >= spec.min_bytes &&
                      elapsed_us >= spec.min_duration_us;
  if (enough || elapsed_us > 10 * spec.min_duration_us) probe_.reset();
}

void ViewerSubscriber::OnRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  switch (packet.Kind()) {
    case rtcp::PacketKind::kNack: OnNack(packet, now_us); break;
    case rtcp::PacketKind::kReceiverReport: OnReceiverReport(packet, now_us); break;
    case rtcp::PacketKind::kPli:
    case rtcp::PacketKind::kFir: OnKeyframeRequest(now_us); break;
    case rtcp::PacketKind::kTransportCc: OnTransportFeedback(packet, now_us); break;
    case rtcp::PacketKind::kRemb:
      if (auto remb = rtcp::Remb::Parse(packet); remb.ok()) {
        bwe_.OnRemb(remb->bitrate_bps(), now_us);
        estimate_seen_ = true;
      }
      break;
    default: break;
  }
}

void ViewerSubscriber::OnKeyframeRequest(uint64_t now_us) {
  ++counters_.keyframe_requests_received;
  const uint32_t ssrc = video_.pending_source_ssrc ? video_.pending_source_ssrc : video_.source_ssrc;
  if (UpstreamStream* stream = upstream_.FindStream(ssrc)) upstream_.RequestKeyframe(*stream, now_us);
}

void ViewerSubscriber::OnTransportFeedback(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto feedback = rtcp::TransportCc::Parse(packet);
  if (!feedback.ok()) {
    ++feedback_not_parsed_;
    return;
  }
  bwe_.OnTransportFeedback(*feedback, now_us);
  estimate_seen_ = true;
}

void ViewerSubscriber::OnNack(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto nack = rtcp::Nack::Parse(packet);
  if (!nack.ok()) return;
  ++counters_.nacks_received;
  ViewerTrack* t = TrackBySsrc(nack->media_ssrc());
  if (!t) return;
  UpstreamStream* stream = upstream_.FindStream(t->rewriter.source_ssrc());
  const uint8_t payload_type = stream ? session_.negotiated().PayloadTypeFor(stream->codec()) : 0xff;
  t->nack_responder.OnNackReceived();
  auto seqs = nack->seqs();
  uint16_t out_seq = 0;
  // A NACK names at most 17 numbers per 4-byte entry; bound the work one packet can cause.
  for (size_t budget = 256; budget > 0 && seqs.Next(out_seq); --budget) {
    std::optional<uint16_t> source_seq;
    if (stream && payload_type != 0xff) source_seq = t->rewriter.SourceSequenceFor(out_seq);
    std::span<const uint8_t> cached;
    if (source_seq) cached = stream->cache().Find(*source_seq, now_us);
    switch (t->nack_responder.Decide(out_seq, !cached.empty(), rtt_us_, now_us)) {
      case rtp::NackResponder::Decision::kResend:
        if (Resend(*t, cached, payload_type, now_us, false)) ++counters_.nack_packets_resent;
        break;
      case rtp::NackResponder::Decision::kSuppressed: ++counters_.nack_suppressed; break;
      case rtp::NackResponder::Decision::kNotInCache:
        // Lost upstream too: this node's own NACK already asks for it, and the viewer's
        // retry will find it once it arrives.
        if (source_seq && stream->nacks().IsMissing(*source_seq)) {
          ++counters_.nack_already_requested;
        } else {
          ++counters_.nack_not_in_cache;
        }
        break;
    }
  }
}

void ViewerSubscriber::OnReceiverReport(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  // RFC 3550 §6.4.1: our sender reports come back as LSR/DLSR, giving the viewer's RTT,
  // which paces how often one packet is resent to it.
  auto rr = rtcp::ReceiverReport::Parse(packet);
  if (!rr.ok()) return;
  const uint32_t arrival =
      rtcp::NtpTime::Mid32(rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs())));
  for (size_t i = 0; i < rr->report_count(); ++i) {
    const auto block = rr->report(i);
    if (!TrackBySsrc(block.ssrc)) continue;
    if (block.ssrc == video_.ssrc) bwe_.OnReceiverReport(block.fraction_lost, now_us);
    if (auto rtt = rtcp::NtpTime::RttMicros(arrival, block.last_sr, block.delay_since_sr)) {
      rtt_us_ = static_cast<uint64_t>(std::clamp<int64_t>(*rtt, 1, 2'000'000));
      bwe_.OnRtt(rtt_us_);
    }
  }
}

void ViewerSubscriber::OnTick(uint64_t now_us) {
  if (!sink_.ready()) return;
  // A change waits for the chosen layer's keyframe.
  ChooseLayer(now_us);
  // Keep asking while the viewer waits: a keyframe that came before it started waiting does
  // not help it, and the publisher sends none unasked. RequestKeyframe coalesces.
  if (video_.pending_source_ssrc != 0) {
    if (UpstreamStream* stream = upstream_.FindStream(video_.pending_source_ssrc)) {
      upstream_.RequestKeyframe(*stream, now_us);
    }
  }
  SendSenderReports(now_us);
}

void ViewerSubscriber::SendSenderReports(uint64_t now_us) {
  const uint64_t ntp = rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs()));
  // One compound for both tracks: one encryption, one datagram.
  sink_.SendRtcp([&](base::ByteWriter& writer) {
    for (const ViewerTrack* t : {&audio_, &video_}) {
      if (t->packets_sent == 0) continue;
      rtcp::SenderReport::Fields sr;
      sr.sender_ssrc = t->ssrc;
      sr.ntp_timestamp = ntp;
      // The RTP time of "now" on this viewer's stream, extrapolated from the last packet sent.
      sr.rtp_timestamp = t->rewriter.last_timestamp() +
                         static_cast<uint32_t>((now_us - t->last_sent_us) * t->clock_rate / 1'000'000);
      sr.packet_count = t->packets_sent;
      sr.octet_count = t->octets_sent;
      if (!rtcp::SenderReport::Build(sr, writer).ok()) return;
    }
  });
}

nlohmann::json ViewerSubscriber::StatsJson(uint64_t now_us) const {
  const auto& state = bwe_.state();
  const LayerTarget& target = selector_.target();
  nlohmann::json estimate = {
      {"target_bps", estimate_seen_ ? state.target_bps : 0},
      {"source", !estimate_seen_                                             ? "none"
                 : state.remb_bps && bwe_.feedback_counters().feedbacks == 0 ? "remb"
                                                                             : "transport-cc"},
      {"reason", bwe::ToString(state.reason)},
      {"delay_state", bwe::ToString(state.delay_state)},
      {"loss_fraction", state.loss_fraction},
      {"acknowledged_bps", state.acknowledged_bps.value_or(0)},
      {"rtt_us", state.rtt_us},
      {"probes_sent", probes_sent_},
      {"probe_packets", probe_packets_},
      {"probes_succeeded", bwe_.probe_controller().probes_succeeded()},
      {"packets_stamped", packets_stamped_},
      {"feedbacks", bwe_.feedback_counters().feedbacks},
      {"feedback_received", bwe_.feedback_counters().received},
      {"feedback_lost", bwe_.feedback_counters().lost},
      {"feedback_unknown_seq", bwe_.feedback_counters().unknown_seq},
      {"feedback_not_parsed", feedback_not_parsed_},
      {"remb_received", bwe_.counters().remb_received},
  };
  nlohmann::json layer = {
      {"ssrc", video_.source_ssrc},
      {"pending_ssrc", video_.pending_source_ssrc},
      {"started_from_cache", started_from_cache_},
      {"target_ssrc", target.spatial_id},
      {"temporal", target.temporal == kAllTemporalLayers ? -1 : static_cast<int>(target.temporal)},
      {"reason", ToString(target.reason)},
      {"switches", selector_.switches()},
      {"preference_max_spatial", static_cast<int>(selector_.preference().max_spatial)},
  };
  for (const auto& stream : upstream_.streams()) {
    if (stream->ssrc() != video_.source_ssrc) continue;
    layer["rid"] = stream->layer();
    layer["height"] = stream->height();
    layer["bitrate_bps"] = stream->bitrate_bps();
    layer["live"] = stream->live(now_us);
  }
  auto track_json = [](const ViewerTrack& t) {
    return nlohmann::json{{"ssrc", t.ssrc}, {"packets_sent", t.packets_sent}, {"octets_sent", t.octets_sent}};
  };
  return {{"estimate", estimate},
          {"layer", layer},
          {"video", track_json(video_)},
          {"audio", track_json(audio_)},
          {"rtt_us", rtt_us_},
          {"rtx_sent", rtx_sent_},
          {"transport_cc", transport_cc_id_ != 0},
          {"rtx", rtx_ssrc_ != 0},
          {"packets_dropped_for_layer", temporal_filter_.dropped()}};
}

}  // namespace cascade::media
