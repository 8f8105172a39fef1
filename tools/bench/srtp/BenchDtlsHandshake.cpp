// Time for a complete in-process DTLS 1.2 handshake with use_srtp between two
// DtlsTransports (both sides' CPU: ECDHE on X25519, ECDSA P-256 sign and verify, key export).
// Certificates and contexts are made once, as in the edge and relay.
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "core/base/Log.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/dtls/DtlsTransport.hpp"

namespace {

using namespace cascade::dtls;

struct Endpoint : DtlsTransport::Listener {
  void OnDtlsTransportSendData(DtlsTransport*, std::span<const uint8_t> d) override {
    outbox.emplace_back(d.begin(), d.end());
  }
  void OnDtlsTransportConnected(DtlsTransport*, const cascade::srtp::SrtpKeyMaterial&) override {
    connected = true;
  }
  void OnDtlsTransportApplicationData(DtlsTransport*, std::span<const uint8_t>) override {}
  void OnDtlsTransportFailed(DtlsTransport*, DtlsFailure) override { failed = true; }
  void OnDtlsTransportClosed(DtlsTransport*) override {}
  std::deque<std::vector<uint8_t>> outbox;
  bool connected = false;
  bool failed = false;
};

void BM_DtlsHandshake(benchmark::State& state) {
  cascade::base::Log::SetLevel(cascade::base::LogLevel::kWarn);
  auto client_cert = Certificate::Generate();
  auto server_cert = Certificate::Generate();
  DtlsContext client_context(*client_cert);
  DtlsContext server_context(*server_cert);
  for (auto _ : state) {
    Endpoint a;
    Endpoint b;
    DtlsTransport client(client_context, &a);
    DtlsTransport server(server_context, &b);
    server.Start(DtlsRole::kServer, client_cert->fingerprint());
    client.Start(DtlsRole::kClient, server_cert->fingerprint());
    while (!a.outbox.empty() || !b.outbox.empty()) {
      while (!a.outbox.empty()) {
        server.ReceiveDatagram(a.outbox.front());
        a.outbox.pop_front();
      }
      while (!b.outbox.empty()) {
        client.ReceiveDatagram(b.outbox.front());
        b.outbox.pop_front();
      }
    }
    if (!a.connected || !b.connected) {
      state.SkipWithError("handshake did not complete");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DtlsHandshake)->Unit(benchmark::kMillisecond);

}  // namespace
