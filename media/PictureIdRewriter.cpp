#include "media/PictureIdRewriter.hpp"

namespace cascade::media {

bool PictureIdRewriter::IsOlder(uint16_t a, uint16_t b, uint16_t modulus) {
  const auto forward = static_cast<uint16_t>((b - a) & (modulus - 1));
  return forward != 0 && forward < modulus / 2;
}

uint16_t PictureIdRewriter::Forward(uint16_t picture_id, bool is_15bit, bool new_source) {
  const uint16_t modulus = Modulus(is_15bit);
  const uint16_t mask = modulus - 1;
  picture_id &= mask;
  if (!started_ || new_source) {
    offset_ = started_ ? static_cast<uint16_t>(last_out_ + 1 - picture_id) : 0;
    started_ = true;
    last_dropped_.reset();
    last_out_ = static_cast<uint16_t>((picture_id + offset_) & mask);
    return last_out_;
  }
  uint16_t offset = offset_;
  if (last_dropped_ && IsOlder(picture_id, *last_dropped_, modulus)) offset = offset_before_drop_;
  const auto out = static_cast<uint16_t>((picture_id + offset) & mask);
  if (IsOlder(last_out_ & mask, out, modulus)) last_out_ = out;
  return out;
}

void PictureIdRewriter::Drop(uint16_t picture_id, bool is_15bit) {
  if (!started_) return;  // nothing sent yet: the first forwarded id is the base anyway
  picture_id &= Modulus(is_15bit) - 1;
  if (last_dropped_ == picture_id) return;
  offset_before_drop_ = offset_;
  --offset_;
  last_dropped_ = picture_id;
  ++dropped_pictures_;
}

}  // namespace cascade::media
