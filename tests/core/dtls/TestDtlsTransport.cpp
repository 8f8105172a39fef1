#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/dtls/DtlsTransport.hpp"
#include "core/srtp/SrtpSession.hpp"

using namespace cascade;
using namespace cascade::dtls;
using Bytes = std::vector<uint8_t>;

namespace {

// One endpoint: its own certificate and context, and a queue of datagrams it sent.
struct Peer : DtlsTransport::Listener {
  explicit Peer(DtlsTransport::Options options = {})
      : cert(Certificate::Generate()), context(*cert), transport(context, this, options) {}

  void OnDtlsTransportSendData(DtlsTransport*, std::span<const uint8_t> datagram) override {
    CHECK(datagram.size() <= 1200);
    outbox.emplace_back(datagram.begin(), datagram.end());
    ++sent;
  }
  void OnDtlsTransportConnected(DtlsTransport*, const srtp::SrtpKeyMaterial& k) override {
    keys = k;
    ++connected;
  }
  void OnDtlsTransportApplicationData(DtlsTransport*, std::span<const uint8_t> data) override {
    received.emplace_back(data.begin(), data.end());
  }
  void OnDtlsTransportFailed(DtlsTransport*, DtlsFailure r) override { failed = r; }
  void OnDtlsTransportClosed(DtlsTransport*) override { ++closed; }

  std::unique_ptr<Certificate> cert;
  DtlsContext context;
  DtlsTransport transport;
  std::deque<Bytes> outbox;
  std::vector<Bytes> received;
  std::optional<srtp::SrtpKeyMaterial> keys;
  std::optional<DtlsFailure> failed;
  int connected = 0;
  int closed = 0;
  int sent = 0;
};

// Delivers queued datagrams both ways until both are quiet; `drop` may discard some.
void Pump(Peer& a, Peer& b, const std::function<bool(const Peer& from, const Bytes&)>& drop = nullptr) {
  for (int rounds = 0; rounds < 100 && (!a.outbox.empty() || !b.outbox.empty()); ++rounds) {
    for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      while (!from->outbox.empty()) {
        Bytes d = std::move(from->outbox.front());
        from->outbox.pop_front();
        if (drop && drop(*from, d)) continue;
        to->transport.ReceiveDatagram(d);
      }
    }
  }
}

void Start(Peer& client, Peer& server) {
  server.transport.Start(DtlsRole::kServer, client.cert->fingerprint());
  client.transport.Start(DtlsRole::kClient, server.cert->fingerprint());
}

}  // namespace

TEST_CASE("DtlsTransport handshakes in both role assignments and derives matching keys") {
  for (bool first_is_client : {true, false}) {
    CAPTURE(first_is_client);
    Peer a;
    Peer b;
    Peer& client = first_is_client ? a : b;
    Peer& server = first_is_client ? b : a;
    Start(client, server);
    CHECK(client.transport.state() == DtlsState::kConnecting);
    Pump(a, b);
    REQUIRE(client.transport.state() == DtlsState::kConnected);
    REQUIRE(server.transport.state() == DtlsState::kConnected);
    CHECK(client.connected == 1);
    CHECK(server.connected == 1);
    REQUIRE(client.keys);
    REQUIRE(server.keys);
    // Both derive the same RFC 5764 §4.2 material, GCM preferred.
    CHECK(client.keys->profile == srtp::SrtpProfile::kAeadAes128Gcm);
    CHECK(*client.keys == *server.keys);
    CHECK(client.keys->client_write_key != client.keys->server_write_key);
    CHECK(client.transport.srtp_profile() == srtp::SrtpProfile::kAeadAes128Gcm);
    CHECK_FALSE(client.transport.NextTimeoutMs().has_value());
  }
}

TEST_CASE("DtlsTransport negotiates the profile both sides offer") {
  using P = srtp::SrtpProfile;
  struct Case {
    std::vector<P> client;
    std::vector<P> server;
    std::optional<P> expected;
  };
  const Case cases[] = {
      {{P::kAeadAes128Gcm, P::kAes128CmSha1_80}, {P::kAeadAes128Gcm, P::kAes128CmSha1_80}, P::kAeadAes128Gcm},
      {{P::kAes128CmSha1_80}, {P::kAeadAes128Gcm, P::kAes128CmSha1_80}, P::kAes128CmSha1_80},
      {{P::kAeadAes128Gcm, P::kAes128CmSha1_80}, {P::kAes128CmSha1_80}, P::kAes128CmSha1_80},
      {{P::kAeadAes128Gcm}, {P::kAes128CmSha1_80}, std::nullopt},
  };
  for (const auto& c : cases) {
    DtlsTransport::Options client_options;
    client_options.srtp_profiles = c.client;
    DtlsTransport::Options server_options;
    server_options.srtp_profiles = c.server;
    Peer client(client_options);
    Peer server(server_options);
    Start(client, server);
    Pump(client, server);
    if (c.expected) {
      REQUIRE(client.keys);
      REQUIRE(server.keys);
      CHECK(client.keys->profile == *c.expected);
      CHECK(*client.keys == *server.keys);
    } else {
      // No common profile: the client sees no use_srtp in the ServerHello (RFC 5764 §4.1.1).
      CHECK(client.failed == DtlsFailure::kNoSrtpProfile);
      CHECK(client.context.failures().Get(DtlsFailure::kNoSrtpProfile) == 1);
    }
  }
}

