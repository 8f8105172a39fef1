// Cost of the per-packet STUN work on the shared ICE port: parsing a connectivity check,
// verifying its MESSAGE-INTEGRITY and FINGERPRINT, and building the success response.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunCrc32.hpp"
#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/ice/StunMessageBuilder.hpp"

using namespace cascade::ice;

namespace {

constexpr std::array<uint8_t, 12> kTid{0x25, 0x98, 0xa6, 0x5b, 0x97, 0x10,
                                       0xb8, 0x98, 0x65, 0xbc, 0x34, 0x40};
const auto kKey = StunIntegrity::ShortTermKey("VOkJxbRl1RmTxUk/WvJxBt");

// A check shaped like Chrome's (108 bytes): USERNAME, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY,
// MESSAGE-INTEGRITY, FINGERPRINT.
std::vector<uint8_t> ChromeLikeRequest() {
  StunBindingRequestParams p{.transaction_id = kTid};
  p.username = "Tw5XmGABTU55u6F2:31e58bb6";
  p.key = kKey;
  p.priority = 0x6e7f00ff;
  p.ice_controlling = 0x9e681f4a7b38b1cc;
  p.use_candidate = true;
  std::array<uint8_t, 256> buf{};
  auto out = StunMessageBuilder::BindingRequest(buf, p);
  return {out->begin(), out->end()};
}

void BM_StunParseVerifyBindingRequest(benchmark::State& state) {
  const auto request = ChromeLikeRequest();
  for (auto _ : state) {
    auto msg = StunMessage::Parse(request);
    bool ok = msg.ok() && msg->VerifyMessageIntegrity(kKey).ok() && msg->VerifyFingerprint().ok();
    benchmark::DoNotOptimize(ok);
    if (!ok) state.SkipWithError("verification failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * request.size()));
}
BENCHMARK(BM_StunParseVerifyBindingRequest);

void BM_StunParseOnly(benchmark::State& state) {
  const auto request = ChromeLikeRequest();
  for (auto _ : state) {
    auto msg = StunMessage::Parse(request);
    benchmark::DoNotOptimize(msg);
  }
}
BENCHMARK(BM_StunParseOnly);

void BM_StunVerifyFingerprint(benchmark::State& state) {
  const auto request = ChromeLikeRequest();
  const auto msg = StunMessage::Parse(request);
  for (auto _ : state) benchmark::DoNotOptimize(msg->VerifyFingerprint().ok());
}
BENCHMARK(BM_StunVerifyFingerprint);

void BM_StunVerifyMessageIntegrity(benchmark::State& state) {
  const auto request = ChromeLikeRequest();
  const auto msg = StunMessage::Parse(request);
  for (auto _ : state) benchmark::DoNotOptimize(msg->VerifyMessageIntegrity(kKey).ok());
}
BENCHMARK(BM_StunVerifyMessageIntegrity);

// Alternating keys defeats the per-thread key cache: the cost when every packet is for a
// different session.
void BM_StunVerifyMessageIntegrityKeyChange(benchmark::State& state) {
  const auto request = ChromeLikeRequest();
  const auto msg = StunMessage::Parse(request);
  const auto other = StunIntegrity::ShortTermKey("another-session-password");
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    benchmark::DoNotOptimize(msg->VerifyMessageIntegrity(flip ? other : kKey).ok());
  }
}
BENCHMARK(BM_StunVerifyMessageIntegrityKeyChange);

void BM_StunBuildBindingSuccess(benchmark::State& state) {
  const auto mapped = TransportAddress::Parse("203.0.113.9:50000").value();
  std::array<uint8_t, 128> buf{};
  for (auto _ : state) {
    auto out = StunMessageBuilder::BindingSuccess(buf, kTid, mapped, kKey);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_StunBuildBindingSuccess);

void BM_StunCrc32(benchmark::State& state) {
  std::vector<uint8_t> data(static_cast<size_t>(state.range(0)), 0xA5);
  for (auto _ : state) benchmark::DoNotOptimize(StunCrc32(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_StunCrc32)->Arg(100)->Arg(1200);

void BM_PacketDemuxClassify(benchmark::State& state) {
  std::array<std::array<uint8_t, 2>, 4> packets{{{0x00, 0x01}, {0x16, 0xfe}, {0x80, 0x60}, {0x81, 0xc8}}};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(PacketDemux::Classify(packets[i++ & 3]));
}
BENCHMARK(BM_PacketDemuxClassify);

}  // namespace
