// media::Room's tree behaviour with real Links: every link of the room under test is a real
// WebRtcTransport connected over loopback UDP to a plain transport (the peer node), which
// records the RTP and link messages it receives. The room's packets are handed in directly
// (as MediaPlane would after demultiplexing), so what the peers receive is what the room sent.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/dtls/Certificate.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "media/ClientSession.hpp"
#include "media/Link.hpp"
#include "media/LinkMessage.hpp"
#include "media/Room.hpp"
#include "tests/core/transport/TransportTestPeer.hpp"

using namespace cascade;
using namespace cascade::media;
using transport::test::Peer;

namespace {

// This node's end of a link: a Link owning its transport on its own loopback socket, wired
// the way MediaPlane wires it (connected -> Link::OnConnected, channel -> OnChannelOpened).
struct LinkEnd : net::UdpSocket::Listener, transport::WebRtcTransport::Listener {
  LinkEnd(net::Loop& loop, const dtls::Certificate& certificate)
      : context(certificate),
        socket(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0),
               net::UdpSocket::Options{256, 1 << 20}) {}

  void Start(net::Loop& loop, Link::End end, transport::WebRtcTransportConfig config) {
    link = std::make_unique<Link>("peer", end,
                                  std::make_unique<transport::WebRtcTransport>(
                                      socket, context, loop.clock(), std::move(config), this, &drops));
  }
  transport::WebRtcTransport& transport() { return link->transport(); }

  void OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) override {
    switch (ice::PacketDemux::Classify(data)) {
      case ice::PacketKind::kStun: {
        auto message = ice::StunMessage::Parse(data);
        if (message.ok()) transport().ReceiveStun(*message, from);
        break;
      }
      case ice::PacketKind::kDtls: transport().ReceiveDtls(data, from); break;
      case ice::PacketKind::kRtp: transport().ReceiveRtp(data, from); break;
      case ice::PacketKind::kRtcp: transport().ReceiveRtcp(data, from); break;
      default: break;
    }
  }
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport*, const net::SocketAddress&) override {}
  void OnWebRtcTransportConnected(transport::WebRtcTransport*) override { link->OnConnected(); }
  void OnWebRtcTransportRtp(transport::WebRtcTransport*, rtp::RtpPacket&) override {}
  void OnWebRtcTransportRtcp(transport::WebRtcTransport*, std::span<const uint8_t>) override {}
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport*,
                                          const sctp::DataChannel& channel) override {
    link->OnChannelOpened(channel.stream_id(), channel.label());
    channel_open = link->IsLinkChannel(channel.stream_id());
  }
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport*, uint16_t,
                                           sctp::DataChannelMessageType, std::span<const uint8_t>) override {}
  void OnWebRtcTransportEnded(transport::WebRtcTransport*, transport::TransportEnd) override {}

  dtls::DtlsContext context;
  net::UdpSocket socket;
  base::EnumCounters<transport::TransportDrop> drops;
  std::unique_ptr<Link> link;
  bool channel_open = false;
};

// A link of the room under test and the plain transport of the node at its other end.
struct LinkPair {
  // `live`: ticked and connected by the fixture; otherwise the link never connects.
  LinkPair(net::Loop& loop, const dtls::Certificate& ours, const dtls::Certificate& theirs, Link::End end,
           bool live_)
      : local(loop, ours), remote(loop, theirs), live(live_) {
    if (end == Link::End::kParent) {
      // We serve the peer: the peer is the ICE controlling side and DTLS client.
      auto configs = transport::test::MakePairConfigs(theirs, ours, local.socket.local_address());
      local.Start(loop, end, configs.server);
      remote.Start(loop, configs.client);
    } else {
      auto configs = transport::test::MakePairConfigs(ours, theirs, remote.socket.local_address());
      remote.Start(loop, configs.server);
      local.Start(loop, end, configs.client);
    }
  }
  Link& link() { return *local.link; }

  // The peer's side of the cascade-link channel: a child peer opens it, a parent peer
  // accepts the one our child end opens.
  void OpenChannelIfDue() {
    if (local.link->end() == Link::End::kParent && remote.connected && !remote_opened) {
      remote_opened = remote.transport->OpenDataChannel({.label = kLinkChannelLabel}).has_value();
    }
  }
  bool ready() const { return local.channel_open && remote.opened_label == kLinkChannelLabel; }

