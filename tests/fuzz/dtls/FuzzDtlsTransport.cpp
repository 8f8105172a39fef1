// Feeds fuzzed datagrams to a DtlsTransport in either role. Input: one mode byte (bit 0:
// client role, bit 1: call HandleTimeout between datagrams), then datagrams each prefixed by
// a 2-byte big-endian length. Invariants: never crashes, never sends a datagram over the MTU,
// and never connects: the peer's certificate must match a fingerprint no input can forge.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Log.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/dtls/DtlsTransport.hpp"

namespace {

using namespace cascade::dtls;

struct Sink : DtlsTransport::Listener {
  void OnDtlsTransportSendData(DtlsTransport*, std::span<const uint8_t> datagram) override {
    if (datagram.size() > 1200) __builtin_trap();
  }
  void OnDtlsTransportConnected(DtlsTransport*, const cascade::srtp::SrtpKeyMaterial&) override {
    __builtin_trap();
  }
  void OnDtlsTransportApplicationData(DtlsTransport*, std::span<const uint8_t>) override { __builtin_trap(); }
  void OnDtlsTransportFailed(DtlsTransport*, DtlsFailure) override {}
  void OnDtlsTransportClosed(DtlsTransport*) override {}
};

struct World {
  World() : cert(Certificate::Generate()), peer(Certificate::Generate()), context(*cert) {
    cascade::base::Log::SetLevel(cascade::base::LogLevel::kOff);
  }
  std::unique_ptr<Certificate> cert;
  std::unique_ptr<Certificate> peer;
  DtlsContext context;
  Sink sink;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  DtlsTransport transport(world.context, &world.sink);
  transport.Start((mode & 1) != 0 ? DtlsRole::kClient : DtlsRole::kServer, world.peer->fingerprint());
  cascade::base::ByteReader reader(std::span<const uint8_t>(data + 1, size - 1));
  while (reader.remaining() >= 2) {
    const uint16_t length = reader.U16();
    auto datagram = reader.Bytes(std::min<size_t>(length, reader.remaining()));
    transport.ReceiveDatagram(datagram);
    if ((mode & 2) != 0) transport.HandleTimeout();
    (void)transport.NextTimeoutMs();
  }
  if (transport.state() == DtlsState::kConnected) __builtin_trap();
  return 0;
}
