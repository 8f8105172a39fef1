#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "core/base/Config.hpp"

using namespace cascade::base;

namespace {
std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}
}  // namespace

TEST_CASE("Config layers TOML, environment and overrides, later winning") {
  Config config;
  config.LoadTomlString("[http]\nlisten = \"127.0.0.1:8080\"\n[edge]\nmax_viewers = 500\nsimulcast = true\n",
                        "test.toml");
  std::string env_entry = "CASCADE_EDGE_MAX_VIEWERS=800";
  std::string unrelated = "PATH=/bin";
  char* environment[] = {env_entry.data(), unrelated.data(), nullptr};
  config.LoadEnvironment(environment);
  config.Set("http.listen=127.0.0.1:9090", "--set");
  CHECK(config.GetString("http.listen", "") == "127.0.0.1:9090");
  CHECK(config.GetInt("edge.max_viewers", 0, 1, 100000) == 800);
  CHECK(config.GetBool("edge.simulcast", false));
  CHECK(config.GetInt("edge.absent", 42, 0, 100) == 42);
}

TEST_CASE("Config errors name the key, the source and what was expected") {
  Config config;
  config.LoadTomlString("[media]\nport = \"abc\"\nratio = 7.5\n", "node.toml");
  std::string error = ErrorOf([&] { config.GetInt("media.port", 0, 1, 65535); });
  CHECK(error == "config key 'media.port' (node.toml): expected an integer in 1..65535, got \"abc\"");
  CHECK(ErrorOf([&] { config.GetDouble("media.ratio", 0, 0, 1); }).find("'media.ratio'") !=
        std::string::npos);
  CHECK(ErrorOf([&] { config.RejectUnknownKeys({"media.port"}); }).find("'media.ratio'") !=
        std::string::npos);
  CHECK(ErrorOf([&] { config.Set("nodot=1", "--set"); }).find("section.key") != std::string::npos);
}

TEST_CASE("Config reports TOML syntax errors with the line") {
  Config config;
  std::string error = ErrorOf([&] { config.LoadTomlString("[ok]\na = 1\nb = = 2\n", "broken.toml"); });
  CHECK(error.starts_with("config file broken.toml:3:"));
}
