#include "auth/DevelopmentTokens.hpp"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/base/Clock.hpp"

namespace cascade::auth {

std::string RandomHex(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (uint8_t b : raw) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

void AddDevelopmentTokenRoute(net::HttpRouter& router, const TokenAuthority& tokens) {
  router.Add("GET", "/api/token", [&tokens](net::HttpRequest& request, net::HttpRespond respond) {
    std::string room = request.QueryParam("room");
    std::string role = request.QueryParam("role");
    if (room.empty() || (role != "publish" && role != "watch")) {
      throw net::HttpError(400, "need ?room=NAME&role=publish|watch");
    }
    TokenClaims claims{room, role == "publish" ? TokenRole::kPublish : TokenRole::kWatch,
                       base::WallClockUs() / 1'000'000 + 3600, "dev-" + RandomHex(4),
                       request.QueryParam("region")};
    respond(net::HttpResponse::Json(200, nlohmann::json{{"token", tokens.Issue(claims)}}.dump()));
  });
}

}  // namespace cascade::auth
