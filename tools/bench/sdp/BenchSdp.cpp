// Cost of reading a browser offer and answering it, per WHIP/WHEP request.
#include <benchmark/benchmark.h>

#include <string>

#include "core/sdp/AnswerBuilder.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"
#include "tools/bench/sdp/ChromeSimulcastOffer.hpp"

namespace {

using namespace cascade::sdp;

void BM_SdpParseChromeSimulcast(benchmark::State& state) {
  std::string text = kChromeUnifiedSimulcastOffer;
  for (auto _ : state) {
    auto sd = ParseSdp(text);
    benchmark::DoNotOptimize(sd);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SdpParseChromeSimulcast)->Unit(benchmark::kMicrosecond);

void BM_SdpSerializeChromeSimulcast(benchmark::State& state) {
  auto sd = ParseSdp(kChromeUnifiedSimulcastOffer);
  for (auto _ : state) {
    auto text = SerializeSdp(*sd);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_SdpSerializeChromeSimulcast)->Unit(benchmark::kMicrosecond);

void BM_SdpBuildAnswerChromeSimulcast(benchmark::State& state) {
  auto offer = ParseSdp(kChromeUnifiedSimulcastOffer);
  AnswerOptions options;
  options.ice_ufrag = "benchUfrag";
  options.ice_pwd = "benchPasswordLongEnough1";
  options.fingerprint = {"sha-256", "AA:BB"};
  for (auto _ : state) {
    auto answer = BuildAnswer(*offer, options);
    auto text = SerializeSdp(*answer);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_SdpBuildAnswerChromeSimulcast)->Unit(benchmark::kMicrosecond);

}  // namespace
