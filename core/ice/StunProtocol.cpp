#include "core/ice/StunProtocol.hpp"

namespace cascade::ice {

const char* ToString(StunClass klass) {
  switch (klass) {
    case StunClass::kRequest: return "request";
    case StunClass::kIndication: return "indication";
    case StunClass::kSuccessResponse: return "success_response";
    case StunClass::kErrorResponse: return "error_response";
  }
  return "unknown";
}

namespace stun_code {

const char* DefaultReason(uint16_t code) {
  switch (code) {
    case kTryAlternate: return "Try Alternate";
    case kBadRequest: return "Bad Request";
    case kUnauthorized: return "Unauthorized";
    case kUnknownAttribute: return "Unknown Attribute";
    case kStaleNonce: return "Stale Nonce";
    case kRoleConflict: return "Role Conflict";
    case kServerError: return "Server Error";
    default: return "";
  }
}

}  // namespace stun_code

}  // namespace cascade::ice
