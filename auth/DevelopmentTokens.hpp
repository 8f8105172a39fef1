#pragma once
// Development mode (no auth.secret): `GET /api/token?room=R&role=publish|watch[&region=X]`
// hands a one-hour token to anyone, on control and on every edge alike. Never in production.
// Also the unguessable identifiers both hand out (token ids, session resources).
#include <cstddef>
#include <string>

#include "auth/Token.hpp"
#include "core/net/HttpRouter.hpp"

namespace cascade::auth {

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string RandomHex(size_t bytes);

// Adds the route; `tokens` must outlive the router.
void AddDevelopmentTokenRoute(net::HttpRouter& router, const TokenAuthority& tokens);

}  // namespace cascade::auth
