// Instant start: a viewer with no picture is given the stream's newest keyframe and every
// packet since from the node's cache at once (rewritten into its own stream), instead of
// waiting for the publisher's next keyframe; when the cache cannot give a decodable start
// (too old, too long, a hole) it waits as before. No DTLS: a recording PacketSink.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "media/ClientSession.hpp"
#include "media/PacketSink.hpp"
#include "media/Room.hpp"
#include "media/UpstreamStream.hpp"
#include "tests/media/RecordingSink.hpp"

using namespace cascade;
using namespace cascade::media;
using namespace cascade::media::test;

namespace {

constexpr uint32_t kViewerVideoSsrc = 0xAAAA;

using Kind = PublisherPacketKind;

struct InstantStartFixture {
  InstantStartFixture() {
    auto publisher_negotiated = VideoSession();
    publisher_negotiated.payload_types[kPublisherVp8] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000,
                                                         true};
    publisher =
        std::make_unique<ClientSession>("pub", "room", SessionKind::kPublisher, publisher_negotiated, 0, 0);
    room.SetPublisher(publisher.get());
    auto negotiated = VideoSession();
    negotiated.payload_types[kViewerVp8] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, true};
    viewer = std::make_unique<ClientSession>("v1", "room", SessionKind::kViewer, negotiated,
                                             kViewerVideoSsrc + 1, kViewerVideoSsrc);
  }
  // Packet `seq` from the publisher, arriving at seq ms.
  void Send(uint16_t seq, Kind kind) {
    std::array<uint8_t, 256> bytes{};
    auto packet = BuildPublisherPacket(bytes, seq, kind);
    room.OnPublisherRtp(packet, ArrivalUs(seq));
  }
  void SendRange(uint16_t from, uint16_t to, Kind first) {
    for (uint16_t seq = from; seq <= to; ++seq) Send(seq, seq == from ? first : Kind::kDelta);
  }
  static uint64_t ArrivalUs(uint16_t seq) { return 1'000'000 + uint64_t{seq} * 1'000; }
  void Join(uint64_t now_us) {
    room.AddViewer(viewer.get(), sink);
    room.OnViewerConnected(viewer.get(), now_us);
  }

  RoomCounters counters;
  uint32_t next_mesh_ssrc = 0x5000;
  Room room{"room", Room::Options{}, counters, [this] { return next_mesh_ssrc++; }};
  std::unique_ptr<ClientSession> publisher;
  std::unique_ptr<ClientSession> viewer;
  RecordingSink sink;
};

// Every packet the viewer got is one stream: its SSRC, consecutive numbers, time never back.
void CheckContinuous(RecordingSink& sink) {
  for (size_t i = 0; i < sink.rtp.size(); ++i) {
    const auto packet = sink.Parsed(i);
    CHECK(packet.ssrc() == kViewerVideoSsrc);
    CHECK(packet.payload_type() == kViewerVp8);
    if (i == 0) continue;
    const auto previous = sink.Parsed(i - 1);
    CHECK(static_cast<uint16_t>(packet.sequence_number() - previous.sequence_number()) == 1);
    CHECK(static_cast<int32_t>(packet.timestamp() - previous.timestamp()) > 0);
  }
}

bool IsKeyframe(const rtp::RtpPacket& packet) {
  return packet.payload_size() == kVp8Keyframe.size() &&
         std::equal(kVp8Keyframe.begin(), kVp8Keyframe.end(), packet.payload().begin());
}

}  // namespace

