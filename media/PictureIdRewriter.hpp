#pragma once
// Keeps a viewer's VP8/VP9 picture ids continuous while the forwarder drops whole pictures
// (temporal layers) or splices sources (a simulcast switch): libwebrtc's reference finder
// treats a gap in picture ids as frames still to come and holds every later frame that might
// depend on them, so a TL0-only viewer would stall without this. Pure bookkeeping: the room
// writes the result (codecs::WriteVp8PictureId).
//
//   dropped picture:    pictures.Drop(*info.picture_id, info.picture_id_15bit);
//   forwarded packet:   auto id = pictures.Forward(*info.picture_id, info.picture_id_15bit,
//                                                  first_packet_of_new_source);
//                       codecs::WriteVp8PictureId(packet.mutable_payload(), id);
#include <cstdint>
#include <optional>

namespace cascade::media {

class PictureIdRewriter {
 public:
  // The id to send for a packet of picture `picture_id` (7 or 15 bits wide). On a new source
  // (`new_source`, the rewriter's new segment: a keyframe) numbering continues after the
  // newest id sent.
  uint16_t Forward(uint16_t picture_id, bool is_15bit, bool new_source);
  // A picture the viewer does not get: later ones move down by one (each picture counts
  // once however many of its packets are dropped).
  void Drop(uint16_t picture_id, bool is_15bit);

  uint64_t dropped_pictures() const { return dropped_pictures_; }

 private:
  static uint16_t Modulus(bool is_15bit) { return is_15bit ? 0x8000 : 0x80; }
  // True when `a` comes before `b` in the circular id space.
  static bool IsOlder(uint16_t a, uint16_t b, uint16_t modulus);

  bool started_ = false;
  uint16_t offset_ = 0;  // added to source ids, modulo the width
  uint16_t last_out_ = 0;
  std::optional<uint16_t> last_dropped_;
  uint16_t offset_before_drop_ = 0;  // for late packets of pictures before the last drop
  uint64_t dropped_pictures_ = 0;
};

}  // namespace cascade::media
