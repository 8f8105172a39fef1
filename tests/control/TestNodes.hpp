#pragma once
// What the control tests need to stand in for nodes: the control server's certificate (generated
// once per test process) and a node's hello.
#include <cstdint>
#include <string>

#include "control/client/ControlMessages.hpp"
#include "core/dtls/Certificate.hpp"

namespace cascade::test {

inline const dtls::Certificate& ControlCertificate() {
  static auto certificate = dtls::Certificate::Generate("test-control");
  return *certificate;
}

// An edge (or `role`) in region "local" claiming the SSRC range that starts at `claimed`
// (0: none claimed).
inline control::NodeHello MakeHello(const std::string& id, uint32_t claimed = 0,
                                    control::NodeRole role = control::NodeRole::kEdge) {
  control::NodeHello hello;
  hello.node_id = id;
  hello.role = role;
  hello.region = "local";
  hello.ssrc_range_start = claimed;
  return hello;
}

}  // namespace cascade::test
