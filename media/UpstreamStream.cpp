#include "media/UpstreamStream.hpp"

#include <algorithm>

#include "core/codecs/PayloadInspector.hpp"
#include "core/rtcp/NtpTime.hpp"

namespace cascade::media {

UpstreamStream::UpstreamStream(const StreamOptions& options, uint32_t ssrc, uint32_t mesh_ssrc)
    : ssrc_(ssrc),
      mesh_ssrc_(mesh_ssrc),
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
  cache_.Insert(packet.sequence_number(), packet.data(), now_us);
  StreamArrival arrival;
  arrival.recovered = nacks_.OnPacket(packet.sequence_number(), now_us);
  arrival.padding_only = packet.payload_size() == 0;
  if (kind_ == TrackKind::kVideo && !arrival.padding_only) {
    auto info = codecs::InspectPayload(codec_, packet.payload());
    if (info.ok()) {
      arrival.info = *info;
      arrival.keyframe_start = info->is_keyframe && info->begins_frame;
      if (info->height != 0) height_ = info->height;
      temporal_layers_ = std::max<uint8_t>(temporal_layers_, static_cast<uint8_t>(info->temporal_layer + 1));
    }
    if (arrival.keyframe_start) {
      keyframes_.OnKeyframe();
      keyframe_wanted = false;
    }
  }
  return arrival;
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
