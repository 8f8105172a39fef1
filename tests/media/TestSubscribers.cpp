// The room / stream / subscriber split without DTLS: subscribers send through a recording
// PacketSink, so what a viewer or a child would receive is read back byte for byte.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "media/ClientSession.hpp"
#include "media/PacketSink.hpp"
#include "media/Room.hpp"
#include "tests/media/RecordingSink.hpp"

using namespace cascade;
using namespace cascade::media;
using namespace cascade::media::test;

namespace {

struct Packet {
  std::array<uint8_t, 256> bytes{};
  rtp::RtpPacket parsed = BuildPublisherPacket(bytes, 0, PublisherPacketKind::kDelta);
};

struct SubscriberFixture {
  SubscriberFixture() {
    auto publisher_negotiated = VideoSession();
    publisher_negotiated.payload_types[kPublisherVp8] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000,
                                                         true};
    publisher =
        std::make_unique<ClientSession>("pub", "room", SessionKind::kPublisher, publisher_negotiated, 0, 0);
    room.SetPublisher(publisher.get());
  }
  std::unique_ptr<ClientSession> MakeViewer(const char* id, uint32_t video_ssrc) {
    auto negotiated = VideoSession();
    negotiated.payload_types[kViewerVp8] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, true};
    return std::make_unique<ClientSession>(id, "room", SessionKind::kViewer, negotiated, video_ssrc + 1,
                                           video_ssrc);
  }
  void Send(uint16_t seq, bool keyframe, uint64_t now_us) {
    std::array<uint8_t, 256> bytes{};
    auto packet = BuildPublisherPacket(
        bytes, seq, keyframe ? PublisherPacketKind::kKeyframe : PublisherPacketKind::kDelta);
    room.OnPublisherRtp(packet, now_us);
  }

  RoomCounters counters;
  uint32_t next_mesh_ssrc = 0x5000;
  Room room{"room", Room::Options{}, counters, [this] { return next_mesh_ssrc++; }};
  std::unique_ptr<ClientSession> publisher;
};

}  // namespace

