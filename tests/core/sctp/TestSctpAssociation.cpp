#include "core/sctp/SctpAssociation.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/sctp/SctpLibrary.hpp"
#include "tests/TestData.hpp"

using namespace cascade::sctp;

namespace {

std::span<const uint8_t> AsBytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// One side of an in-memory link: packets emitted go to `outbox`, the Link delivers them to
// the other side (no DTLS in between).
struct Endpoint : SctpAssociation::Listener {
  struct Opened {
    uint16_t stream_id;
    std::string label;
    std::string protocol;
    bool ordered;
    bool locally_initiated;
  };
  struct Message {
    uint16_t stream_id;
    DataChannelMessageType type;
    std::string data;
  };

  std::unique_ptr<SctpAssociation> association;
  std::deque<std::vector<uint8_t>> outbox;
  Endpoint* direct_peer = nullptr;  // set: packets go straight into the peer, from inside usrsctp
  bool connected = false;
  bool closed = false;
  std::vector<Opened> opened;
  std::vector<Message> messages;
  std::vector<uint16_t> closed_channels;
  int buffer_available = 0;
  std::function<void(Endpoint&)> on_message;  // test hook, runs after recording

  void OnSctpAssociationSendPacket(SctpAssociation*, std::span<const uint8_t> packet) override {
    if (direct_peer != nullptr) {
      if (direct_peer->association) direct_peer->association->ProcessSctpData(packet);
      return;
    }
    outbox.emplace_back(packet.begin(), packet.end());
  }
  void OnSctpAssociationConnected(SctpAssociation*) override { connected = true; }
  void OnSctpAssociationClosed(SctpAssociation*) override { closed = true; }
  void OnSctpAssociationDataChannelOpened(SctpAssociation*, const DataChannel& channel) override {
    opened.push_back({channel.stream_id(), channel.label(), channel.protocol(), channel.ordered(),
                      channel.locally_initiated()});
  }
  void OnSctpAssociationMessage(SctpAssociation*, uint16_t stream_id, DataChannelMessageType type,
                                std::span<const uint8_t> data) override {
    messages.push_back({stream_id, type, std::string(data.begin(), data.end())});
    if (on_message) on_message(*this);
  }
  void OnSctpAssociationDataChannelClosed(SctpAssociation*, const DataChannel& channel) override {
    closed_channels.push_back(channel.stream_id());
  }
  void OnSctpAssociationSendBufferAvailable(SctpAssociation*) override { ++buffer_available; }
};

struct Link {
  Endpoint a;  // DTLS client
  Endpoint b;  // DTLS server
  // Returns false to drop a packet (loss); called with the sender.
  std::function<bool(const Endpoint&)> keep = [](const Endpoint&) { return true; };

  explicit Link(SctpAssociationConfig config_a = {}, SctpAssociationConfig config_b = {}) {
    for (auto* config : {&config_a, &config_b}) {
      config->rto_initial_ms = 100;  // keep the loss tests short in real time
      config->rto_min_ms = 50;
    }
    config_a.role = SctpRole::kClient;
    config_b.role = SctpRole::kServer;
    a.association = std::make_unique<SctpAssociation>(config_a, &a);
    b.association = std::make_unique<SctpAssociation>(config_b, &b);
  }

  // Delivers packets both ways until neither side has anything to send.
  void Pump(int max_packets = 200000) {
    for (int n = 0; n < max_packets; ++n) {
      Endpoint* from = !a.outbox.empty() ? &a : (!b.outbox.empty() ? &b : nullptr);
      if (from == nullptr) return;
      Endpoint* to = from == &a ? &b : &a;
      auto packet = std::move(from->outbox.front());
      from->outbox.pop_front();
      if (keep(*from) && to->association) to->association->ProcessSctpData(packet);
    }
  }
  // Runs the timers for `ms` of real time in 10 ms steps, pumping in between (usrsctp checks
  // retransmission eligibility against the wall clock, see SctpLibrary.hpp).
  void Advance(uint32_t ms) {
    for (uint32_t t = 0; t < ms; t += SctpLibrary::kTimerIntervalMs) {
      std::this_thread::sleep_for(std::chrono::milliseconds(SctpLibrary::kTimerIntervalMs));
      SctpLibrary::HandleTimers(SctpLibrary::kTimerIntervalMs);
      Pump();
    }
  }
  void Connect() {
    a.association->Connect();
    b.association->Connect();
    Pump();
    Advance(50);
  }
  uint16_t OpenFromA(const DataChannelParams& params) {
    auto id = a.association->OpenDataChannel(params);
    REQUIRE(id.ok());
    Pump();
    return *id;
  }
};

DataChannelParams Params(const std::string& label, const std::string& protocol = "", bool ordered = true) {
  DataChannelParams params;
  params.label = label;
  params.protocol = protocol;
  params.ordered = ordered;
  return params;
}

}  // namespace