TEST_CASE("DtlsTransport fails on a fingerprint mismatch, on either side") {
  for (bool client_has_wrong : {true, false}) {
    CAPTURE(client_has_wrong);
    Peer client;
    Peer server;
    auto stranger = Certificate::Generate();
    server.transport.Start(DtlsRole::kServer,
                           client_has_wrong ? client.cert->fingerprint() : stranger->fingerprint());
    client.transport.Start(DtlsRole::kClient,
                           client_has_wrong ? stranger->fingerprint() : server.cert->fingerprint());
    Pump(client, server);
    Peer& checker = client_has_wrong ? client : server;
    Peer& other = client_has_wrong ? server : client;
    CHECK(checker.transport.state() == DtlsState::kFailed);
    CHECK(checker.failed == DtlsFailure::kFingerprintMismatch);
    CHECK(checker.transport.failure() == DtlsFailure::kFingerprintMismatch);
    CHECK_FALSE(checker.transport.failure_detail().empty());
    CHECK(checker.context.failures().Get(DtlsFailure::kFingerprintMismatch) == 1);
    CHECK(checker.connected == 0);
    // The peer hears the alert and fails as well; no keys anywhere.
    CHECK(other.connected == 0);
    CHECK(other.transport.state() == DtlsState::kFailed);
    CHECK(other.failed == DtlsFailure::kPeerAlert);
  }
}

TEST_CASE("DtlsTransport retransmits a dropped flight after its timeout") {
  for (bool drop_client_flight : {true, false}) {
    CAPTURE(drop_client_flight);
    Peer client;
    Peer server;
    Start(client, server);
    // Drop the first flight of one side only (its first burst of datagrams).
    bool dropping = true;
    const Peer* victim = drop_client_flight ? &client : &server;
    Pump(client, server, [&](const Peer& from, const Bytes&) { return dropping && &from == victim; });
    dropping = false;
    CHECK(client.transport.state() == DtlsState::kConnecting);

    Peer& waiting = drop_client_flight ? client : server;
    auto timeout = waiting.transport.NextTimeoutMs();
    REQUIRE(timeout.has_value());
    CHECK(*timeout <= 100);  // our initial 100 ms, not OpenSSL's 1 s
    const int sent_before = waiting.sent;
    waiting.transport.HandleTimeout();  // too early: nothing is resent
    if (*timeout > 5) CHECK(waiting.sent == sent_before);
    std::this_thread::sleep_for(std::chrono::milliseconds(*timeout + 5));
    CHECK(*waiting.transport.NextTimeoutMs() == 0);
    waiting.transport.HandleTimeout();
    CHECK(waiting.sent > sent_before);
    // The next timeout doubled (RFC 6347 §4.2.4.1).
    CHECK(*waiting.transport.NextTimeoutMs() > 100);
    Pump(client, server);
    CHECK(client.transport.state() == DtlsState::kConnected);
    CHECK(server.transport.state() == DtlsState::kConnected);
    REQUIRE(client.keys);
    CHECK(*client.keys == *server.keys);
  }
}

TEST_CASE("DtlsTransport carries application data both ways and closes with close_notify") {
  Peer client;
  Peer server;
  Start(client, server);
  Pump(client, server);
  REQUIRE(client.transport.state() == DtlsState::kConnected);

  const Bytes hello{'s', 'c', 't', 'p'};
  const Bytes big(1100, 0x5a);
  CHECK(client.transport.SendApplicationData(hello));
  CHECK(server.transport.SendApplicationData(big));
  CHECK_FALSE(client.transport.SendApplicationData(Bytes(1300, 1)));  // does not fit one record
  Pump(client, server);
  REQUIRE(server.received.size() == 1);
  CHECK(server.received[0] == hello);
  REQUIRE(client.received.size() == 1);
  CHECK(client.received[0] == big);

  client.transport.Close();
  CHECK(client.transport.state() == DtlsState::kClosed);
  Pump(client, server);
  CHECK(server.closed == 1);
  CHECK(server.transport.state() == DtlsState::kClosed);
  CHECK_FALSE(server.transport.SendApplicationData(hello));
  CHECK(client.closed == 0);  // a local Close() reports nothing
}

