// SendHistory and FeedbackMatcher.
#include "core/bwe/FeedbackMatcher.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/bwe/SendHistory.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/TransportCcEncoder.hpp"

using namespace cascade;
using namespace cascade::bwe;

namespace {

struct Wire {
  std::vector<uint8_t> bytes;
  rtcp::TransportCc Parse() const {
    rtcp::CompoundReader reader(bytes);
    rtcp::RtcpPacket packet;
    REQUIRE(reader.Next(packet));
    auto tcc = rtcp::TransportCc::Parse(packet);
    REQUIRE(tcc.ok());
    return *tcc;
  }
};

Wire Encode(std::vector<rtcp::TccReceived> received, uint16_t base, std::optional<int32_t> reference = {}) {
  rtcp::TransportCcEncoder encoder;
  rtcp::TransportCcEncoder::Params params;
  params.base_seq = base;
  params.reference_time = reference;
  Wire wire{std::vector<uint8_t>(1500)};
  base::ByteWriter writer(wire.bytes);
  auto taken = encoder.Encode(params, received, writer);
  REQUIRE(taken.ok());
  REQUIRE(*taken == received.size());
  wire.bytes.resize(writer.size());
  return wire;
}

}  // namespace

TEST_CASE("SendHistory keeps a fixed ring and forgets what is too old or overwritten") {
  SendHistory history({.capacity = 8, .max_age_us = 2'000'000});
  for (uint16_t i = 0; i < 10; ++i) history.OnPacketSent(static_cast<uint16_t>(65530 + i), 100 + i, i * 1000);
  // 65530 + 9 wrapped to 3: unwrapped it is 65539.
  const int64_t newest = history.UnwrapFeedbackSeq(3);
  CHECK(newest == 65539);
  auto found = history.Find(newest, 10'000);
  REQUIRE(found.lookup == SendHistory::Lookup::kFound);
  CHECK(found.record->bytes == 109);
  CHECK(history.Find(history.UnwrapFeedbackSeq(65531), 10'000).lookup ==
        SendHistory::Lookup::kUnknown);  // overwritten
  CHECK(history.Find(history.UnwrapFeedbackSeq(65532), 10'000).lookup == SendHistory::Lookup::kFound);
  CHECK(history.Find(newest, 2'009'001).lookup == SendHistory::Lookup::kExpired);
  CHECK(history.Find(history.UnwrapFeedbackSeq(100), 10'000).lookup == SendHistory::Lookup::kUnknown);
}

TEST_CASE("FeedbackMatcher pairs send and arrival times, sorted by arrival, across wraps") {
  SendHistory history;
  FeedbackMatcher matcher(history);
  for (int i = 0; i < 6; ++i)
    history.OnPacketSent(static_cast<uint16_t>(65533 + i), 1000, 1'000'000 + i * 1000);
  // The reference time sits just below its sign bit; 65535 arrives after 0 (reordered).
  const int32_t reference = 0x7fffff;
  const int64_t base_us = int64_t{reference} * 64'000;
  auto first =
      Encode({{65533, base_us + 10'000}, {65535, base_us + 13'000}, {0, base_us + 12'000}}, 65533, reference);
  auto batch = matcher.Match(first.Parse(), 1'100'000);
  REQUIRE(batch);
  REQUIRE(batch->received.size() == 3);
  CHECK(batch->lost == 1);  // 65534
  CHECK(batch->received[0].seq == 65533);
  CHECK(batch->received[1].seq == 65536);  // seq 0, unwrapped past 65535
  CHECK(batch->received[2].seq == 65535);
  CHECK(batch->received[1].arrival_us - batch->received[0].arrival_us == 2'000);
  CHECK(batch->received[1].send_us == 1'003'000);
  REQUIRE(batch->rtt_sample_us);
  CHECK(*batch->rtt_sample_us == 1'100'000 - 1'003'000);

  // The next feedback's reference time wrapped to -2^23: arrival times keep counting up.
  const int32_t wrapped = -0x800000;
  auto second = Encode({{1, int64_t{wrapped} * 64'000 + 5'000}}, 1, wrapped);
  batch = matcher.Match(second.Parse(), 1'200'000);
  REQUIRE(batch);
  REQUIRE(batch->received.size() == 1);
  CHECK(batch->received[0].arrival_us == (int64_t{reference} + 1) * 64'000 + 5'000);
  CHECK(matcher.counters().received == 4);
  CHECK(matcher.counters().lost == 1);
}
