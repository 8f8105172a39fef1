#pragma once
// Network byte order loads/stores and a bounds-checked reader: every parser of network
// input reads through these so that no read can pass the end of a packet.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace cascade::base {

inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t LoadBe24(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}
inline uint32_t LoadBe32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline uint64_t LoadBe64(const uint8_t* p) {
  return (static_cast<uint64_t>(LoadBe32(p)) << 32) | LoadBe32(p + 4);
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void StoreBe64(uint8_t* p, uint64_t v) {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}

// Reads big-endian fields from a span; once a read would pass the end the reader
// becomes failed and every later read returns zero, so a parser checks ok() once
// after a group of reads instead of before each one.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t offset() const { return offset_; }
  size_t remaining() const { return ok_ ? data_.size() - offset_ : 0; }
  std::span<const uint8_t> rest() const { return ok_ ? data_.subspan(offset_) : std::span<const uint8_t>{}; }

  uint8_t U8() { return Has(1) ? data_[offset_++] : 0; }
  uint16_t U16() { return Take<uint16_t, 2>(LoadBe16); }
  uint32_t U24() { return Take<uint32_t, 3>(LoadBe24); }
  uint32_t U32() { return Take<uint32_t, 4>(LoadBe32); }
  uint64_t U64() { return Take<uint64_t, 8>(LoadBe64); }
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Has(n)) return {};
    auto out = data_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  void Skip(size_t n) {
    if (Has(n)) offset_ += n;
  }

 private:
  bool Has(size_t n) {
    if (!ok_ || data_.size() - offset_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <typename T, size_t N>
  T Take(T (*load)(const uint8_t*)) {
    if (!Has(N)) return 0;
    T v = load(data_.data() + offset_);
    offset_ += N;
    return v;
  }

  std::span<const uint8_t> data_;
  size_t offset_ = 0;
  bool ok_ = true;
};

// Writes big-endian fields into a caller-owned buffer; fails (and stops writing) on overflow.
class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) : out_(out) {}

  bool ok() const { return ok_; }
  size_t size() const { return offset_; }
  std::span<uint8_t> written() const { return out_.first(offset_); }
  uint8_t* cursor() { return out_.data() + offset_; }

  void U8(uint8_t v) {
    if (Has(1)) out_[offset_++] = v;
  }
  void U16(uint16_t v) {
    Put(2, [&](uint8_t* p) { StoreBe16(p, v); });
  }
  void U24(uint32_t v) {
    Put(3, [&](uint8_t* p) { StoreBe24(p, v); });
  }
  void U32(uint32_t v) {
    Put(4, [&](uint8_t* p) { StoreBe32(p, v); });
  }
  void U64(uint64_t v) {
    Put(8, [&](uint8_t* p) { StoreBe64(p, v); });
  }
  void Bytes(std::span<const uint8_t> bytes) {
    Put(bytes.size(), [&](uint8_t* p) {
      if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
    });
  }
  void Zeros(size_t n) {
    Put(n, [&](uint8_t* p) { std::memset(p, 0, n); });
  }

 private:
  bool Has(size_t n) {
    if (!ok_ || out_.size() - offset_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <typename F>
  void Put(size_t n, F&& store) {
    if (!Has(n)) return;
    store(out_.data() + offset_);
    offset_ += n;
  }

  std::span<uint8_t> out_;
  size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace cascade::base
