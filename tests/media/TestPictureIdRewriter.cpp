#include "media/PictureIdRewriter.hpp"

#include <doctest/doctest.h>

using cascade::media::PictureIdRewriter;

TEST_CASE("PictureIdRewriter closes the gaps dropped pictures leave") {
  PictureIdRewriter pictures;
  CHECK(pictures.Forward(500, true, false) == 500);  // the first id is kept
  CHECK(pictures.Forward(500, true, false) == 500);  // a second packet of the same picture
  pictures.Drop(501, true);
  pictures.Drop(501, true);  // each picture counts once
  pictures.Drop(502, true);
  CHECK(pictures.dropped_pictures() == 2);
  CHECK(pictures.Forward(503, true, false) == 501);
  CHECK(pictures.Forward(504, true, false) == 502);
}

TEST_CASE("PictureIdRewriter keeps a late packet of an earlier picture on its old id") {
  PictureIdRewriter pictures;
  CHECK(pictures.Forward(10, true, false) == 10);
  pictures.Drop(11, true);
  CHECK(pictures.Forward(12, true, false) == 11);
  CHECK(pictures.Forward(10, true, false) == 10);  // reordered, from before the drop
}

TEST_CASE("PictureIdRewriter continues numbering across a source switch and the wrap") {
  PictureIdRewriter pictures;
  CHECK(pictures.Forward(0x7ffe, true, false) == 0x7ffe);
  CHECK(pictures.Forward(0x7fff, true, false) == 0x7fff);
  CHECK(pictures.Forward(0, true, false) == 0);
  // A simulcast switch: the new layer's ids are unrelated; the viewer's go on by one.
  CHECK(pictures.Forward(9000, true, true) == 1);
  CHECK(pictures.Forward(9001, true, false) == 2);
  // A source with 7-bit ids wraps at 128.
  CHECK(pictures.Forward(126, false, true) == 3);
  pictures.Drop(127, false);
  CHECK(pictures.Forward(0, false, false) == 4);
  CHECK(pictures.Forward(1, false, false) == 5);
}

TEST_CASE("PictureIdRewriter ignores drops before anything was forwarded") {
  PictureIdRewriter pictures;
  pictures.Drop(7, true);
  CHECK(pictures.dropped_pictures() == 0);
  CHECK(pictures.Forward(8, true, false) == 8);
}
