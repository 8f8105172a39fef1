#pragma once
// Which node holds which mesh-wide SSRC range. The 32-bit space above kBase is cut into
// kCount ranges of kSize SSRCs; a node's origin streams take their SSRCs from its range,
// so streams from two nodes never collide anywhere in the tree. Below kBase stays free for
// what nodes pick before they have a range. Pure state: NodeRegistry decides who gets what.
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace cascade::control {

class SsrcRanges {
 public:
  static constexpr uint32_t kBase = 0x10000000;
  static constexpr uint32_t kSize = 1u << 16;
  static constexpr uint32_t kCount = static_cast<uint32_t>((uint64_t{1} << 32) - kBase) / kSize;  // 61,440

  explicit SsrcRanges(uint64_t seed) : random_(seed) {}

  // A range's first SSRC, as hellos and acks carry it.
  static bool IsRangeStart(uint32_t start) { return start >= kBase && (start - kBase) % kSize == 0; }
  // Who holds the range starting at `start`; null: nobody.
  const std::string* HolderOf(uint32_t start) const;
  // A range nobody holds, or nullopt when all are held. The search starts at a random
  // range: a control that restarted (and forgot what it handed out) then rarely gives a new
  // node a range an old node still uses before that node has reconnected to claim it.
  std::optional<uint32_t> AnyFree();
  // Gives the range to `node`, taking it from whoever held it.
  void Assign(uint32_t start, const std::string& node);
  // Nobody holds the range any more (its node moved to another one).
  void Release(uint32_t start) { holders_.erase(start); }
  size_t held() const { return holders_.size(); }

 private:
  std::map<uint32_t, std::string> holders_;  // range start -> node id
  std::mt19937_64 random_;
};

}  // namespace cascade::control