  // What the peer received on the link channel, parsed.
  std::vector<LinkMessage> Messages() const {
    std::vector<LinkMessage> out;
    for (const auto& text : remote.messages) {
      auto message = ParseLinkMessage(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
      REQUIRE(message.ok());
      out.push_back(*message);
    }
    return out;
  }
  std::vector<std::string> ChatTexts() const {
    std::vector<std::string> out;
    for (const auto& message : Messages()) {
      if (const auto* chat = std::get_if<LinkChat>(&message)) out.push_back(chat->text);
    }
    return out;
  }

  LinkEnd local;
  Peer remote;
  bool live;
  bool remote_opened = false;
};

struct RoomFixture {
  RoomFixture()
      : ours(dtls::Certificate::Generate("room-node")), theirs(dtls::Certificate::Generate("peer-node")) {}

  LinkPair& AddPair(Link::End end, bool live = true) {
    pairs.push_back(std::make_unique<LinkPair>(loop, *ours, *theirs, end, live));
    return *pairs.back();
  }

  // Runs the loop, ticking every transport every 10 ms, until `done` or the timeout.
  template <typename Done>
  bool RunUntil(Done done, uint64_t timeout_ms = 5000) {
    bool finished = false;
    const uint64_t deadline = loop.clock().NowMs() + timeout_ms;
    net::Timer tick(loop, [&] {
      sctp::SctpLibrary::HandleTimers(sctp::SctpLibrary::kTimerIntervalMs);
      for (auto& pair : pairs) {
        if (!pair->live) continue;
        pair->local.transport().OnFastTick();
        pair->remote.transport->OnFastTick();
        pair->OpenChannelIfDue();
      }
      if (done() || loop.clock().NowMs() > deadline) {
        finished = done();
        loop.Stop();
      }
    });
    tick.Start(10, 10);
    loop.Run();
    return finished;
  }
  // Lets whatever is in flight arrive (to check that something did not).
  void Settle() {
    RunUntil([] { return false; }, 150);
  }
  bool ConnectAll() {
    return RunUntil([&] {
      for (auto& pair : pairs) {
        if (pair->live && !pair->ready()) return false;
      }
      return true;
    });
  }
  uint64_t NowUs() { return loop.clock().NowUs(); }

  ~RoomFixture() {
    for (auto& pair : pairs) {
      pair->remote.transport.reset();
      pair->local.link.reset();
    }
  }

  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  std::unique_ptr<dtls::Certificate> ours;
  std::unique_ptr<dtls::Certificate> theirs;
  std::vector<std::unique_ptr<LinkPair>> pairs;
  RoomCounters counters;
  std::vector<uint32_t> allocated;
  uint32_t next_mesh_ssrc = 0x50000001;
  Room::SsrcAllocator allocator = [this] {
    allocated.push_back(next_mesh_ssrc);
    return next_mesh_ssrc++;
  };
};

// A minimal RTP packet (V=2) with a 20-byte payload, in its own buffer.
struct TestPacket {
  TestPacket(uint32_t ssrc, uint16_t seq, uint8_t payload_type = 96) : bytes(32, 0) {
    bytes[0] = 0x80;
    bytes[1] = payload_type;
    bytes[2] = static_cast<uint8_t>(seq >> 8);
    bytes[3] = static_cast<uint8_t>(seq);
    bytes[7] = 0x10;  // timestamp
    for (int i = 0; i < 4; ++i) bytes[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    bytes[12] = 0x10;  // VP8 descriptor: start of partition
  }
  rtp::RtpPacket Parse() {
    auto packet = rtp::RtpPacket::Parse(std::span<uint8_t>(bytes));
    REQUIRE(packet.ok());
    return *packet;
  }
  std::vector<uint8_t> bytes;
};

StreamAnnounce MakeAnnounce(uint32_t ssrc, TrackKind kind = TrackKind::kVideo) {
  StreamAnnounce announce{"lobby",
                          ssrc,
                          kind,
                          kind == TrackKind::kVideo ? codecs::CodecKind::kVp8 : codecs::CodecKind::kOpus,
                          kind == TrackKind::kVideo ? 90000u : 48000u,
                          {}};
  announce.extensions = {{3, rtp::ExtensionUri::kAbsSendTime}, {5, rtp::ExtensionUri::kTransportWideCc}};
  return announce;
}

bool SameAnnounce(const StreamAnnounce& a, const StreamAnnounce& b) {
  return a.room == b.room && a.ssrc == b.ssrc && a.kind == b.kind && a.codec == b.codec &&
         a.clock_rate == b.clock_rate && a.extensions == b.extensions;
}

}  // namespace

TEST_CASE("Room membership without any transport connected") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild, /*live=*/false);
  auto& child = f.AddPair(Link::End::kParent, /*live=*/false);
  Room room("lobby", {}, f.counters, f.allocator);
  CHECK(room.name() == "lobby");
  CHECK(room.empty());
  room.SetParent(&parent.link());
  CHECK(room.parent() == &parent.link());
  CHECK(!room.empty());
  room.AddChild(&child.link());
  room.AddChild(&child.link());  // once only
  CHECK(room.child_count() == 1);
  CHECK(room.HasChild(&child.link()));
  CHECK(!room.HasChild(&parent.link()));
  room.RemoveChild(&child.link());
  CHECK(room.child_count() == 0);
  room.SetParent(nullptr);
  CHECK(room.empty());
  CHECK(f.allocated.empty());  // a relayed room never allocates mesh SSRCs
}

