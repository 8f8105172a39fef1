#include "media/UpstreamStream.hpp"

#include <algorithm>

#include "core/codecs/PayloadInspector.hpp"
#include "core/rtcp/NtpTime.hpp"
#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::media {

UpstreamStream::UpstreamStream(const StreamOptions& options, uint32_t ssrc, uint32_t mesh_ssrc)
    : ssrc_(ssrc),
      mesh_ssrc_(mesh_ssrc),
      keyframe_replay_max_age_us_(options.keyframe_replay_max_age_us),
      keyframe_replay_max_packets_(
          std::min(options.keyframe_replay_max_packets, options.packet_cache.capacity)),
      cache_(options.packet_cache),
      nacks_(options.nack_generator),
      keyframes_(options.keyframe_request_interval_us) {}

void UpstreamStream::Describe(TrackKind kind, codecs::CodecKind codec, uint32_t clock_rate,
                              std::string layer) {
  kind_ = kind;
  codec_ = codec;
  clock_rate_ = clock_rate;
  layer_ = std::move(layer);
}

StreamArrival UpstreamStream::OnPacket(const rtp::RtpPacket& packet, uint64_t now_us) {
  bytes_in_period_ += packet.size();
  last_packet_us_ = now_us;
  last_rtp_timestamp_ = packet.timestamp();
  ++packets_received_;
  octets_received_ += static_cast<uint32_t>(packet.payload_size());
  stats_.OnPacket(packet.sequence_number());
  const uint16_t seq = packet.sequence_number();
  // Newer, or so far from the newest that the upstream restarted its numbering.
  if (packets_received_ == 1 || rtp::IsNewerSeq(seq, newest_seq_) ||
      static_cast<uint16_t>(newest_seq_ - seq) >= cache_.options().capacity) {
    newest_seq_ = seq;
  }
  cache_.Insert(seq, packet.data(), now_us);
  StreamArrival arrival = Inspect(packet);
  arrival.recovered = nacks_.OnPacket(packet.sequence_number(), now_us);
  if (kind_ == TrackKind::kVideo && !arrival.padding_only) {
    const auto& info = arrival.info;
    if (info.height != 0) height_ = info.height;
    temporal_layers_ = std::max<uint8_t>(temporal_layers_, static_cast<uint8_t>(info.temporal_layer + 1));
    if (arrival.keyframe_start) {
      if (!keyframe_seen_ || !rtp::IsNewerSeq(keyframe_seq_, seq)) {  // not a late older one
        keyframe_seen_ = true;
        keyframe_seq_ = seq;
        keyframe_arrival_us_ = now_us;
      }
      keyframes_.OnKeyframe();
      keyframe_wanted = false;
    }
  }
  return arrival;
}

StreamArrival UpstreamStream::Inspect(const rtp::RtpPacket& packet) const {
  StreamArrival arrival;
  arrival.padding_only = packet.payload_size() == 0;
  if (kind_ != TrackKind::kVideo || arrival.padding_only) return arrival;
  if (auto info = codecs::InspectPayload(codec_, packet.payload()); info.ok()) {
    arrival.info = *info;
    arrival.keyframe_start = info->is_keyframe && info->begins_frame;
  }
  return arrival;
}

std::optional<UpstreamStream::CachedKeyframe> UpstreamStream::ReplayableKeyframe(uint64_t now_us) const {
  if (!keyframe_seen_ || now_us - keyframe_arrival_us_ > keyframe_replay_max_age_us_) return std::nullopt;
  const CachedKeyframe keyframe{keyframe_seq_, newest_seq_, keyframe_arrival_us_};
  if (rtp::IsNewerSeq(keyframe_seq_, newest_seq_) || keyframe.packets() > keyframe_replay_max_packets_)
    return std::nullopt;
  // A hole (lost upstream and not repaired yet, or too large to cache) would leave the
  // receiver with an undecodable picture: it waits for the next keyframe instead.
  for (uint16_t seq = keyframe.first_seq;; ++seq) {
    if (cache_.FindAnyAge(seq).bytes.empty()) return std::nullopt;
    if (seq == keyframe.newest_seq) break;
  }
  return keyframe;
}

void UpstreamStream::UpdateBitrate(uint64_t elapsed_us) {
  if (elapsed_us == 0) return;
  bitrate_bps_ = bytes_in_period_ * 8 * 1'000'000 / elapsed_us;
  bytes_in_period_ = 0;
}

std::optional<rtcp::ReportBlock> UpstreamStream::MakeReportBlock(uint64_t now_us) {
  if (!stats_.started()) return std::nullopt;
  auto report = stats_.MakeReport();
  rtcp::ReportBlock block;
  block.ssrc = ssrc_;
  block.fraction_lost = report.fraction_lost;
  block.cumulative_lost = report.cumulative_lost;
  block.extended_highest_seq = report.extended_highest_seq;
  if (last_sr_arrival_us_ != 0) {
    block.last_sr = last_sr_mid32_;
    block.delay_since_sr = rtcp::NtpTime::MicrosToQ16(static_cast<int64_t>(now_us - last_sr_arrival_us_));
  }
  return block;
}

void UpstreamStream::OnSenderReport(const rtcp::SenderReport& report, uint64_t now_us) {
  last_sr_mid32_ = rtcp::NtpTime::Mid32(report.ntp_timestamp());
  last_sr_arrival_us_ = now_us;
}

rtcp::SenderReport::Fields UpstreamStream::MakeSenderReport(uint64_t ntp_now, uint64_t now_us) const {
  rtcp::SenderReport::Fields sr;
  sr.sender_ssrc = mesh_ssrc_;
  sr.ntp_timestamp = ntp_now;
  sr.rtp_timestamp =
      last_rtp_timestamp_ + static_cast<uint32_t>((now_us - last_packet_us_) * clock_rate_ / 1'000'000);
  sr.packet_count = packets_received_;
  sr.octet_count = octets_received_;
  return sr;
}

}  // namespace cascade::media