TEST_CASE("DtlsTransport counts and ignores garbage datagrams") {
  Peer client;
  Peer server;
  server.transport.ReceiveDatagram(Bytes{22, 254, 253});  // before Start
  CHECK(server.transport.drops().Get(DtlsDrop::kNotStarted) == 1);
  Start(client, server);

  struct Case {
    Bytes datagram;
    DtlsDrop expected;
  };
  Bytes header_only{22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10};  // claims 10 bytes, has 0
  Bytes bad_version{22, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  Bytes bad_type{40, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // Epoch 1, 4 bytes: shorter than any cipher's overhead (OpenSSL 3.0 would fail on it).
  Bytes short_encrypted{23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 9, 0, 4, 1, 2, 3, 4};
  const Case cases[] = {
      {{0x00, 0x01, 0x00, 0x00}, DtlsDrop::kNotDtls},  // STUN
      {{0x80, 0x60, 0x00, 0x01}, DtlsDrop::kNotDtls},  // RTP
      {{}, DtlsDrop::kNotDtls},
      {{22, 254}, DtlsDrop::kMalformedRecord},
      {header_only, DtlsDrop::kMalformedRecord},
      {bad_type, DtlsDrop::kMalformedRecord},
      {short_encrypted, DtlsDrop::kMalformedRecord},
      {bad_version, DtlsDrop::kBadVersion},
  };
  for (const auto& c : cases) {
    const uint64_t before = server.transport.drops().Get(c.expected);
    server.transport.ReceiveDatagram(c.datagram);
    CHECK(server.transport.drops().Get(c.expected) == before + 1);
  }
  // Well-framed records with garbage content: OpenSSL discards them silently.
  Bytes framed{23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40};
  framed.resize(13 + 40, 7);
  server.transport.ReceiveDatagram(framed);
  CHECK(server.transport.state() == DtlsState::kConnecting);

  Pump(client, server);
  REQUIRE(client.transport.state() == DtlsState::kConnected);
  REQUIRE(server.transport.state() == DtlsState::kConnected);
  // After the handshake, forged application records are dropped by the record MAC.
  server.transport.ReceiveDatagram(framed);
  Bytes mangled = framed;
  mangled[4] = 1;  // epoch 1, but not a valid record
  server.transport.ReceiveDatagram(mangled);
  server.transport.ReceiveDatagram(short_encrypted);
  client.transport.ReceiveDatagram(short_encrypted);
  CHECK(server.transport.state() == DtlsState::kConnected);
  CHECK(client.transport.state() == DtlsState::kConnected);
  CHECK(client.transport.drops().Get(DtlsDrop::kMalformedRecord) == 1);
  CHECK(server.received.empty());
  CHECK(server.context.drops().Total() == server.transport.drops().Total());
}

TEST_CASE("DTLS-SRTP end to end: exported keys protect on one side and unprotect on the other") {
  Peer client;
  Peer server;
  Start(client, server);
  Pump(client, server);
  REQUIRE(client.keys);
  REQUIRE(server.keys);
  auto client_srtp = srtp::SrtpSession::Create(*client.keys, srtp::SrtpRole::kClient);
  auto server_srtp = srtp::SrtpSession::Create(*server.keys, srtp::SrtpRole::kServer);
  REQUIRE(client_srtp.ok());
  REQUIRE(server_srtp.ok());

  Bytes rtp(12 + 160, 0x11);
  rtp[0] = 0x80;
  rtp[1] = 111;
  rtp[3] = 1;
  rtp[11] = 42;
  const Bytes plain = rtp;
  for (auto [from, to] : {std::pair{client_srtp->get(), server_srtp->get()},
                          std::pair{server_srtp->get(), client_srtp->get()}}) {
    Bytes buffer = plain;
    buffer.resize(plain.size() + srtp::SrtpSession::kMaxRtpOverhead);
    auto len = from->ProtectRtp(buffer, plain.size());
    REQUIRE(len.ok());
    CHECK(*len == plain.size() + 16);  // GCM tag
    auto back = to->UnprotectRtp(buffer, *len);
    REQUIRE(back.ok());
    buffer.resize(*back);
    CHECK(buffer == plain);
  }
}