TEST_CASE("Two SctpAssociations connect in memory and negotiate stream counts") {
  SctpAssociationConfig config_a;
  config_a.outbound_streams = 300;
  config_a.inbound_streams = 300;
  Link link(config_a);
  CHECK(SctpLibrary::IsInitialized());
  CHECK(SctpLibrary::AssociationCount() == 2);
  link.Connect();
  REQUIRE(link.a.connected);
  REQUIRE(link.b.connected);
  CHECK(link.a.association->state() == SctpAssociation::State::kConnected);
  CHECK(link.a.association->outbound_streams() == 300);
  CHECK(link.a.association->inbound_streams() == 300);
  CHECK(link.b.association->outbound_streams() == 300);
  CHECK(link.b.association->inbound_streams() == 300);
}

TEST_CASE("A DCEP channel opens on the peer with its label, protocol and role parity") {
  Link link;
  link.Connect();
  const uint16_t chat = link.OpenFromA(Params("chat", "json"));
  CHECK(chat % 2 == 0);  // RFC 8832 §6: the DTLS client picks even ids
  REQUIRE(link.b.opened.size() == 1);
  CHECK(link.b.opened[0].stream_id == chat);
  CHECK(link.b.opened[0].label == "chat");
  CHECK(link.b.opened[0].protocol == "json");
  CHECK(link.b.opened[0].ordered);
  CHECK_FALSE(link.b.opened[0].locally_initiated);
  // The initiator hears about it once the ACK arrives.
  REQUIRE(link.a.opened.size() == 1);
  CHECK(link.a.opened[0].locally_initiated);
  CHECK(link.a.association->FindDataChannel(chat)->state() == DataChannel::State::kOpen);

  auto from_b = link.b.association->OpenDataChannel(Params("b-side"));
  REQUIRE(from_b.ok());
  CHECK(*from_b % 2 == 1);  // the DTLS server picks odd ids
  link.Pump();
  REQUIRE(link.a.opened.size() == 2);
  CHECK(link.a.opened[1].label == "b-side");
}

TEST_CASE("A channel opened before the association is up is announced on connect") {
  Link link;
  auto early = link.a.association->OpenDataChannel(Params("early"));
  REQUIRE(early.ok());
  CHECK(link.a.association->SendMessage(*early, DataChannelMessageType::kText, AsBytes("x")).error() ==
        SctpError::kNotConnected);
  link.Connect();
  REQUIRE(link.b.opened.size() == 1);
  CHECK(link.b.opened[0].label == "early");
}

TEST_CASE("Text and binary messages flow both ways in order") {
  Link link;
  link.Connect();
  const uint16_t chat = link.OpenFromA(Params("chat"));
  for (int i = 0; i < 200; ++i) {
    const std::string text = "a->b " + std::to_string(i);
    const auto type = i % 2 ? DataChannelMessageType::kBinary : DataChannelMessageType::kText;
    REQUIRE(link.a.association->SendMessage(chat, type, AsBytes(text)).ok());
    REQUIRE(link.b.association->SendMessage(chat, type, AsBytes("b->a " + std::to_string(i))).ok());
  }
  link.Pump();
  REQUIRE(link.b.messages.size() == 200);
  REQUIRE(link.a.messages.size() == 200);
  for (int i = 0; i < 200; ++i) {
    const auto type = i % 2 ? DataChannelMessageType::kBinary : DataChannelMessageType::kText;
    CHECK(link.b.messages[i].data == "a->b " + std::to_string(i));
    CHECK(link.b.messages[i].type == type);
    CHECK(link.b.messages[i].stream_id == chat);
    CHECK(link.a.messages[i].data == "b->a " + std::to_string(i));
  }
  CHECK(link.a.association->messages_sent() >= 200);
  CHECK(link.b.association->messages_received() == 200);
}