TEST_CASE("Room drops parent packets for unannounced SSRCs and forgets withdrawn streams (no transport)") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild, /*live=*/false);
  auto& child = f.AddPair(Link::End::kParent, /*live=*/false);
  Room room("lobby", {}, f.counters, f.allocator);

  TestPacket before(0x1234, 1);
  auto packet = before.Parse();
  room.OnParentRtp(packet, f.NowUs());  // no parent yet: ignored
  CHECK(parent.link().counters().rtp_packets_received == 0);

  room.SetParent(&parent.link());
  room.AddChild(&child.link());
  room.OnParentRtp(packet, f.NowUs());
  CHECK(parent.link().counters().rtp_packets_received == 1);
  CHECK(parent.link().counters().rtp_bytes_received == 32);
  CHECK(parent.link().counters().unannounced_packets == 1);
  CHECK(child.link().counters().packets_not_sent == 0);  // not even tried

  room.OnAnnounce(MakeAnnounce(0x1234));
  room.OnParentRtp(packet, f.NowUs());
  CHECK(parent.link().counters().unannounced_packets == 1);
  // Announced: the room tries the child, which is not connected.
  CHECK(child.link().counters().packets_not_sent == 1);
  CHECK(f.counters.link_packets_forwarded == 0);

  room.OnWithdraw(0x1234);
  room.OnParentRtp(packet, f.NowUs());
  CHECK(parent.link().counters().unannounced_packets == 2);
  CHECK(child.link().counters().packets_not_sent == 1);
  room.OnWithdraw(0x1234);  // twice: nothing left to withdraw
  room.OnWithdraw(0x9999);  // never announced
  CHECK(parent.link().counters().rtp_packets_received == 3);
}

