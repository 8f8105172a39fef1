#include <doctest/doctest.h>

#include <array>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"

using namespace cascade::base;

TEST_CASE("ByteReader reads big-endian fields and fails past the end") {
  const std::array<uint8_t, 7> data{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
  ByteReader r(data);
  CHECK(r.U16() == 0x1234);
  CHECK(r.U32() == 0x56789abc);
  CHECK(r.ok());
  CHECK(r.remaining() == 1);
  CHECK(r.U16() == 0);  // only one byte left
  CHECK_FALSE(r.ok());
  CHECK(r.U8() == 0);  // stays failed
  CHECK(r.remaining() == 0);
}

TEST_CASE("ByteReader Bytes returns a view and rejects overlong lengths") {
  const std::array<uint8_t, 4> data{1, 2, 3, 4};
  ByteReader r(data);
  auto first = r.Bytes(3);
  REQUIRE(first.size() == 3);
  CHECK(first[2] == 3);
  CHECK(r.Bytes(2).empty());
  CHECK_FALSE(r.ok());
}

TEST_CASE("ByteWriter writes and stops on overflow") {
  std::array<uint8_t, 5> out{};
  ByteWriter w(out);
  w.U32(0xdeadbeef);
  CHECK(w.ok());
  w.U16(0x0102);
  CHECK_FALSE(w.ok());
  CHECK(w.size() == 4);
  CHECK(LoadBe32(out.data()) == 0xdeadbeef);
}

TEST_CASE("Result carries a value or a typed error") {
  enum class E { kBad };
  Result<int, E> good = 5;
  Result<int, E> bad = Fail(E::kBad);
  CHECK(good.ok());
  CHECK(*good == 5);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error() == E::kBad);
}
