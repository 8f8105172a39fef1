#include "core/rtp/Rtx.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/TestData.hpp"

using namespace cascade::rtp;

TEST_CASE("RTX wraps and unwraps real packets back to the same bytes") {
  const std::vector<std::string> files = {"aiortc/rtp_with_sdes_mid.bin", "aiortc/rtp_with_csrc.bin",
                                          "mediasoup_test_data/packet3.raw",
                                          "mediasoup/003_TestRtpPacket_rtx_encryption_decryption_buffer.bin"};
  for (const auto& file : files) {
    CAPTURE(file);
    auto bytes = cascade::test::ReadBinary("rtp/" + file);
    auto original = RtpPacket::Parse(bytes);
    REQUIRE(original.ok());
    std::vector<uint8_t> rtx(bytes.size() + 2);
    auto wrapped = WrapRtx(*original, 0xabcdef01, 97, 4242, rtx);
    REQUIRE(wrapped.ok());
    CHECK(*wrapped == bytes.size() + 2);
    auto r = RtpPacket::Parse(rtx);
    REQUIRE(r.ok());
    CHECK(r->ssrc() == 0xabcdef01);
    CHECK(r->payload_type() == 97);
    CHECK(r->sequence_number() == 4242);
    CHECK(r->timestamp() == original->timestamp());
    CHECK(r->marker() == original->marker());
    CHECK(r->extensions().size() == original->extensions().size());
    // RFC 4588 §4: the OSN leads the RTX payload.
    CHECK(r->payload()[0] == (original->sequence_number() >> 8));
    CHECK(r->payload()[1] == (original->sequence_number() & 0xff));

    std::vector<uint8_t> restored(rtx.size());
    auto unwrapped = UnwrapRtx(*r, original->ssrc(), original->payload_type(), restored);
    REQUIRE(unwrapped.ok());
    restored.resize(*unwrapped);
    CHECK(restored == bytes);
  }
}

TEST_CASE("RTX drops the original padding") {
  auto bytes = cascade::test::ReadBinary("rtp/pion/004_TestBasic.bin");
  auto original = RtpPacket::Parse(bytes);
  REQUIRE(original.ok());
  REQUIRE(original->padding_size() == 4);
  std::vector<uint8_t> rtx(64);
  auto wrapped = WrapRtx(*original, 1, 97, 1, rtx);
  REQUIRE(wrapped.ok());
  rtx.resize(*wrapped);
  auto r = RtpPacket::Parse(rtx);
  REQUIRE(r.ok());
  CHECK(r->padding_size() == 0);
  CHECK(r->payload_size() == 3);
  std::vector<uint8_t> restored(64);
  auto n = UnwrapRtx(*r, original->ssrc(), original->payload_type(), restored);
  REQUIRE(n.ok());
  restored.resize(*n);
  auto back = RtpPacket::Parse(restored);
  REQUIRE(back.ok());
  CHECK(back->sequence_number() == original->sequence_number());
  CHECK(std::equal(back->payload().begin(), back->payload().end(), original->payload().begin(),
                   original->payload().end()));
}

TEST_CASE("RTX rejects short payloads and small buffers") {
  auto bytes = cascade::test::ReadBinary("rtp/aiortc/rtp_only_padding.bin");
  auto probe = RtpPacket::Parse(bytes);
  REQUIRE(probe.ok());
  std::vector<uint8_t> out(512);
  CHECK(UnwrapRtx(*probe, 1, 96, out).error() == RtpError::kRtxPayloadTooShort);
  auto media = cascade::test::ReadBinary("rtp/aiortc/rtp.bin");
  auto p = RtpPacket::Parse(media);
  REQUIRE(p.ok());
  std::vector<uint8_t> small(media.size() + 1);
  CHECK(WrapRtx(*p, 1, 97, 1, small).error() == RtpError::kBufferTooSmall);
  CHECK(WrapRtx(*p, 1, 200, 1, out).error() == RtpError::kInvalidField);
}