TEST_CASE("Room relays announces, packets and withdraws from its parent to a connected child") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild, /*live=*/false);  // fed by hand
  auto& child = f.AddPair(Link::End::kParent);
  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&parent.link());

  // (a) A stream announced before the child joins is announced to it on AddChild; the
  // message waits until the child's channel is open.
  const auto video = MakeAnnounce(0x0a0a0a0a);
  room.OnAnnounce(video);
  room.AddChild(&child.link());
  CHECK(child.link().counters().messages_sent == 0);
  REQUIRE(f.ConnectAll());
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 1; }));
  CHECK(!parent.link().connected());
  CHECK(child.link().counters().messages_sent == 1);
  {
    auto messages = child.Messages();
    REQUIRE(std::holds_alternative<StreamAnnounce>(messages[0]));
    CHECK(SameAnnounce(std::get<StreamAnnounce>(messages[0]), video));
  }

  // A stream announced while the child is there is passed on at once.
  const auto audio = MakeAnnounce(0x0b0b0b0b, TrackKind::kAudio);
  room.OnAnnounce(audio);
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 2; }));
  {
    auto messages = child.Messages();
    REQUIRE(std::holds_alternative<StreamAnnounce>(messages[1]));
    CHECK(SameAnnounce(std::get<StreamAnnounce>(messages[1]), audio));
  }

  // (b) An announced stream's packets reach the child under the announced (mesh) SSRC;
  // an unannounced one's are counted on the parent link and go nowhere.
  for (uint16_t seq = 1; seq <= 3; ++seq) {
    TestPacket announced(video.ssrc, seq);
    auto packet = announced.Parse();
    room.OnParentRtp(packet, f.NowUs());
    TestPacket stranger(0x0c0c0c0c, seq);
    auto unknown = stranger.Parse();
    room.OnParentRtp(unknown, f.NowUs());
  }
  CHECK(parent.link().counters().unannounced_packets == 3);
  CHECK(child.link().counters().rtp_packets_sent == 3);
  CHECK(f.counters.link_packets_forwarded == 3);
  REQUIRE(f.RunUntil([&] { return child.remote.rtp_ssrcs.size() >= 3; }));
  f.Settle();
  CHECK(child.remote.rtp_ssrcs == std::vector<uint32_t>{video.ssrc, video.ssrc, video.ssrc});

  // (c) A withdrawn stream is forgotten: withdraw passed on, its packets unannounced now.
  room.OnWithdraw(video.ssrc);
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 3; }));
  {
    auto messages = child.Messages();
    REQUIRE(std::holds_alternative<StreamWithdraw>(messages[2]));
    CHECK(std::get<StreamWithdraw>(messages[2]).room == "lobby");
    CHECK(std::get<StreamWithdraw>(messages[2]).ssrc == video.ssrc);
  }
  TestPacket late(video.ssrc, 4);
  auto packet = late.Parse();
  room.OnParentRtp(packet, f.NowUs());
  CHECK(parent.link().counters().unannounced_packets == 4);
  CHECK(child.link().counters().rtp_packets_sent == 3);

  // Losing the parent withdraws what is left (the audio stream).
  room.SetParent(nullptr);
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 4; }));
  auto messages = child.Messages();
  REQUIRE(std::holds_alternative<StreamWithdraw>(messages[3]));
  CHECK(std::get<StreamWithdraw>(messages[3]).ssrc == audio.ssrc);
  CHECK(f.allocated.empty());
}

TEST_CASE("Room as origin: publisher streams go to children under mesh SSRCs from the allocator") {
  RoomFixture f;
  auto& child = f.AddPair(Link::End::kParent);
  REQUIRE(f.ConnectAll());

  NegotiatedSession negotiated;
  negotiated.payload_types[96] = {TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, true};
  negotiated.payload_types[111] = {TrackKind::kAudio, codecs::CodecKind::kOpus, 48000, true};
  negotiated.extension_by_id[2] = rtp::ExtensionUri::kAbsSendTime;
  negotiated.extension_by_id[4] = rtp::ExtensionUri::kMid;
  ClientSession publisher("pub", "lobby", SessionKind::kPublisher, negotiated, 0, 0);

  Room room("lobby", {}, f.counters, f.allocator);
  room.SetPublisher(&publisher);
  room.AddChild(&child.link());

  // (e) The first packet of a publisher SSRC allocates its mesh SSRC and announces it.
  const uint32_t video_ssrc = 0x11111111;
  const uint32_t audio_ssrc = 0x22222222;
  for (uint16_t seq = 10; seq < 13; ++seq) {
    TestPacket video(video_ssrc, seq, 96);
    auto packet = video.Parse();
    room.OnPublisherRtp(packet, f.NowUs());
  }
  TestPacket audio(audio_ssrc, 1, 111);
  auto audio_packet = audio.Parse();
  room.OnPublisherRtp(audio_packet, f.NowUs());
  // A payload type the publisher did not negotiate (e.g. RTX) starts no stream.
  TestPacket rtx(0x33333333, 1, 97);
  auto rtx_packet = rtx.Parse();
  room.OnPublisherRtp(rtx_packet, f.NowUs());

  REQUIRE(f.allocated == std::vector<uint32_t>{0x50000001, 0x50000002});
  CHECK(child.link().counters().rtp_packets_sent == 4);
  REQUIRE(
      f.RunUntil([&] { return child.remote.rtp_ssrcs.size() >= 4 && child.remote.messages.size() >= 2; }));
  f.Settle();
  CHECK(child.remote.rtp_ssrcs == std::vector<uint32_t>{0x50000001, 0x50000001, 0x50000001, 0x50000002});

  auto messages = child.Messages();
  REQUIRE(messages.size() == 2);
  REQUIRE(std::holds_alternative<StreamAnnounce>(messages[0]));
  const auto& video_announce = std::get<StreamAnnounce>(messages[0]);
  CHECK(video_announce.room == "lobby");
  CHECK(video_announce.ssrc == 0x50000001);
  CHECK(video_announce.kind == TrackKind::kVideo);
  CHECK(video_announce.codec == codecs::CodecKind::kVp8);
  CHECK(video_announce.clock_rate == 90000);
  // The publisher's extension ids, so the child knows what the unchanged packets carry.
  CHECK(video_announce.extensions == std::vector<std::pair<uint8_t, rtp::ExtensionUri>>{
                                         {2, rtp::ExtensionUri::kAbsSendTime}, {4, rtp::ExtensionUri::kMid}});
  REQUIRE(std::holds_alternative<StreamAnnounce>(messages[1]));
  CHECK(std::get<StreamAnnounce>(messages[1]).ssrc == 0x50000002);
  CHECK(std::get<StreamAnnounce>(messages[1]).kind == TrackKind::kAudio);
  CHECK(std::get<StreamAnnounce>(messages[1]).codec == codecs::CodecKind::kOpus);

  // A child joining later hears about both streams, under the same mesh SSRCs.
  auto& late = f.AddPair(Link::End::kParent);
  REQUIRE(f.ConnectAll());
  room.AddChild(&late.link());
  REQUIRE(f.RunUntil([&] { return late.remote.messages.size() == 2; }));
  auto late_messages = late.Messages();
  CHECK(std::get<StreamAnnounce>(late_messages[0]).ssrc == 0x50000001);
  CHECK(std::get<StreamAnnounce>(late_messages[1]).ssrc == 0x50000002);
  CHECK(f.allocated.size() == 2);

  // The publisher leaving withdraws both streams, by mesh SSRC, on every child.
  room.Remove(&publisher);
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 4 && late.remote.messages.size() == 4; }));
  for (auto* pair : {&child, &late}) {
    auto all = pair->Messages();
    REQUIRE(std::holds_alternative<StreamWithdraw>(all[2]));
    REQUIRE(std::holds_alternative<StreamWithdraw>(all[3]));
    CHECK(std::get<StreamWithdraw>(all[2]).ssrc == 0x50000001);
    CHECK(std::get<StreamWithdraw>(all[3]).ssrc == 0x50000002);
  }
}

