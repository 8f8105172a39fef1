#include <doctest/doctest.h>

#include "core/dtls/Certificate.hpp"
#include "media/NodeRuntime.hpp"

using namespace cascade;

namespace {

base::Config WithControls(const std::string& addresses, const std::string& fingerprints) {
  base::Config config;
  config.Set("control.address", addresses, "test");
  config.Set("control.fingerprint", fingerprints, "test");
  return config;
}

}  // namespace

TEST_CASE("control.address lists every control replica, each with its own fingerprint or one shared by all") {
  const std::string a = dtls::Certificate::Generate("a")->fingerprint().ToString();
  const std::string b = dtls::Certificate::Generate("b")->fingerprint().ToString();

  auto one = media::NodeSettings::FromConfig(WithControls("127.0.0.1:7000", a), control::NodeRole::kEdge);
  REQUIRE(one.controls.size() == 1);
  CHECK(one.controls[0].address.ToString() == "127.0.0.1:7000");

  auto pairs = media::NodeSettings::FromConfig(WithControls("127.0.0.1:7000, 127.0.0.2:7001", a + "," + b),
                                               control::NodeRole::kRelay);
  REQUIRE(pairs.controls.size() == 2);
  CHECK(pairs.controls[1].address.ToString() == "127.0.0.2:7001");
  CHECK(pairs.controls[0].fingerprint.ToString() == a);
  CHECK(pairs.controls[1].fingerprint.ToString() == b);

  auto shared = media::NodeSettings::FromConfig(WithControls("127.0.0.1:7000,127.0.0.2:7001", a),
                                                control::NodeRole::kEdge);
  REQUIRE(shared.controls.size() == 2);
  CHECK(shared.controls[1].fingerprint.ToString() == a);

  CHECK_THROWS_WITH_AS(
      media::NodeSettings::FromConfig(
          WithControls("127.0.0.1:7000,127.0.0.2:7001,127.0.0.3:7002", a + "," + b),
          control::NodeRole::kEdge),
      doctest::Contains("one fingerprint for every control.address (3) or one shared by all, got 2"),
      base::ConfigError);
  CHECK_THROWS_WITH_AS(
      media::NodeSettings::FromConfig(WithControls("127.0.0.1:7000,nowhere", a), control::NodeRole::kEdge),
      doctest::Contains("expected ip:port[,ip:port...], got \"nowhere\""), base::ConfigError);
}