TEST_CASE("Empty text and binary messages use PPID 56/57 and arrive empty") {
  Link link;
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("empty"));
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kText, {}).ok());
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kBinary, {}).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 2);
  CHECK(link.b.messages[0].data.empty());
  CHECK(link.b.messages[0].type == DataChannelMessageType::kText);
  CHECK(link.b.messages[1].data.empty());
  CHECK(link.b.messages[1].type == DataChannelMessageType::kBinary);
}

TEST_CASE("An unordered channel delivers every message") {
  Link link;
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("unordered", "", false));
  REQUIRE(link.b.opened.size() == 1);
  CHECK_FALSE(link.b.opened[0].ordered);
  CHECK_FALSE(link.b.association->FindDataChannel(id)->ordered());
  std::set<std::string> sent;
  for (int i = 0; i < 100; ++i) {
    sent.insert(std::to_string(i));
    REQUIRE(
        link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes(std::to_string(i))).ok());
  }
  link.Pump();
  std::set<std::string> received;
  for (const auto& m : link.b.messages) received.insert(m.data);
  CHECK(received == sent);
}

TEST_CASE("Partial reliability parameters reach the peer") {
  Link link;
  link.Connect();
  DataChannelParams rexmit = Params("rexmit", "", false);
  rexmit.reliability = DataChannelReliability::kMaxRetransmits;
  rexmit.reliability_parameter = 0;
  DataChannelParams timed = Params("timed");
  timed.reliability = DataChannelReliability::kMaxLifetime;
  timed.reliability_parameter = 150;
  const uint16_t r = link.OpenFromA(rexmit);
  const uint16_t t = link.OpenFromA(timed);
  const DataChannel* on_b = link.b.association->FindDataChannel(r);
  REQUIRE(on_b != nullptr);
  CHECK(on_b->params().reliability == DataChannelReliability::kMaxRetransmits);
  CHECK(on_b->params().reliability_parameter == 0);
  on_b = link.b.association->FindDataChannel(t);
  REQUIRE(on_b != nullptr);
  CHECK(on_b->params().reliability == DataChannelReliability::kMaxLifetime);
  CHECK(on_b->params().reliability_parameter == 150);
  // Lossy link: rexmit-0 messages may be abandoned, but nothing breaks and the timed one
  // still goes through retransmission.
  int sent = 0;
  link.keep = [&sent](const Endpoint&) { return ++sent % 3 != 0; };
  for (int i = 0; i < 30; ++i) {
    REQUIRE(
        link.a.association->SendMessage(r, DataChannelMessageType::kBinary, AsBytes(std::string(100, 'r')))
            .ok());
  }
  link.Pump();
  link.keep = [](const Endpoint&) { return true; };
  link.Advance(500);
  CHECK(link.b.messages.size() <= 30);
  CHECK(link.a.association->state() == SctpAssociation::State::kConnected);
}

TEST_CASE("Messages survive packet loss through retransmission timers") {
  Link link;
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("lossy"));
  int n = 0;
  link.keep = [&n](const Endpoint& from) { return from.association == nullptr || ++n % 4 != 0; };
  for (int i = 0; i < 50; ++i) {
    REQUIRE(
        link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes(std::to_string(i))).ok());
  }
  link.Pump();
  for (int i = 0; i < 100 && link.b.messages.size() < 50; ++i) link.Advance(100);
  REQUIRE(link.b.messages.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(link.b.messages[i].data == std::to_string(i));
}

TEST_CASE("A 64 KiB message arrives whole and larger ones up to the peer limit too") {
  SctpAssociationConfig config_a;
  Link link(config_a);
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("big"));
  std::string big(65536, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 251);
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(big)).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data.size() == 65536);
  CHECK(link.b.messages[0].data == big);
}

