#pragma once
// The operator credential on control's operator API: every /api route except the client
// entry's /api/token needs `Authorization: Bearer <auth.operator_token>`. Checked once, as
// a guard on the router (net::HttpRouter::Guard), so a route added later is covered too.
// Without a configured token (development) every request passes. A refusal is
// 401 {"ok":false,"error":"..."} with `WWW-Authenticate: Bearer`, counted in
// cascade_control_operator_refusals_total{reason}.
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/EnumCounters.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/HttpRouter.hpp"

namespace cascade::control {

enum class OperatorRefusal : uint8_t { kMissing, kWrong, kCount };
const char* ToString(OperatorRefusal refusal);

class OperatorAuth {
 public:
  static constexpr size_t kMinTokenSize = 16;

  // Empty `token`: open (development mode).
  explicit OperatorAuth(std::string token) : token_(std::move(token)) {}

  bool enabled() const { return !token_.empty(); }
  // Guards every /api route of `router` but /api/token. `this` must outlive the router.
  void Protect(net::HttpRouter& router);
  // nullopt: allowed; otherwise the 401 to send.
  std::optional<net::HttpResponse> Check(const net::HttpRequest& request);
  uint64_t refusals(OperatorRefusal reason) const { return refusals_.Get(reason); }
  void RegisterMetrics(base::MetricsRegistry& registry) const;

 private:
  std::string token_;
  base::EnumCounters<OperatorRefusal> refusals_;
};

}  // namespace cascade::control
