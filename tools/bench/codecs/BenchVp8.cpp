// ns per VP8 payload inspection (descriptor with picture id, TL0PICIDX and TID, as
// libwebrtc sends with temporal layers).
#include <benchmark/benchmark.h>

#include <vector>

#include "core/codecs/PayloadInspector.hpp"
#include "core/codecs/Vp8.hpp"

namespace {

using namespace cascade::codecs;

std::vector<uint8_t> Vp8Payload() {
  std::vector<uint8_t> payload = {0x90, 0xe0, 0x92, 0x34, 0x05, 0x20, 0x50, 0x01,
                                  0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
  payload.resize(1100, 0x5a);
  return payload;
}

void BM_Vp8Inspect(benchmark::State& state) {
  const auto payload = Vp8Payload();
  for (auto _ : state) {
    auto info = InspectVp8(payload);
    benchmark::DoNotOptimize(info.ok());
  }
}
BENCHMARK(BM_Vp8Inspect);

void BM_Vp8InspectViaDispatcher(benchmark::State& state) {
  const auto payload = Vp8Payload();
  for (auto _ : state) {
    auto info = InspectPayload(CodecKind::kVp8, payload);
    benchmark::DoNotOptimize(info.ok());
  }
}
BENCHMARK(BM_Vp8InspectViaDispatcher);

}  // namespace
