#include "core/base/Config.hpp"

#include <toml++/toml.h>
#include <charconv>
#include <cstring>
#include <functional>
#include <sstream>

namespace cascade::base {
namespace {

void Flatten(const toml::table& table, const std::string& prefix, const std::string& origin,
             const std::function<void(const std::string&, const std::string&)>& put) {
  for (const auto& [name, node] : table) {
    std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const auto* sub = node.as_table()) {
      Flatten(*sub, key, origin, put);
    } else if (const auto* s = node.as_string()) {
      put(key, s->get());
    } else if (const auto* i = node.as_integer()) {
      put(key, std::to_string(i->get()));
    } else if (const auto* f = node.as_floating_point()) {
      std::ostringstream out;
      out << f->get();
      put(key, out.str());
    } else if (const auto* b = node.as_boolean()) {
      put(key, b->get() ? "true" : "false");
    } else if (const auto* arr = node.as_array()) {
      std::string joined;
      for (const auto& item : *arr) {
        if (!item.is_string())
          throw ConfigError("config key '" + key + "' (" + origin + "): arrays may hold strings only");
        if (!joined.empty()) joined += ',';
        joined += item.as_string()->get();
      }
      put(key, joined);
    } else {
      throw ConfigError("config key '" + key + "' (" + origin + "): unsupported value type");
    }
  }
}

}  // namespace

void Config::LoadTomlString(const std::string& text, const std::string& origin) {
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    std::ostringstream out;
    out << "config file " << origin << ":" << error.source().begin.line << ": " << error.description();
    throw ConfigError(out.str());
  }
  Flatten(table, "", origin,
          [&](const std::string& key, const std::string& value) { Set(key, value, origin); });
}

void Config::LoadTomlFile(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    std::ostringstream out;
    out << "config file " << path << ":" << error.source().begin.line << ": " << error.description();
    throw ConfigError(out.str());
  }
  Flatten(table, "", path, [&](const std::string& key, const std::string& value) { Set(key, value, path); });
}

void Config::LoadEnvironment(char** environment) {
  constexpr std::string_view kPrefix = "CASCADE_";
  for (char** entry = environment; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with(kPrefix)) continue;
    auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(text.substr(kPrefix.size(), eq - kPrefix.size()));
    auto underscore = name.find('_');
    if (underscore == std::string::npos) continue;
    std::string key;
    for (char c : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    key[underscore] = '.';
    Set(key, std::string(text.substr(eq + 1)), "environment " + std::string(text.substr(0, eq)));
  }
}

void Config::Set(const std::string& assignment, const std::string& origin) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("config override '" + assignment + "' (" + origin + "): expected section.key=value");
  }
  Set(assignment.substr(0, eq), assignment.substr(eq + 1), origin);
}

void Config::Set(const std::string& key, const std::string& value, const std::string& origin) {
  if (key.find('.') == std::string::npos) {
    throw ConfigError("config key '" + key + "' (" + origin + "): keys are section.key");
  }
  values_[key] = Value{value, origin};
}

void Config::Fail(const std::string& key, const Value& value, const std::string& expected) const {
  throw ConfigError("config key '" + key + "' (" + value.origin + "): expected " + expected + ", got \"" +
                    value.text + "\"");
}

std::string Config::GetString(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second.text;
}

int64_t Config::GetInt(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& text = it->second.text;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min || v > max) {
    Fail(key, it->second, "an integer in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}

double Config::GetDouble(const std::string& key, double fallback, double min, double max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& text = it->second.text;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= min && v <= max)) {
    std::ostringstream range;
    range << "a number in " << min << ".." << max;
    Fail(key, it->second, range.str());
  }
  return v;
}

bool Config::GetBool(const std::string& key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& text = it->second.text;
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  Fail(key, it->second, "true or false");
}

void Config::RejectUnknownKeys(const std::set<std::string>& known) const {
  for (const auto& [key, value] : values_) {
    if (!known.contains(key))
      throw ConfigError("config key '" + key + "' (" + value.origin + "): unknown key");
  }
}

}  // namespace cascade::base
