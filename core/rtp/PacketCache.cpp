#include "core/rtp/PacketCache.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace cascade::rtp {

PacketCache::PacketCache() : PacketCache(Options{}) {}

PacketCache::PacketCache(Options options) : options_(options) {
  assert(options_.capacity > 0 && options_.capacity <= 32768);  // must stay within half the seq space
  assert(options_.slot_size > 0 && options_.slot_size <= 65535);
  slots_.resize(options_.capacity);
  storage_.resize(options_.capacity * options_.slot_size);
}

bool PacketCache::Insert(uint16_t seq, std::span<const uint8_t> packet, uint64_t now_us) {
  if (packet.size() > options_.slot_size) {
    ++counters_.too_large;
    return false;
  }
  const int64_t unwrapped = unwrapper_.Unwrap(seq);
  if (started_ && unwrapped <= highest_ - static_cast<int64_t>(options_.capacity)) {
    ++counters_.too_old;
    return false;
  }
  highest_ = started_ ? std::max(highest_, unwrapped) : unwrapped;
  started_ = true;
  // Unwrapped numbers start at the first seq (>= 0) and only go below it by reordering;
  // keep the index non-negative either way.
  const auto cap = static_cast<int64_t>(options_.capacity);
  const auto index = static_cast<size_t>(((unwrapped % cap) + cap) % cap);
  Slot& slot = slots_[index];
  slot.seq = unwrapped;
  slot.arrival_us = now_us;
  slot.size = static_cast<uint16_t>(packet.size());
  if (!packet.empty())
    std::memcpy(storage_.data() + index * options_.slot_size, packet.data(), packet.size());
  ++counters_.inserted;
  return true;
}

const PacketCache::Slot* PacketCache::Lookup(uint16_t seq, uint64_t now_us) const {
  const Slot* slot = LookupAnyAge(seq);
  if (slot && now_us > slot->arrival_us && now_us - slot->arrival_us > options_.max_age_us) return nullptr;
  return slot;
}

const PacketCache::Slot* PacketCache::LookupAnyAge(uint16_t seq) const {
  if (!started_) return nullptr;
  const int64_t unwrapped = unwrapper_.PeekUnwrap(seq);
  const auto cap = static_cast<int64_t>(options_.capacity);
  const auto index = static_cast<size_t>(((unwrapped % cap) + cap) % cap);
  const Slot& slot = slots_[index];
  return slot.seq == unwrapped ? &slot : nullptr;
}

std::span<const uint8_t> PacketCache::Bytes(const Slot* slot) const {
  if (!slot) return {};
  const size_t index = static_cast<size_t>(slot - slots_.data());
  return std::span<const uint8_t>(storage_).subspan(index * options_.slot_size, slot->size);
}

std::span<const uint8_t> PacketCache::Find(uint16_t seq, uint64_t now_us) const {
  return Bytes(Lookup(seq, now_us));
}

PacketCache::Stored PacketCache::FindAnyAge(uint16_t seq) const {
  const Slot* slot = LookupAnyAge(seq);
  return slot ? Stored{Bytes(slot), slot->arrival_us} : Stored{};
}

uint64_t PacketCache::ArrivalUs(uint16_t seq, uint64_t now_us) const {
  const Slot* slot = Lookup(seq, now_us);
  return slot ? slot->arrival_us : 0;
}

void PacketCache::Clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  unwrapper_.Reset();
  started_ = false;
  highest_ = 0;
}

}  // namespace cascade::rtp
