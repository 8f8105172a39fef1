#include "tools/linkemu/LinkParams.hpp"

#include <stdexcept>
#include <string>

namespace cascade::linkemu {
namespace {

double Number(const nlohmann::json& value, const std::string& key, double min, double max) {
  if (!value.is_number()) throw std::invalid_argument(key + ": expected a number");
  const double v = value.get<double>();
  if (!(v >= min && v <= max))
    throw std::invalid_argument(key + ": " + std::to_string(v) + " is outside [" + std::to_string(min) +
                                ", " + std::to_string(max) + "]");
  return v;
}

}  // namespace

nlohmann::json ParamsToJson(const LinkParams& p) {
  return {
      {"delay_ms", p.delay_ms},
      {"jitter_ms", p.jitter_ms},
      {"jitter_distribution", p.jitter_distribution == JitterDistribution::kNormal ? "normal" : "uniform"},
      {"allow_reorder", p.allow_reorder},
      {"loss", p.loss},
      {"burst_p_good_to_bad", p.burst_p_good_to_bad},
      {"burst_p_bad_to_good", p.burst_p_bad_to_good},
      {"burst_loss_in_bad", p.burst_loss_in_bad},
      {"rate_bps", p.rate_bps},
      {"burst_bytes", p.burst_bytes},
      {"queue_ms", p.queue_ms},
      {"queue_packets", p.queue_packets},
      {"duplicate", p.duplicate},
  };
}

void ApplyParamsJson(const nlohmann::json& object, LinkParams& params) {
  if (!object.is_object()) throw std::invalid_argument("expected a JSON object of link parameters");
  LinkParams p = params;
  for (const auto& [key, value] : object.items()) {
    if (key == "delay_ms") {
      p.delay_ms = Number(value, key, 0, 60'000);
    } else if (key == "jitter_ms") {
      p.jitter_ms = Number(value, key, 0, 60'000);
    } else if (key == "jitter_distribution") {
      if (value == "uniform") {
        p.jitter_distribution = JitterDistribution::kUniform;
      } else if (value == "normal") {
        p.jitter_distribution = JitterDistribution::kNormal;
      } else {
        throw std::invalid_argument(key + ": expected \"uniform\" or \"normal\"");
      }
    } else if (key == "allow_reorder") {
      if (!value.is_boolean()) throw std::invalid_argument(key + ": expected true or false");
      p.allow_reorder = value.get<bool>();
    } else if (key == "loss") {
      p.loss = Number(value, key, 0, 1);
    } else if (key == "burst_p_good_to_bad") {
      p.burst_p_good_to_bad = Number(value, key, 0, 1);
    } else if (key == "burst_p_bad_to_good") {
      p.burst_p_bad_to_good = Number(value, key, 0, 1);
    } else if (key == "burst_loss_in_bad") {
      p.burst_loss_in_bad = Number(value, key, 0, 1);
    } else if (key == "rate_bps") {
      p.rate_bps = static_cast<uint64_t>(Number(value, key, 0, 1e12));
    } else if (key == "rate_kbps") {
      p.rate_bps = static_cast<uint64_t>(Number(value, key, 0, 1e9) * 1000);
    } else if (key == "burst_bytes") {
      p.burst_bytes = static_cast<uint64_t>(Number(value, key, 0, 1e9));
    } else if (key == "queue_ms") {
      p.queue_ms = Number(value, key, 0, 60'000);
    } else if (key == "queue_packets") {
      p.queue_packets = static_cast<uint32_t>(Number(value, key, 0, 1'000'000));
    } else if (key == "duplicate") {
      p.duplicate = Number(value, key, 0, 1);
    } else {
      throw std::invalid_argument("unknown link parameter '" + key + "'");
    }
  }
  if (p.burst_p_good_to_bad > 0 && p.burst_p_bad_to_good <= 0)
    throw std::invalid_argument("burst_p_bad_to_good: must be > 0 when burst loss is on");
  params = p;
}

}  // namespace cascade::linkemu
