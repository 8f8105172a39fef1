#include "media/TemporalLayerFilter.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/codecs/Vp8.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "core/rtp/RtpStreamRewriter.hpp"
#include "media/PictureIdRewriter.hpp"

using namespace cascade;
using media::TemporalLayerFilter;

namespace {

using Packet = TemporalLayerFilter::Packet;

// libwebrtc's three-layer pattern: TL0 TL2 TL1 TL2, repeated.
uint8_t TidOf(int frame) {
  static constexpr uint8_t kPattern[] = {0, 2, 1, 2};
  return kPattern[frame % 4];
}

Packet FrameStart(uint8_t tid, bool sync = false, bool key = false) { return {tid, sync, key, true}; }
Packet FrameRest(uint8_t tid) { return {tid, false, false, false}; }

}  // namespace

TEST_CASE("TemporalLayerFilter forwards everything by default, TL0 only when asked") {
  TemporalLayerFilter filter;
  for (int f = 0; f < 8; ++f) CHECK(filter.Accept(FrameStart(TidOf(f))));
  filter.SetTarget(0);
  int forwarded = 0;
  for (int f = 8; f < 16; ++f) {
    const bool start = filter.Accept(FrameStart(TidOf(f)));
    CHECK(filter.Accept(FrameRest(TidOf(f))) == start);  // whole frames only
    forwarded += start;
    CHECK(start == (TidOf(f) == 0));
  }
  CHECK(forwarded == 2);
  CHECK(filter.dropped() == 12);
}

TEST_CASE("TemporalLayerFilter goes down at the next frame start, never inside a frame") {
  TemporalLayerFilter filter;
  CHECK(filter.Accept(FrameStart(2)));
  filter.SetTarget(0);
  CHECK(filter.current() == TemporalLayerFilter::kAllLayers);
  CHECK(filter.Accept(FrameRest(2)));  // the TL2 frame already begun is finished
  CHECK(filter.Accept(FrameStart(0)));
  CHECK(filter.current() == 0);
  CHECK_FALSE(filter.Accept(FrameStart(2)));
  CHECK_FALSE(filter.Accept(FrameRest(2)));
}

TEST_CASE("TemporalLayerFilter goes up only at a layer sync of the next layer or a keyframe") {
  TemporalLayerFilter filter(0);
  filter.SetTarget(2);
  CHECK_FALSE(filter.Accept(FrameStart(1)));        // TL1 without Y: needs earlier TL1 frames
  CHECK_FALSE(filter.Accept(FrameStart(2, true)));  // TL2 sync, but TL1 is not there yet
  CHECK(filter.current() == 0);
  CHECK(filter.Accept(FrameStart(1, true)));  // Y on TL1: refers to TL0 only
  CHECK(filter.Accept(FrameRest(1)));
  CHECK(filter.current() == 1);
  CHECK_FALSE(filter.Accept(FrameStart(2)));
  CHECK_FALSE(filter.Accept(Packet{2, true, false, false}));  // Y mid-frame is no switch point
  CHECK(filter.Accept(FrameStart(2, true)));
  CHECK(filter.current() == 2);

  TemporalLayerFilter keyed(0);
  keyed.SetTarget(1);
  CHECK(keyed.Accept(FrameStart(0, false, true)));  // a keyframe opens every layer at once
  CHECK(keyed.current() == 1);
  CHECK(keyed.Accept(FrameStart(1)));
  CHECK_FALSE(keyed.Accept(FrameStart(2, true)));  // above the target
}

TEST_CASE("TemporalLayerFilter reads TID, Y and keyframe from PayloadInfo") {
  codecs::PayloadInfo info;
  info.temporal_layer = 2;
  info.layer_sync = true;
  info.begins_frame = true;
  const Packet packet = TemporalLayerFilter::PacketOf(info);
  CHECK(packet.temporal_layer == 2);
  CHECK(packet.layer_sync);
  CHECK(packet.begins_frame);
  CHECK_FALSE(packet.is_keyframe);
}

namespace {

// A VP8 RTP packet: descriptor with a 15-bit PictureID and TID/Y (RFC 7741 §4.2), then one
// payload byte whose P bit says keyframe or not.
struct Stream {
  std::vector<std::vector<uint8_t>> packets;

