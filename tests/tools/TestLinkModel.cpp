#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/base/Clock.hpp"
#include "tools/linkemu/LinkModel.hpp"

using namespace cascade;
using linkemu::DropReason;
using linkemu::LinkModel;
using linkemu::LinkParams;

namespace {

// Feeds `count` packets of `bytes`, one every `gap_us`, and returns the decisions.
std::vector<LinkModel::Decision> Feed(LinkModel& model, LinkModel::Rng& rng, base::ManualClock& clock,
                                      size_t count, size_t bytes = 1200, uint64_t gap_us = 1000) {
  std::vector<LinkModel::Decision> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    out.push_back(model.Decide(clock.NowUs(), bytes, rng));
    clock.AdvanceUs(gap_us);
  }
  return out;
}

}  // namespace

TEST_CASE("LinkModel random loss rate matches the probability over 100k packets") {
  LinkParams p;
  p.loss = 0.05;
  LinkModel model(p);
  LinkModel::Rng rng(7);
  base::ManualClock clock;
  const auto d = Feed(model, rng, clock, 100'000);
  size_t dropped = 0;
  for (const auto& x : d) dropped += x.drop ? 1 : 0;
  CHECK(static_cast<double>(dropped) / 100'000 == doctest::Approx(0.05).epsilon(0.06));
  CHECK(model.counters().drops.Get(DropReason::kRandomLoss) == dropped);
  CHECK(model.counters().packets == 100'000);
}

TEST_CASE("LinkModel Gilbert-Elliott loss: stationary rate and mean burst length 1/p_bad_to_good") {
  LinkParams p;
  p.burst_p_good_to_bad = 0.01;
  p.burst_p_bad_to_good = 0.25;
  p.burst_loss_in_bad = 1.0;
  LinkModel model(p);
  LinkModel::Rng rng(42);
  base::ManualClock clock;
  const auto d = Feed(model, rng, clock, 100'000);
  size_t dropped = 0, bursts = 0;
  bool previous = false;
  for (const auto& x : d) {
    if (x.drop) {
      CHECK(x.reason == DropReason::kBurstLoss);
      ++dropped;
      if (!previous) ++bursts;
    }
    previous = x.drop;
  }
  const double expected_rate = 0.01 / (0.01 + 0.25);  // π_bad · loss_in_bad
  CHECK(static_cast<double>(dropped) / 100'000 == doctest::Approx(expected_rate).epsilon(0.1));
  CHECK(static_cast<double>(dropped) / static_cast<double>(bursts) == doctest::Approx(1 / 0.25).epsilon(0.1));
}

TEST_CASE("LinkModel delay and uniform jitter stay within bounds and keep order") {
  LinkParams p;
  p.delay_ms = 30;
  p.jitter_ms = 5;
  LinkModel model(p);
  LinkModel::Rng rng(1);
  base::ManualClock clock;
  uint64_t previous = 0;
  double min_delay = 1e9, max_delay = 0;
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t now = clock.NowUs();
    const auto d = model.Decide(now, 1000, rng);
    REQUIRE_FALSE(d.drop);
    CHECK(d.departure_us >= previous);  // never reordered
    previous = d.departure_us;
    const double delay_ms = static_cast<double>(d.departure_us - now) / 1000;
    min_delay = std::min(min_delay, delay_ms);
    max_delay = std::max(max_delay, delay_ms);
    clock.AdvanceUs(20'000);  // far apart: the ordering floor never applies
  }
  CHECK(min_delay >= 25.0);
  CHECK(max_delay <= 35.0);
  CHECK(min_delay < 25.5);  // the whole range is used
  CHECK(max_delay > 34.5);
}

TEST_CASE("LinkModel keeps order under jitter unless allow_reorder") {
  LinkParams p;
  p.delay_ms = 20;
  p.jitter_ms = 10;
  p.jitter_distribution = linkemu::JitterDistribution::kNormal;
  for (bool reorder : {false, true}) {
    p.allow_reorder = reorder;
    LinkModel model(p);
    LinkModel::Rng rng(3);
    base::ManualClock clock;
    const auto d = Feed(model, rng, clock, 5000, 200, 500);
    size_t inversions = 0;
    for (size_t i = 1; i < d.size(); ++i) inversions += d[i].departure_us < d[i - 1].departure_us ? 1 : 0;
    if (reorder) {
      CHECK(inversions > 100);
    } else {
      CHECK(inversions == 0);
    }
  }
}

TEST_CASE("LinkModel rate cap: throughput equals the rate and the queue drops the excess") {
  LinkParams p;
  p.rate_bps = 1'000'000;  // 1 Mbit/s
  p.queue_ms = 50;
  LinkModel model(p);
  LinkModel::Rng rng(5);
  base::ManualClock clock;
  // Offer 2 Mbit/s for 10 s: 1250-byte packets every 5 ms.
  const auto d = Feed(model, rng, clock, 2000, 1250, 5000);
  size_t sent = 0;
  uint64_t last = 0;
  for (const auto& x : d) {
    if (x.drop) {
      CHECK(x.reason == DropReason::kQueueFull);
      continue;
    }
    ++sent;
    last = x.departure_us;
  }
  const double seconds = static_cast<double>(last - 1'000'000) / 1e6;
  const double bps = static_cast<double>(sent) * 1250 * 8 / seconds;
  CHECK(bps == doctest::Approx(1e6).epsilon(0.02));
  CHECK(model.counters().drops.Get(DropReason::kQueueFull) == doctest::Approx(1000).epsilon(0.05));

  // Below the rate nothing is dropped and each packet only waits its own serialization.
  LinkModel light(p);
  base::ManualClock clock2;
  for (const auto& x : Feed(light, rng, clock2, 1000, 1250, 20'000)) {
    CHECK_FALSE(x.drop);
  }
}

TEST_CASE("LinkModel queue_packets bounds the rate-cap queue") {
  LinkParams p;
  p.rate_bps = 100'000;
  p.queue_ms = 0;
  p.queue_packets = 10;
  LinkModel model(p);
  LinkModel::Rng rng(5);
  base::ManualClock clock;
  const auto d = Feed(model, rng, clock, 100, 1000, 0);  // a burst of 100 at one instant
  size_t sent = 0;
  for (const auto& x : d) sent += x.drop ? 0 : 1;
  CHECK(sent == 10);
  CHECK(model.counters().drops.Get(DropReason::kQueueFull) == 90);
}

TEST_CASE("LinkModel duplicates at the configured rate") {
  LinkParams p;
  p.duplicate = 0.1;
  LinkModel model(p);
  LinkModel::Rng rng(9);
  base::ManualClock clock;
  size_t dup = 0;
  for (const auto& x : Feed(model, rng, clock, 20'000)) dup += x.duplicate ? 1 : 0;
  CHECK(static_cast<double>(dup) / 20'000 == doctest::Approx(0.1).epsilon(0.1));
}

TEST_CASE("LinkModel decisions are deterministic for a seed") {
  LinkParams p;
  p.delay_ms = 10;
  p.jitter_ms = 3;
  p.loss = 0.1;
  p.burst_p_good_to_bad = 0.02;
  p.burst_p_bad_to_good = 0.3;
  p.rate_bps = 5'000'000;
  auto run = [&](uint64_t seed) {
    LinkModel model(p);
    LinkModel::Rng rng(seed);
    base::ManualClock clock;
    std::vector<uint64_t> out;
    for (const auto& x : Feed(model, rng, clock, 5000, 900, 1500)) out.push_back(x.drop ? 0 : x.departure_us);
    return out;
  };
  CHECK(run(11) == run(11));
  CHECK(run(11) != run(12));
}

TEST_CASE("Link parameters JSON round-trips and rejects bad values") {
  LinkParams p;
  linkemu::ApplyParamsJson({{"delay_ms", 25}, {"loss", 0.5}, {"jitter_distribution", "normal"}}, p);
  CHECK(p.delay_ms == 25);
  CHECK(p.loss == 0.5);
  LinkParams q;
  linkemu::ApplyParamsJson(linkemu::ParamsToJson(p), q);
  CHECK(linkemu::ParamsToJson(q) == linkemu::ParamsToJson(p));
  CHECK_THROWS_AS(linkemu::ApplyParamsJson({{"loss", 1.5}}, p), std::invalid_argument);
  CHECK_THROWS_AS(linkemu::ApplyParamsJson({{"delay", 5}}, p), std::invalid_argument);
  CHECK_THROWS_AS(linkemu::ApplyParamsJson({{"delay_ms", "5"}}, p), std::invalid_argument);
  CHECK(p.loss == 0.5);  // unchanged after a rejected update
}
