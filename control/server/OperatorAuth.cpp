#include "control/server/OperatorAuth.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

namespace cascade::control {

const char* ToString(OperatorRefusal refusal) {
  switch (refusal) {
    case OperatorRefusal::kMissing: return "missing";
    case OperatorRefusal::kWrong: return "wrong";
    case OperatorRefusal::kCount: break;
  }
  return "?";
}

void OperatorAuth::Protect(net::HttpRouter& router) {
  if (!enabled()) return;
  router.Guard("/api", [this](const net::HttpRequest& request) { return Check(request); }, {"/api/token"});
}

std::optional<net::HttpResponse> OperatorAuth::Check(const net::HttpRequest& request) {
  if (!enabled()) return std::nullopt;
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view header = request.Header("authorization");
  std::optional<OperatorRefusal> refusal;
  if (!header.starts_with(kBearer)) {
    refusal = OperatorRefusal::kMissing;
  } else {
    std::string_view given = header.substr(kBearer.size());
    if (given.size() != token_.size() || CRYPTO_memcmp(given.data(), token_.data(), token_.size()) != 0) {
      refusal = OperatorRefusal::kWrong;
    }
  }
  if (!refusal) return std::nullopt;
  refusals_.Inc(*refusal);
  std::string error = *refusal == OperatorRefusal::kMissing
                          ? "operator API: missing credential (Authorization: Bearer <auth.operator_token>)"
                          : "operator API: wrong credential";
  return net::HttpResponse::Json(401, nlohmann::json{{"ok", false}, {"error", error}}.dump())
      .Set("WWW-Authenticate", "Bearer realm=\"cascade-operator\"");
}

void OperatorAuth::RegisterMetrics(base::MetricsRegistry& registry) const {
  for (size_t i = 0; i < static_cast<size_t>(OperatorRefusal::kCount); ++i) {
    auto reason = static_cast<OperatorRefusal>(i);
    registry.AddCallback("cascade_control_operator_refusals_total",
                         "operator API requests refused for their credential, by reason", true,
                         {{"reason", ToString(reason)}},
                         [this, reason] { return static_cast<double>(refusals_.Get(reason)); });
  }
}

}  // namespace cascade::control