  void AddFrame(uint16_t seq, uint32_t ts, uint16_t picture_id, uint8_t tid, bool sync, bool key, int count) {
    for (int i = 0; i < count; ++i) {
      const bool first = i == 0;
      const uint8_t payload[] = {static_cast<uint8_t>(first ? 0x90 : 0x80),
                                 0xa0,
                                 static_cast<uint8_t>(0x80 | (picture_id >> 8)),
                                 static_cast<uint8_t>(picture_id & 0xff),
                                 static_cast<uint8_t>((tid << 6) | (sync ? 0x20 : 0)),
                                 static_cast<uint8_t>(first && key ? 0x00 : 0x01)};
      std::vector<uint8_t> buffer(64);
      auto size = rtp::RtpPacketBuilder(buffer)
                      .SetPayloadType(96)
                      .SetSsrc(0x1234)
                      .SetSequenceNumber(static_cast<uint16_t>(seq + i))
                      .SetTimestamp(ts)
                      .SetMarker(i == count - 1)
                      .SetPayload(payload)
                      .Build();
      buffer.resize(size.value());
      packets.push_back(std::move(buffer));
    }
  }
};

struct Output {
  uint16_t seq;
  uint16_t picture_id;
  uint8_t tid;
};

}  // namespace

TEST_CASE("Dropped temporal layers leave no sequence or picture id gap for the viewer") {
  // 24 frames of two packets each, from sequence 65500 (the output wraps too); Y on the
  // first TL1 and TL2 frames of frames 12..15.
  Stream stream;
  for (int f = 0; f < 24; ++f) {
    const bool sync = f >= 12 && f < 16 && TidOf(f) != 0;
    stream.AddFrame(static_cast<uint16_t>(65500 + 2 * f), 3000u * f, static_cast<uint16_t>(0x7ff0 + f),
                    TidOf(f), sync, f == 0, 2);
  }
  TemporalLayerFilter filter(0);
  rtp::RtpStreamRewriter rewriter(0xabcd, 90000);
  media::PictureIdRewriter pictures;
  std::vector<Output> out;
  int index = 0;
  for (auto& bytes : stream.packets) {
    if (index == 16) filter.SetTarget(2);  // frame 8: climb back to full rate
    ++index;
    auto packet = rtp::RtpPacket::Parse(bytes);
    REQUIRE(packet.ok());
    auto info = codecs::InspectVp8(packet->payload());
    REQUIRE(info.ok());
    if (filter.Accept(TemporalLayerFilter::PacketOf(*info))) {
      const bool new_source = rewriter.source_ssrc() != packet->ssrc();
      const uint16_t id = pictures.Forward(*info->picture_id, info->picture_id_15bit, new_source);
      REQUIRE(codecs::WriteVp8PictureId(packet->mutable_payload(), id));
      REQUIRE(rewriter.Rewrite(*packet, 1000 * index));
      auto written = codecs::InspectVp8(packet->payload());
      REQUIRE(written.ok());
      out.push_back({packet->sequence_number(), *written->picture_id, written->temporal_layer});
    } else {
      pictures.Drop(*info->picture_id, info->picture_id_15bit);
      CHECK(rewriter.Skip(*packet));
    }
  }
  // TL0 only (0, 4, 8, 12) until the up-switch finds its sync points: the TL2 sync at 13
  // is refused (TL1 is not there yet), the TL1 sync at 14 opens TL1, the TL2 sync at 15 TL2.
  std::vector<int> frames;
  for (int f = 0; f < 24; ++f) {
    const uint8_t tid = TidOf(f);
    const bool forwarded = tid == 0 || f >= 16 || (f >= 14 && tid <= 1) || f == 15;
    if (forwarded) frames.push_back(f);
  }
  REQUIRE(out.size() == 2 * frames.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    CHECK(out[i].seq == static_cast<uint16_t>(65500 + i));                         // no gap
    CHECK(out[i].picture_id == static_cast<uint16_t>((0x7ff0 + i / 2) & 0x7fff));  // no gap
    CHECK(out[i].tid == TidOf(frames[i / 2]));
  }
  CHECK(pictures.dropped_pictures() == 24 - frames.size());
}