TEST_CASE("Messages above the send buffer are handed over in pieces and reassembled") {
  SctpAssociationConfig config;
  config.remote_max_message_size = 0;  // peer takes any size
  config.local_max_message_size = 4 * 1024 * 1024;
  config.send_buffer_size = 64 * 1024;
  config.receive_buffer_size = 128 * 1024;
  Link link(config, config);
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("huge"));
  std::string huge(1024 * 1024, '\0');
  for (size_t i = 0; i < huge.size(); ++i) huge[i] = static_cast<char>(i % 253);
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(huge)).ok());
  CHECK(link.a.association->queued_bytes() > 0);
  // The rest is queued: later messages wait behind it.
  CHECK(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("after")).error() ==
        SctpError::kWouldBlock);
  link.Pump();
  link.Advance(200);
  CHECK(link.a.association->queued_bytes() == 0);
  CHECK(link.a.buffer_available >= 1);
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("after")).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 2);
  CHECK(link.b.messages[0].data == huge);
  CHECK(link.b.messages[1].data == "after");
}

TEST_CASE("A message above the peer's max-message-size is rejected on send") {
  Link link;  // remote_max_message_size defaults to 64 KiB (RFC 8841 §6.1)
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("limit"));
  std::string too_big(65537, 'x');
  auto result = link.a.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(too_big));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error() == SctpError::kMessageTooLarge);
  CHECK(link.a.association->errors().Get(SctpError::kMessageTooLarge) == 1);
  CHECK(link.a.association->SendMessage(999, DataChannelMessageType::kText, AsBytes("x")).error() ==
        SctpError::kUnknownChannel);
}

TEST_CASE("An incoming message above our max-message-size is dropped, later ones still arrive") {
  SctpAssociationConfig config_a;
  config_a.remote_max_message_size = 0;  // a ignores b's limit, as a misbehaving peer would
  SctpAssociationConfig config_b;
  config_b.local_max_message_size = 1000;
  Link link(config_a, config_b);
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("limit"));
  REQUIRE(
      link.a.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(std::string(5000, 'x')))
          .ok());
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("small")).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data == "small");
  CHECK(link.b.association->errors().Get(SctpError::kIncomingTooLarge) == 1);
}

TEST_CASE("Closing a channel resets its stream and notifies both sides") {
  Link link;
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("chat"));
  REQUIRE(link.a.association->CloseDataChannel(id).ok());
  CHECK(link.a.association->FindDataChannel(id)->state() == DataChannel::State::kClosing);
  CHECK(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("x")).error() ==
        SctpError::kChannelClosing);
  link.Pump();
  link.Advance(100);
  REQUIRE(link.b.closed_channels.size() == 1);
  CHECK(link.b.closed_channels[0] == id);
  REQUIRE(link.a.closed_channels.size() == 1);
  CHECK(link.a.closed_channels[0] == id);
  CHECK(link.a.association->DataChannelCount() == 0);
  CHECK(link.b.association->DataChannelCount() == 0);
  // The id is free again once both directions were reset.
  const uint16_t again = link.OpenFromA(Params("chat2"));
  CHECK(again == id);
  REQUIRE(link.b.opened.size() == 2);
  CHECK(link.b.opened[1].label == "chat2");
  REQUIRE(link.a.association->SendMessage(again, DataChannelMessageType::kText, AsBytes("hi")).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data == "hi");
}

TEST_CASE("Negotiated channels skip DCEP and carry data on the agreed id") {
  Link link;
  link.Connect();
  DataChannelParams params = Params("negotiated");
  params.negotiated_id = 7;
  REQUIRE(link.a.association->OpenDataChannel(params).ok());
  REQUIRE(link.b.association->OpenDataChannel(params).ok());
  CHECK(link.a.association->OpenDataChannel(params).error() == SctpError::kStreamInUse);
  REQUIRE(link.a.association->SendMessage(7, DataChannelMessageType::kText, AsBytes("n")).ok());
  link.Pump();
  CHECK(link.b.opened.empty());
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].stream_id == 7);
}

TEST_CASE("Packets handed in from inside usrsctp (direct wiring) are deferred safely") {
  Link link;
  link.a.direct_peer = &link.b;
  link.b.direct_peer = &link.a;
  link.a.association->Connect();
  link.b.association->Connect();
  REQUIRE(link.a.connected);
  REQUIRE(link.b.connected);
  const auto id = link.a.association->OpenDataChannel(Params("direct"));
  REQUIRE(id.ok());
  REQUIRE(link.b.opened.size() == 1);
  // The listener answers from inside its callback.
  link.b.on_message = [](Endpoint& self) {
    if (self.messages.size() <= 3) {
      self.association->SendMessage(self.messages.back().stream_id, DataChannelMessageType::kText,
                                    AsBytes("echo " + self.messages.back().data));
    }
  };
  for (int i = 0; i < 3; ++i) {
    REQUIRE(
        link.a.association->SendMessage(*id, DataChannelMessageType::kText, AsBytes(std::to_string(i))).ok());
  }
  REQUIRE(link.a.messages.size() == 3);
  CHECK(link.a.messages[2].data == "echo 2");
}

