#pragma once
// The impairments of one direction of an emulated link, and their JSON form (shared by the
// HTTP API's GET/PUT /link and `cascade linkemu --config`).
#include <nlohmann/json.hpp>

#include <cstdint>

namespace cascade::linkemu {

enum class JitterDistribution : uint8_t { kUniform, kNormal };

struct LinkParams {
  double delay_ms = 0;   // fixed one-way propagation delay
  double jitter_ms = 0;  // uniform: ±jitter_ms; normal: standard deviation jitter_ms
  JitterDistribution jitter_distribution = JitterDistribution::kUniform;
  // Without it a packet never leaves before the one that arrived before it, as on a real
  // path: departure = max(arrival + delay + jitter, previous departure).
  bool allow_reorder = false;
  double loss = 0;  // independent random loss probability
  // Gilbert–Elliott burst loss; disabled while burst_p_good_to_bad is 0. The mean burst
  // (time in the bad state) is 1 / burst_p_bad_to_good packets.
  double burst_p_good_to_bad = 0;
  double burst_p_bad_to_good = 1;
  double burst_loss_in_bad = 1;
  // Rate cap: a token bucket of burst_bytes filled at rate_bps (0 = unlimited) feeding a
  // drop-tail queue bounded by queue_ms of waiting and/or queue_packets (0 = no bound).
  uint64_t rate_bps = 0;
  uint64_t burst_bytes = 0;
  double queue_ms = 100;
  uint32_t queue_packets = 0;
  double duplicate = 0;  // probability that a forwarded packet is sent twice
};

// Both throw std::invalid_argument naming the field on an unknown key, a wrong type or a
// value out of range; `params` is left unchanged then.
nlohmann::json ParamsToJson(const LinkParams& params);
void ApplyParamsJson(const nlohmann::json& object, LinkParams& params);

}  // namespace cascade::linkemu