TEST_CASE("A viewer joining after a keyframe gets it and everything since from the cache at once") {
  InstantStartFixture f;
  f.SendRange(1, 9, Kind::kDelta);
  f.SendRange(10, 20, Kind::kKeyframe);
  f.Join(InstantStartFixture::ArrivalUs(20) + 5'000);
  // Before any further packet from the publisher: the keyframe and the 10 after it, in order.
  REQUIRE(f.sink.rtp.size() == 11);
  CHECK(IsKeyframe(f.sink.Parsed(0)));
  CHECK(f.counters.video_starts_from_cache == 1);
  CHECK(f.counters.video_starts_waiting_for_keyframe == 0);
  REQUIRE(f.room.FindViewer(f.viewer.get()) != nullptr);
  CHECK(f.room.FindViewer(f.viewer.get())->started_from_cache());
  // Live packets continue the same numbering and timing.
  f.SendRange(21, 25, Kind::kDelta);
  REQUIRE(f.sink.rtp.size() == 16);
  CheckContinuous(f.sink);
  // The replayed packets keep their relative RTP times (33 ms a frame), so do the live ones.
  CHECK(f.sink.Parsed(10).timestamp() - f.sink.Parsed(0).timestamp() == 10 * 3000u);
  CHECK(f.sink.Parsed(15).timestamp() - f.sink.Parsed(0).timestamp() == 15 * 3000u);
  CHECK(f.counters.packets_forwarded == 16);
}

TEST_CASE("A replayed viewer's NACK for a replayed packet is answered under the number it was sent with") {
  InstantStartFixture f;
  f.SendRange(10, 20, Kind::kKeyframe);
  f.Join(InstantStartFixture::ArrivalUs(20) + 5'000);
  REQUIRE(f.sink.rtp.size() == 11);
  const auto lost = f.sink.Parsed(3);
  ViewerSubscriber* viewer = f.room.FindViewer(f.viewer.get());
  REQUIRE(viewer != nullptr);
  CHECK(viewer->video().rewriter.SourceSequenceFor(lost.sequence_number()) == uint16_t{13});
}

TEST_CASE("Padding inside the replayed backlog is skipped without leaving a gap") {
  InstantStartFixture f;
  f.SendRange(10, 14, Kind::kKeyframe);
  f.Send(15, Kind::kPadding);
  f.SendRange(16, 18, Kind::kDelta);
  f.Join(InstantStartFixture::ArrivalUs(18) + 1'000);
  REQUIRE(f.sink.rtp.size() == 8);  // 10..18 without the padding
  f.Send(19, Kind::kDelta);
  REQUIRE(f.sink.rtp.size() == 9);
  CheckContinuous(f.sink);
}

TEST_CASE("A keyframe older than the replay bound: the viewer waits for the next keyframe") {
  InstantStartFixture f;
  f.SendRange(10, 1200, Kind::kKeyframe);  // 1.19 s of packets after the keyframe
  f.Join(InstantStartFixture::ArrivalUs(1200) + 1'000);
  CHECK(f.sink.rtp.empty());
  CHECK(f.counters.video_starts_from_cache == 0);
  CHECK(f.counters.video_starts_waiting_for_keyframe == 1);
  f.Send(1201, Kind::kDelta);
  CHECK(f.sink.rtp.empty());
  f.SendRange(1202, 1205, Kind::kKeyframe);
  REQUIRE(f.sink.rtp.size() == 4);
  CHECK(IsKeyframe(f.sink.Parsed(0)));
  CheckContinuous(f.sink);
  CHECK_FALSE(f.room.FindViewer(f.viewer.get())->started_from_cache());
}

TEST_CASE("A hole between the keyframe and the newest packet: the viewer waits for the next keyframe") {
  InstantStartFixture f;
  f.SendRange(10, 14, Kind::kKeyframe);
  f.SendRange(16, 20, Kind::kDelta);  // 15 lost upstream (being NACKed)
  f.Join(InstantStartFixture::ArrivalUs(20) + 1'000);
  CHECK(f.sink.rtp.empty());
  CHECK(f.counters.video_starts_waiting_for_keyframe == 1);
  f.SendRange(21, 23, Kind::kKeyframe);
  REQUIRE(f.sink.rtp.size() == 3);
  CHECK(IsKeyframe(f.sink.Parsed(0)));
  CheckContinuous(f.sink);
}

TEST_CASE("A viewer already watching is not replayed to: a later viewer is, and the first keeps its stream") {
  InstantStartFixture f;
  f.SendRange(10, 12, Kind::kKeyframe);
  f.Join(InstantStartFixture::ArrivalUs(12) + 1'000);
  REQUIRE(f.sink.rtp.size() == 3);
  auto late_session = std::make_unique<ClientSession>("v2", "room", SessionKind::kViewer,
                                                      f.viewer->negotiated(), 0xBBBB, 0xBBBC);
  RecordingSink late_sink;
  f.room.AddViewer(late_session.get(), late_sink);
  f.SendRange(13, 15, Kind::kDelta);
  f.room.OnViewerConnected(late_session.get(), InstantStartFixture::ArrivalUs(15) + 1'000);
  CHECK(late_sink.rtp.size() == 6);  // 10..15 from the cache
  CHECK(f.sink.rtp.size() == 6);     // 10..15, each once
  CheckContinuous(f.sink);
  CHECK(f.counters.video_starts_from_cache == 2);
}

TEST_CASE("UpstreamStream: a cached keyframe is replayable only while young, short and complete") {
  StreamOptions options;
  options.keyframe_replay_max_age_us = 500'000;
  options.keyframe_replay_max_packets = 8;
  UpstreamStream stream(options, kPublisherSsrc, 0x5000);
  stream.Describe(TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, "");
  auto receive = [&](uint16_t seq, Kind kind, uint64_t now_us) {
    std::array<uint8_t, 256> bytes{};
    auto packet = BuildPublisherPacket(bytes, seq, kind);
    stream.OnPacket(packet, now_us);
  };
  CHECK_FALSE(stream.ReplayableKeyframe(0).has_value());  // nothing yet
  receive(100, Kind::kDelta, 1'000);
  CHECK_FALSE(stream.ReplayableKeyframe(2'000).has_value());  // no keyframe yet
  receive(101, Kind::kKeyframe, 10'000);
  for (uint16_t seq = 102; seq <= 108; ++seq) receive(seq, Kind::kDelta, 20'000);
  auto keyframe = stream.ReplayableKeyframe(30'000);
  REQUIRE(keyframe.has_value());
  CHECK(keyframe->first_seq == 101);
  CHECK(keyframe->newest_seq == 108);
  CHECK(keyframe->packets() == 8);
  CHECK(keyframe->arrival_us == 10'000);
  CHECK_FALSE(stream.ReplayableKeyframe(10'000 + 500'001).has_value());  // too old
  receive(109, Kind::kDelta, 40'000);
  CHECK_FALSE(stream.ReplayableKeyframe(50'000).has_value());  // 9 packets: too long
  receive(110, Kind::kKeyframe, 60'000);
  receive(112, Kind::kDelta, 60'000);
  CHECK_FALSE(stream.ReplayableKeyframe(70'000).has_value());  // 111 missing
  receive(111, Kind::kDelta, 80'000);                          // repaired by NACK
  keyframe = stream.ReplayableKeyframe(90'000);
  REQUIRE(keyframe.has_value());
  CHECK(keyframe->first_seq == 110);
  CHECK(keyframe->newest_seq == 112);
  // A late copy of the older keyframe does not move the start back.
  receive(101, Kind::kKeyframe, 95'000);
  keyframe = stream.ReplayableKeyframe(96'000);
  REQUIRE(keyframe.has_value());
  CHECK(keyframe->first_seq == 110);
}
