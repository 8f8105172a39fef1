#include "core/sctp/DcepMessage.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/sctp/DataChannel.hpp"

using namespace cascade::sctp;

namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

}  // namespace

TEST_CASE("DcepMessage parses a hand-built DATA_CHANNEL_OPEN") {
  // RFC 8832 §5.1: type 3, rexmit unordered (0x81), priority 512, 7 retransmissions,
  // label "chat" (4), protocol "json" (4).
  const auto open = Bytes({0x03, 0x81, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x04,
                           0x00, 0x04, 'c',  'h',  'a',  't',  'j',  's',  'o',  'n'});
  auto parsed = DcepMessage::Parse(open);
  REQUIRE(parsed.ok());
  CHECK(parsed->type() == DcepMessageType::kOpen);
  CHECK(parsed->open().channel_type == DataChannelType::kPartialReliableRexmitUnordered);
  CHECK_FALSE(IsOrdered(parsed->open().channel_type));
  CHECK(parsed->open().priority == 512);
  CHECK(parsed->open().reliability_parameter == 7);
  CHECK(parsed->open().label == "chat");
  CHECK(parsed->open().protocol == "json");
}

TEST_CASE("DcepMessage parses DATA_CHANNEL_ACK") {
  auto parsed = DcepMessage::Parse(Bytes({0x02}));
  REQUIRE(parsed.ok());
  CHECK(parsed->type() == DcepMessageType::kAck);
}

TEST_CASE("DcepMessage ignores the reliability parameter of reliable channels") {
  // RFC 8832 §5.1: "MUST be ignored on the receiving side".
  auto parsed =
      DcepMessage::Parse(Bytes({0x03, 0x00, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00}));
  REQUIRE(parsed.ok());
  CHECK(parsed->open().reliability_parameter == 0);
  CHECK(parsed->open().label.empty());
  CHECK(parsed->open().protocol.empty());
}

TEST_CASE("DcepMessage rejects malformed messages with a typed error") {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    DcepError error;
  };
  const std::vector<Case> cases = {
      {"empty", {}, DcepError::kEmpty},
      {"reserved type 0x00", Bytes({0x00}), DcepError::kUnknownMessageType},
      {"reserved type 0x01", Bytes({0x01}), DcepError::kUnknownMessageType},
      {"reserved type 0xff", Bytes({0xff, 0, 0, 0}), DcepError::kUnknownMessageType},
      {"text 'ping' is not DCEP", Bytes({'p', 'i', 'n', 'g'}), DcepError::kUnknownMessageType},
      {"open type byte only", Bytes({0x03}), DcepError::kTruncatedHeader},
      {"open header cut at 11", Bytes({0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0}),
       DcepError::kTruncatedHeader},
      {"unknown channel type 0x03", Bytes({0x03, 0x03, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}),
       DcepError::kUnknownChannelType},
      {"reserved channel type 0x7f", Bytes({0x03, 0x7f, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}),
       DcepError::kUnknownChannelType},
      {"label longer than message",
       Bytes({0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x00, 'a', 'b'}),
       DcepError::kTruncatedLabel},
      {"label length 0xffff", Bytes({0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0xff, 0xff, 0x00, 0x00}),
       DcepError::kTruncatedLabel},
      {"protocol longer than message",
       Bytes({0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x03, 'a', 'b', 'c'}),
       DcepError::kTruncatedProtocol},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto parsed = DcepMessage::Parse(c.bytes);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error() == c.error);
    CHECK(std::string(ToString(parsed.error())) != "unknown");
  }
}

TEST_CASE("DcepMessage round-trips every channel type through serialize and parse") {
  const DataChannelType types[] = {DataChannelType::kReliable,
                                   DataChannelType::kPartialReliableRexmit,
                                   DataChannelType::kPartialReliableTimed,
                                   DataChannelType::kReliableUnordered,
                                   DataChannelType::kPartialReliableRexmitUnordered,
                                   DataChannelType::kPartialReliableTimedUnordered};
  for (auto type : types) {
    CAPTURE(static_cast<int>(type));
    DcepOpenFields open;
    open.channel_type = type;
    open.priority = 1024;
    open.reliability_parameter = 1500;
    open.label = "label \xc3\xa9";
    open.protocol = "proto";
    std::vector<uint8_t> buffer(DcepMessage::OpenSize(open));
    auto written = DcepMessage::SerializeOpen(open, buffer);
    REQUIRE(written.ok());
    CHECK(*written == buffer.size());
    auto parsed = DcepMessage::Parse(buffer);
    REQUIRE(parsed.ok());
    const bool reliable = type == DataChannelType::kReliable || type == DataChannelType::kReliableUnordered;
    CHECK(parsed->open().channel_type == type);
    CHECK(parsed->open().priority == 1024);
    CHECK(parsed->open().reliability_parameter == (reliable ? 0u : 1500u));
    CHECK(parsed->open().label == open.label);
    CHECK(parsed->open().protocol == open.protocol);
  }
}

TEST_CASE("DcepMessage serializers report small buffers and oversized labels") {
  DcepOpenFields open;
  open.label = "chat";
  std::vector<uint8_t> small(DcepMessage::OpenSize(open) - 1);
  auto written = DcepMessage::SerializeOpen(open, small);
  REQUIRE_FALSE(written.ok());
  CHECK(written.error() == DcepError::kBufferTooSmall);

  std::string huge(70000, 'x');
  open.label = huge;
  std::vector<uint8_t> big(DcepMessage::OpenSize(open));
  written = DcepMessage::SerializeOpen(open, big);
  REQUIRE_FALSE(written.ok());
  CHECK(written.error() == DcepError::kLabelTooLong);

  uint8_t ack[1];
  auto ack_written = DcepMessage::SerializeAck(ack);
  REQUIRE(ack_written.ok());
  CHECK(ack[0] == 0x02);
  CHECK_FALSE(DcepMessage::SerializeAck({}).ok());
}

TEST_CASE("DataChannel params map to and from DCEP channel types") {
  CHECK(ToChannelType(true, DataChannelReliability::kReliable) == DataChannelType::kReliable);
  CHECK(ToChannelType(false, DataChannelReliability::kReliable) == DataChannelType::kReliableUnordered);
  CHECK(ToChannelType(true, DataChannelReliability::kMaxRetransmits) ==
        DataChannelType::kPartialReliableRexmit);
  CHECK(ToChannelType(false, DataChannelReliability::kMaxLifetime) ==
        DataChannelType::kPartialReliableTimedUnordered);
  DcepOpenFields open;
  open.channel_type = DataChannelType::kPartialReliableTimedUnordered;
  open.reliability_parameter = 250;
  open.label = "l";
  const auto params = ToParams(open);
  CHECK_FALSE(params.ordered);
  CHECK(params.reliability == DataChannelReliability::kMaxLifetime);
  CHECK(params.reliability_parameter == 250);
  CHECK(params.label == "l");
}