TEST_CASE("Room chat floods every link but the one it came from") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild);
  auto& first = f.AddPair(Link::End::kParent);
  auto& second = f.AddPair(Link::End::kParent);
  REQUIRE(f.ConnectAll());

  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&parent.link());
  room.AddChild(&first.link());
  room.AddChild(&second.link());

  // (d) From the parent: both children; from a child: the parent and the other child; from
  // a local client: every link.
  room.OnChat(nullptr, &parent.link(), "from parent");
  room.OnChat(nullptr, &first.link(), "from first");
  room.OnChat(nullptr, &second.link(), "from second");
  room.OnChat(nullptr, nullptr, "from a local client");
  CHECK(f.counters.chat_messages == 4);
  REQUIRE(f.RunUntil([&] {
    return parent.remote.messages.size() == 3 && first.remote.messages.size() == 3 &&
           second.remote.messages.size() == 3;
  }));
  f.Settle();
  using Texts = std::vector<std::string>;
  CHECK(parent.ChatTexts() == Texts{"from first", "from second", "from a local client"});
  CHECK(first.ChatTexts() == Texts{"from parent", "from second", "from a local client"});
  CHECK(second.ChatTexts() == Texts{"from parent", "from first", "from a local client"});
  for (auto* pair : {&parent, &first, &second}) {
    CHECK(pair->link().counters().messages_sent == 3);
    for (const auto& message : pair->Messages()) CHECK(std::get<LinkChat>(message).room == "lobby");
  }
}