TEST_CASE("A viewer subscriber starts at a keyframe and rewrites into its own stream") {
  SubscriberFixture f;
  auto session = f.MakeViewer("v1", 0xAAAA);
  RecordingSink sink;
  f.room.AddViewer(session.get(), sink);
  f.Send(10, false, 1'000);
  f.room.OnViewerConnected(session.get(), 2'000);
  f.Send(11, false, 3'000);  // a delta frame before any keyframe: nothing a decoder can use
  f.room.OnTick(10'000);     // measures the layer's bitrate and picks it
  f.Send(12, false, 20'000);
  CHECK(sink.rtp.empty());
  f.Send(13, true, 30'000);
  f.Send(14, false, 40'000);
  REQUIRE(sink.rtp.size() == 2);
  auto first = rtp::RtpPacket::Parse(sink.rtp[0]);
  auto second = rtp::RtpPacket::Parse(sink.rtp[1]);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->ssrc() == 0xAAAA);
  CHECK(first->payload_type() == kViewerVp8);
  CHECK(static_cast<uint16_t>(second->sequence_number() - first->sequence_number()) == 1);
  CHECK(f.counters.packets_forwarded == 2);
}

TEST_CASE("A viewer's NACK is answered from the stream's cache under the number it was sent with") {
  SubscriberFixture f;
  auto session = f.MakeViewer("v1", 0xAAAA);
  RecordingSink sink;
  f.room.AddViewer(session.get(), sink);
  f.Send(1, false, 1'000);
  f.room.OnTick(2'000);
  f.room.OnTick(500'000);
  for (uint16_t seq = 2; seq < 6; ++seq) f.Send(seq, seq == 2, 500'000 + seq * 1000);
  REQUIRE(sink.rtp.size() == 4);
  auto lost = rtp::RtpPacket::Parse(sink.rtp[2]);
  REQUIRE(lost.ok());
  const uint16_t out_seq = lost->sequence_number();

  std::array<uint8_t, 64> nack_bytes{};
  base::ByteWriter writer(nack_bytes);
  std::array<uint16_t, 1> seqs = {out_seq};
  REQUIRE(rtcp::Nack::Build(1, 0xAAAA, seqs, writer).ok());
  f.room.OnViewerRtcp(session.get(), writer.written(), 600'000);
  REQUIRE(sink.rtp.size() == 5);
  auto resent = rtp::RtpPacket::Parse(sink.rtp[4]);
  REQUIRE(resent.ok());
  CHECK(resent->sequence_number() == out_seq);
  CHECK(resent->ssrc() == 0xAAAA);
  CHECK(std::equal(resent->payload().begin(), resent->payload().end(), lost->payload().begin()));
  CHECK(f.counters.nack_packets_resent == 1);
}

TEST_CASE("Sender reports reach every viewer even when an earlier viewer's path is gone (regression)") {
  // The room used to return from its sender-report loop at the first viewer whose transport
  // could not take a packet, so every viewer after it got none.
  SubscriberFixture f;
  auto gone = f.MakeViewer("gone", 0xAAAA);
  auto live = f.MakeViewer("live", 0xBBBB);
  RecordingSink gone_sink;
  RecordingSink live_sink;
  f.room.AddViewer(gone.get(), gone_sink);
  f.room.AddViewer(live.get(), live_sink);
  f.Send(1, false, 1'000);
  f.room.OnTick(2'000);
  f.room.OnTick(500'000);
  f.Send(2, true, 501'000);
  f.Send(3, false, 502'000);
  REQUIRE(gone_sink.rtp.size() == 2);
  REQUIRE(live_sink.rtp.size() == 2);
  gone_sink.is_ready = false;
  f.room.OnTick(1'000'000);
  CHECK(gone_sink.CountRtcp(rtcp::PacketKind::kSenderReport) == 0);
  CHECK(live_sink.CountRtcp(rtcp::PacketKind::kSenderReport) == 1);
}

TEST_CASE("A viewer that leaves stops receiving; the room keeps serving the others") {
  SubscriberFixture f;
  auto a = f.MakeViewer("a", 0xAAAA);
  auto b = f.MakeViewer("b", 0xBBBB);
  RecordingSink sink_a;
  RecordingSink sink_b;
  f.room.AddViewer(a.get(), sink_a);
  f.room.AddViewer(b.get(), sink_b);
  f.Send(1, false, 1'000);
  f.room.OnTick(2'000);
  f.room.OnTick(500'000);
  f.Send(2, true, 501'000);
  f.room.Remove(a.get());
  f.Send(3, false, 502'000);
  CHECK(sink_a.rtp.size() == 1);
  CHECK(sink_b.rtp.size() == 2);
  CHECK(f.room.viewer_count() == 1);
  CHECK(f.room.FindViewer(a.get()) == nullptr);
}

TEST_CASE("A viewer that negotiated RTX gets its NACKed packets as RTX (RFC 4588)") {
  SubscriberFixture f;
  auto negotiated = VideoSession();
  negotiated.payload_types[kViewerVp8] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, true, 101};
  negotiated.video_rtx_ssrc = 0xAAAB;
  ClientSession session("v1", "room", SessionKind::kViewer, negotiated, 0xAAA9, 0xAAAA);
  RecordingSink sink;
  f.room.AddViewer(&session, sink);
  f.Send(1, false, 1'000);
  f.room.OnTick(2'000);
  f.room.OnTick(500'000);
  for (uint16_t seq = 2; seq < 6; ++seq) f.Send(seq, seq == 2, 500'000 + seq * 1000);
  REQUIRE(sink.rtp.size() == 4);
  auto lost = rtp::RtpPacket::Parse(sink.rtp[2]);
  REQUIRE(lost.ok());
  std::array<uint8_t, 64> nack_bytes{};
  base::ByteWriter writer(nack_bytes);
  std::array<uint16_t, 1> seqs = {lost->sequence_number()};
  REQUIRE(rtcp::Nack::Build(1, 0xAAAA, seqs, writer).ok());
  f.room.OnViewerRtcp(&session, writer.written(), 600'000);
  REQUIRE(sink.rtp.size() == 5);
  auto rtx = rtp::RtpPacket::Parse(sink.rtp[4]);
  REQUIRE(rtx.ok());
  CHECK(rtx->ssrc() == 0xAAAB);
  CHECK(rtx->payload_type() == 101);
  CHECK(rtx->timestamp() == lost->timestamp());
  REQUIRE(rtx->payload_size() == lost->payload_size() + 2);
  CHECK(base::LoadBe16(rtx->payload().data()) == lost->sequence_number());  // the OSN
  CHECK(std::equal(lost->payload().begin(), lost->payload().end(), rtx->payload().begin() + 2));
}