TEST_CASE("Destroying an association mid-traffic does not crash") {
  SUBCASE("destroyed between packets") {
    Link link;
    link.Connect();
    const uint16_t id = link.OpenFromA(Params("chat"));
    for (int i = 0; i < 100; ++i) {
      link.a.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(std::string(900, 'z')));
      link.b.association->SendMessage(id, DataChannelMessageType::kBinary, AsBytes(std::string(900, 'y')));
    }
    // Deliver a few packets, then drop b with traffic in flight both ways.
    for (int i = 0; i < 5 && !link.a.outbox.empty(); ++i) {
      link.b.association->ProcessSctpData(link.a.outbox.front());
      link.a.outbox.pop_front();
    }
    link.b.association.reset();
    CHECK(SctpLibrary::AssociationCount() == 1);
    link.Pump();
    link.Advance(500);  // a retransmits into the void
    CHECK(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("x")).ok() ==
          (link.a.association->state() == SctpAssociation::State::kConnected));
  }
  SUBCASE("destroyed by its own listener inside a message callback") {
    Link link;
    link.Connect();
    const uint16_t id = link.OpenFromA(Params("chat"));
    link.b.on_message = [](Endpoint& self) { self.association.reset(); };
    for (int i = 0; i < 20; ++i) {
      link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes(std::to_string(i)));
    }
    link.Pump();
    CHECK(link.b.association == nullptr);
    CHECK(link.b.messages.size() == 1);
    link.Advance(500);
  }
  SUBCASE("the peer aborts: Close() sends ABORT and the other side reports closed") {
    Link link;
    link.Connect();
    link.OpenFromA(Params("chat"));
    link.b.association->Close();
    link.Pump();
    CHECK(link.a.closed);
    CHECK(link.a.association->state() == SctpAssociation::State::kClosed);
  }
  CHECK(SctpLibrary::AssociationCount() == 0);
}

TEST_CASE("Garbage and foreign SCTP packets are absorbed") {
  Link link;
  link.Connect();
  const uint16_t id = link.OpenFromA(Params("chat"));
  const char* files[] = {
      "sctp/sctp_abort.bin",        "sctp/sctp_cookie_echo.bin",        "sctp/sctp_data.bin",
      "sctp/sctp_data_padding.bin", "sctp/sctp_data_truncated.bin",     "sctp/sctp_init.bin",
      "sctp/sctp_heartbeat.bin",    "sctp/sctp_reconfig_reset_out.bin", "sctp/sctp_sack.bin",
      "sctp/sctp_shutdown.bin",     "sctp/sctp_forward_tsn.bin"};
  for (const char* file : files) {
    CAPTURE(file);
    const auto packet = cascade::test::ReadBinary(file);
    REQUIRE_FALSE(packet.empty());
    link.b.association->ProcessSctpData(packet);  // wrong verification tag / checksum: dropped
  }
  const uint8_t junk[] = {1, 2, 3};
  link.b.association->ProcessSctpData(junk);
  link.Pump();
  REQUIRE(link.a.association->SendMessage(id, DataChannelMessageType::kText, AsBytes("still up")).ok());
  link.Pump();
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data == "still up");
}

TEST_CASE("SctpLibrary finishes usrsctp after the last association") {
  {
    Link link;
    link.Connect();
  }
  CHECK(SctpLibrary::AssociationCount() == 0);
  CHECK(SctpLibrary::ReferenceCount() == 0);
  CHECK_FALSE(SctpLibrary::IsInitialized());
  {
    SctpLibrary::Ref ref;
    CHECK(SctpLibrary::IsInitialized());
    SctpLibrary::Tick(1000);
    SctpLibrary::Tick(1020);
  }
  CHECK_FALSE(SctpLibrary::IsInitialized());
}