// Known problem, kept here until it is decided: the escaping of SerializeLinkMessage can make
// a modest chat text more than 64 KiB on the link (a control character becomes "\u0001", six
// bytes; an invalid byte becomes U+FFFD, three). The link transport refuses to send it (its
// peer's max message size is 65536, and ParseLinkMessage would refuse it as too_large anyway),
// so local clients get the message and other nodes do not: the link counts it as not sent.
TEST_CASE("Room chat too large for a link once serialized is counted, not lost silently") {
  RoomFixture f;
  auto& child = f.AddPair(Link::End::kParent);
  REQUIRE(f.ConnectAll());
  Room room("lobby", {}, f.counters, f.allocator);
  room.AddChild(&child.link());

  const std::string text(11'000, '\x01');  // 11 kB: 66 kB once serialized
  room.OnChat(nullptr, nullptr, text);
  CHECK(SerializeLinkMessage(LinkChat{"lobby", text}).size() > kMaxLinkMessageSize);
  f.RunUntil([&] { return !child.remote.messages.empty(); }, 500);
  const auto& counters = child.link().counters();
  // Either it arrives or the link says it could not send it.
  CHECK((child.remote.messages.size() == 1 || counters.messages_not_sent == 1));
}

TEST_CASE("Room keeps at most 16 relayed streams") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild, /*live=*/false);
  auto& child = f.AddPair(Link::End::kParent);
  REQUIRE(f.ConnectAll());
  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&parent.link());
  room.AddChild(&child.link());
  for (uint32_t ssrc = 1; ssrc <= 17; ++ssrc) room.OnAnnounce(MakeAnnounce(ssrc));
  room.OnAnnounce(MakeAnnounce(16));  // an update of a known stream is passed on
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() >= 17; }));
  f.Settle();
  auto messages = child.Messages();
  REQUIRE(messages.size() == 17);
  CHECK(std::get<StreamAnnounce>(messages[15]).ssrc == 16);
  CHECK(std::get<StreamAnnounce>(messages[16]).ssrc == 16);
  TestPacket seventeenth(17, 1);
  auto packet = seventeenth.Parse();
  room.OnParentRtp(packet, f.NowUs());
  CHECK(parent.link().counters().unannounced_packets == 1);
  CHECK(child.link().counters().rtp_packets_sent == 0);
}

TEST_CASE(
    "Room moved to another parent keeps its streams: no withdraw, packets continue from the new parent") {
  RoomFixture f;
  auto& old_parent = f.AddPair(Link::End::kChild, /*live=*/false);
  auto& new_parent = f.AddPair(Link::End::kChild, /*live=*/false);
  auto& child = f.AddPair(Link::End::kParent);
  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&old_parent.link());
  const auto video = MakeAnnounce(0x0d0d0d0d);
  room.OnAnnounce(video);
  room.AddChild(&child.link());
  REQUIRE(f.ConnectAll());
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() == 1; }));
  for (uint16_t seq = 1; seq <= 3; ++seq) {
    TestPacket packet(video.ssrc, seq);
    auto parsed = packet.Parse();
    room.OnParentRtp(parsed, f.NowUs());
  }

  room.MoveToParent(&new_parent.link());
  CHECK(room.parent() == &new_parent.link());
  CHECK(room.has_sources());
  // The same mesh stream from the new parent goes on to the child; the old parent's
  // packets are no longer taken (MediaPlane routes by the room's parent).
  for (uint16_t seq = 4; seq <= 6; ++seq) {
    TestPacket packet(video.ssrc, seq);
    auto parsed = packet.Parse();
    room.OnParentRtp(parsed, f.NowUs());
  }
  CHECK(new_parent.link().counters().rtp_packets_received == 3);
  CHECK(new_parent.link().counters().unannounced_packets == 0);
  REQUIRE(f.RunUntil([&] { return child.remote.rtp_ssrcs.size() >= 6; }));
  f.Settle();
  CHECK(child.remote.rtp_ssrcs.size() == 6);
  CHECK(child.remote.messages.size() == 1);  // the announce only: nothing was withdrawn
}

