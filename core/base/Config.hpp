#pragma once
// Node configuration from layered sources, later layers winning: built-in defaults, a TOML
// file, environment variables (CASCADE_<SECTION>_<KEY>, e.g. CASCADE_HTTP_LISTEN for
// http.listen), then command-line overrides. Every key is "section.key". Reading a key
// validates it and a bad value throws ConfigError naming the key and where it came from.
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cascade::base {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Config {
 public:
  // Parses a TOML file; throws ConfigError with the file, line and reason on a syntax error.
  void LoadTomlFile(const std::string& path);
  void LoadTomlString(const std::string& text, const std::string& origin);
  // Reads CASCADE_* variables from the given environment block (environ in main).
  void LoadEnvironment(char** environment);
  // "section.key=value"; throws ConfigError when malformed.
  void Set(const std::string& assignment, const std::string& origin);
  void Set(const std::string& key, const std::string& value, const std::string& origin);

  bool Has(const std::string& key) const { return values_.contains(key); }
  std::string GetString(const std::string& key, const std::string& fallback) const;
  int64_t GetInt(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  double GetDouble(const std::string& key, double fallback, double min, double max) const;
  bool GetBool(const std::string& key, bool fallback) const;
  // A key the program does not know is almost always a typo: name it.
  void RejectUnknownKeys(const std::set<std::string>& known) const;

 private:
  struct Value {
    std::string text;
    std::string origin;
  };
  [[noreturn]] void Fail(const std::string& key, const Value& value, const std::string& expected) const;

  std::map<std::string, Value> values_;
};

}  // namespace cascade::base
