#include "core/rtp/RtpPacketBuilder.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace cascade::rtp;

TEST_CASE("RtpPacketBuilder picks the extension form from ids and lengths") {
  const std::vector<uint8_t> small = {1};
  const std::vector<uint8_t> big(17, 2);
  const std::vector<uint8_t> empty;
  struct Case {
    const char* name;
    uint8_t id;
    const std::vector<uint8_t>* value;
    ExtensionForm expected;
  };
  const Case cases[] = {
      {"id 14, 1 byte", 14, &small, ExtensionForm::kOneByte},
      {"id 15", 15, &small, ExtensionForm::kTwoByte},
      {"17 bytes", 1, &big, ExtensionForm::kTwoByte},
      {"empty value", 1, &empty, ExtensionForm::kTwoByte},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::vector<uint8_t> out(100);
    auto size = RtpPacketBuilder(out).AddExtension(c.id, *c.value).Build();
    REQUIRE(size.ok());
    CHECK(*size % 4 == 0);
    out.resize(*size);
    auto p = RtpPacket::Parse(out);
    REQUIRE(p.ok());
    CHECK(p->extension_form() == c.expected);
    CHECK(p->FindExtension(c.id).size() == c.value->size());
    CHECK(p->HasExtension(c.id));
  }
}

TEST_CASE("RtpPacketBuilder reports bad fields and small buffers") {
  const std::vector<uint8_t> value = {1, 2};
  const std::vector<uint8_t> big(17, 0);
  std::vector<uint8_t> out(64);
  CHECK(RtpPacketBuilder(out).SetPayloadType(128).Build().error() == RtpError::kInvalidField);
  CHECK(RtpPacketBuilder(out).AddExtension(0, value).Build().error() == RtpError::kInvalidExtensionId);
  CHECK(RtpPacketBuilder(out)
            .SetExtensionForm(ExtensionForm::kOneByte)
            .AddExtension(15, value)
            .Build()
            .error() == RtpError::kInvalidExtensionId);
  CHECK(
      RtpPacketBuilder(out).SetExtensionForm(ExtensionForm::kOneByte).AddExtension(1, big).Build().error() ==
      RtpError::kInvalidExtensionLength);
  std::vector<uint8_t> tiny(11);
  CHECK(RtpPacketBuilder(tiny).Build().error() == RtpError::kBufferTooSmall);
  std::vector<uint8_t> fits(12);
  CHECK(RtpPacketBuilder(fits).Build().value() == 12u);
  RtpPacketBuilder many(out);
  for (int i = 0; i < 16; ++i) many.AddCsrc(static_cast<uint32_t>(i));
  CHECK(many.Build().error() == RtpError::kInvalidField);
}

TEST_CASE("RtpPacketBuilder writes padding that the parser accepts") {
  const std::vector<uint8_t> payload = {9, 8, 7};
  for (int padding : {1, 2, 255}) {
    CAPTURE(padding);
    std::vector<uint8_t> out(400);
    auto size = RtpPacketBuilder(out)
                    .SetPayload(payload)
                    .SetPadding(static_cast<uint8_t>(padding))
                    .SetMarker(true)
                    .SetSequenceNumber(7)
                    .Build();
    REQUIRE(size.ok());
    out.resize(*size);
    auto p = RtpPacket::Parse(out);
    REQUIRE(p.ok());
    CHECK(p->padding_size() == static_cast<size_t>(padding));
    CHECK(p->payload_size() == 3);
    CHECK(p->marker());
    CHECK(p->sequence_number() == 7);
  }
}