TEST_CASE("Layer-aware trees: a parent stops a layer its child paused, reports its state, and resumes it") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild, /*live=*/false);  // fed by hand
  auto& child = f.AddPair(Link::End::kParent);
  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&parent.link());
  auto low = MakeAnnounce(0x0a0a0a01);
  low.layer = "q";
  auto high = MakeAnnounce(0x0a0a0a02);
  high.layer = "f";
  const auto audio = MakeAnnounce(0x0b0b0b0b, TrackKind::kAudio);
  for (const auto& announce : {low, high, audio}) room.OnAnnounce(announce);
  room.AddChild(&child.link());
  REQUIRE(f.ConnectAll());

  auto send_round = [&](uint16_t seq) {
    for (uint32_t ssrc : {low.ssrc, high.ssrc, audio.ssrc}) {
      TestPacket bytes(ssrc, seq, ssrc == audio.ssrc ? 111 : 96);
      auto packet = bytes.Parse();
      room.OnParentRtp(packet, f.NowUs());
    }
  };
  room.OnChildSubscription(&child.link(), StreamSubscription{"lobby", {high.ssrc}}, f.NowUs());
  for (uint16_t seq = 1; seq <= 3; ++seq) send_round(seq);
  REQUIRE(f.RunUntil([&] { return child.remote.rtp_ssrcs.size() >= 6; }));
  f.Settle();
  CHECK(std::count(child.remote.rtp_ssrcs.begin(), child.remote.rtp_ssrcs.end(), high.ssrc) == 0);
  CHECK(std::count(child.remote.rtp_ssrcs.begin(), child.remote.rtp_ssrcs.end(), low.ssrc) == 3);
  LinkSubscriber* subscriber = room.children().front().get();
  auto traffic_of = [&](const std::string& layer) {
    for (const auto& t : subscriber->traffic()) {
      if (t.layer == layer) return t;
    }
    return LinkSubscriber::LayerTraffic{};
  };
  CHECK(traffic_of("f").paused_packets == 3);
  CHECK(traffic_of("f").bytes == 0);
  CHECK(traffic_of("q").packets == 3);

  // The child does not measure what it paused: the parent tells it what the streams do.
  const size_t before = child.remote.messages.size();
  room.OnTick(f.NowUs());
  REQUIRE(f.RunUntil([&] { return child.remote.messages.size() > before; }));
  bool states_seen = false;
  for (const auto& message : child.Messages()) {
    if (const auto* states = std::get_if<StreamStates>(&message)) {
      states_seen = states->streams.size() == 3 && states->room == "lobby";
    }
  }
  CHECK(states_seen);

  // Wanted again: the layer flows at once.
  room.OnChildSubscription(&child.link(), StreamSubscription{"lobby", {}}, f.NowUs());
  send_round(4);
  REQUIRE(f.RunUntil([&] {
    return std::count(child.remote.rtp_ssrcs.begin(), child.remote.rtp_ssrcs.end(), high.ssrc) == 1;
  }));
  CHECK(traffic_of("f").packets == 1);
}

TEST_CASE("Layer-aware trees: a relay pauses upstream what none of its children wants, after a linger") {
  RoomFixture f;
  auto& parent = f.AddPair(Link::End::kChild);
  auto& child = f.AddPair(Link::End::kParent);
  Room room("lobby", {}, f.counters, f.allocator);
  room.SetParent(&parent.link());
  auto low = MakeAnnounce(0x0a0a0a01);
  low.layer = "q";
  auto high = MakeAnnounce(0x0a0a0a02);
  high.layer = "f";
  room.OnAnnounce(low);
  room.OnAnnounce(high);
  room.AddChild(&child.link());
  REQUIRE(f.ConnectAll());
  const uint64_t start = f.NowUs();
  room.OnChildSubscription(&child.link(), StreamSubscription{"lobby", {high.ssrc}}, start);
  room.UpdateSubscription(start + 500'000);  // within the linger: nothing paused yet
  f.Settle();
  auto subscriptions = [&] {
    std::vector<StreamSubscription> out;
    for (const auto& message : parent.Messages()) {
      if (const auto* s = std::get_if<StreamSubscription>(&message)) out.push_back(*s);
    }
    return out;
  };
  CHECK(subscriptions().empty());
  room.UpdateSubscription(start + 2'500'000);
  REQUIRE(f.RunUntil([&] { return !subscriptions().empty(); }));
  CHECK(subscriptions().back().paused == std::vector<uint32_t>{high.ssrc});
  CHECK(room.FindStream(high.ssrc)->paused());
  CHECK(f.counters.layers_paused == 1);
  // The paused layer stays known to layer selectors through the parent's reports.
  room.OnParentStates(StreamStates{"lobby", {{high.ssrc, 1'200'000, 720, 3, true}}}, start + 2'600'000);
  CHECK(room.FindStream(high.ssrc)->bitrate_bps() == 1'200'000);
  CHECK(room.FindStream(high.ssrc)->live(start + 2'700'000));
  // A child wanting it again resumes it upstream at once.
  room.OnChildSubscription(&child.link(), StreamSubscription{"lobby", {}}, start + 3'000'000);
  REQUIRE(f.RunUntil([&] { return subscriptions().size() == 2; }));
  CHECK(subscriptions().back().paused.empty());
  CHECK_FALSE(room.FindStream(high.ssrc)->paused());
  CHECK(f.counters.layers_resumed == 1);
}
