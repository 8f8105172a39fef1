// ns per RTP packet on the forwarding path: parse a typical Chrome video packet (VP8,
// 4 one-byte extensions), rewrite SSRC / sequence / timestamp and remap the extension ids
// to a viewer's negotiated ones; and the same with the transport-wide-cc value rewritten.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <vector>

#include "core/rtp/HeaderExtensions.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"

namespace {

using namespace cascade::rtp;

std::vector<uint8_t> ChromeVideoPacket() {
  const uint8_t abs_send_time[] = {0x12, 0x34, 0x56};
  const uint8_t twcc[] = {0x01, 0x02};
  const uint8_t mid[] = {'1'};
  const uint8_t dd[] = {0x80, 0x00, 0x01};
  std::vector<uint8_t> payload(1100, 0x5a);
  payload[0] = 0x90;
  std::vector<uint8_t> out(1300);
  auto size = RtpPacketBuilder(out)
                  .SetPayloadType(96)
                  .SetMarker(true)
                  .SetSequenceNumber(1000)
                  .SetTimestamp(90000)
                  .SetSsrc(0x11223344)
                  .AddExtension(2, abs_send_time)
                  .AddExtension(3, twcc)
                  .AddExtension(4, mid)
                  .AddExtension(9, dd)
                  .SetPayload(payload)
                  .Build();
  out.resize(size.value());
  return out;
}

std::array<uint8_t, 256> ViewerMap() {
  std::array<uint8_t, 256> map{};
  map[2] = 3;  // abs-send-time
  map[3] = 5;  // transport-wide-cc
  map[4] = 1;  // mid
  map[9] = 0;  // dependency descriptor not negotiated by this viewer: dropped
  return map;
}

void BM_RtpParseRewriteRemap(benchmark::State& state) {
  const auto original = ChromeVideoPacket();
  std::vector<uint8_t> buffer(original);
  // Identity-or-back maps so that every iteration sees the same ids.
  std::array<uint8_t, 256> forward = ViewerMap();
  forward[9] = 9;
  std::array<uint8_t, 256> back{};
  back[3] = 2;
  back[5] = 3;
  back[1] = 4;
  back[9] = 9;
  uint16_t seq = 0;
  for (auto _ : state) {
    auto packet = RtpPacket::Parse(buffer);
    benchmark::DoNotOptimize(packet.ok());
    packet->SetSsrc(0xaabbccdd);
    packet->SetSequenceNumber(++seq);
    packet->SetTimestamp(seq * 3000u);
    auto kept = packet->RemapExtensionIds((seq & 1) ? forward : back);
    benchmark::DoNotOptimize(kept.ok());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_RtpParseRewriteRemap);

// Includes a fresh copy of the packet each time (as a per-viewer fan-out does) and drops
// one extension as padding.
void BM_RtpCopyParseRewriteRemapDrop(benchmark::State& state) {
  const auto original = ChromeVideoPacket();
  std::vector<uint8_t> buffer(original.size());
  const auto map = ViewerMap();
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), original.data(), original.size());
    auto packet = RtpPacket::Parse(buffer);
    packet->SetSsrc(0xaabbccdd);
    packet->SetSequenceNumber(++seq);
    packet->SetTimestamp(seq * 3000u);
    auto kept = packet->RemapExtensionIds(map);
    WriteTransportSequenceNumber(packet->FindMutableExtension(5), seq);
    benchmark::DoNotOptimize(kept.ok());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_RtpCopyParseRewriteRemapDrop);

void BM_RtpParseOnly(benchmark::State& state) {
  auto buffer = ChromeVideoPacket();
  for (auto _ : state) {
    auto packet = RtpPacket::Parse(buffer);
    benchmark::DoNotOptimize(packet.ok());
  }
}
BENCHMARK(BM_RtpParseOnly);

}  // namespace
