#pragma once
// Fresh ICE credentials (RFC 8445 §5.3: ufrag ≥ 4 and password ≥ 22 characters from the
// ice-char set), random from OpenSSL's CSPRNG: the password keys MESSAGE-INTEGRITY.
#include <cstddef>
#include <string>

namespace cascade::ice {

std::string RandomIceString(size_t length);
inline std::string RandomUfrag() { return RandomIceString(8); }
inline std::string RandomPassword() { return RandomIceString(24); }

}  // namespace cascade::ice
