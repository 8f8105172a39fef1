#include <ctime>
#include <iostream>
#include <memory>
#include <random>

#include "auth/Token.hpp"
#include "tools/cascade/Commands.hpp"
#include "tools/cascade/NodeOptions.hpp"

namespace cascade::tools {

namespace {

struct TokenOptions {
  NodeOptions node;
  std::string room;
  std::string role = "watch";
  uint64_t ttl_s = 3600;
  std::string id;
  std::string region;
};

}  // namespace

void AddTokenCommand(CLI::App& app) {
  auto options = std::make_shared<TokenOptions>();
  auto* token = app.add_subcommand("token", "print a WHIP/WHEP bearer token signed with auth.secret");
  options->node.AddTo(token);
  token->add_option("--room", options->room, "room the token is for")->required();
  token->add_option("--role", options->role, "publish or watch")->check(CLI::IsMember({"publish", "watch"}));
  token->add_option("--ttl", options->ttl_s, "seconds until it expires")->check(CLI::Range(1, 31'536'000));
  token->add_option("--id", options->id, "who it is for (default: random)");
  token->add_option("--region", options->region, "region hint: control places the client near it");
  token->callback([options] {
    auto config = options->node.Load({"auth.secret", "log.level"});
    auth::TokenAuthority authority(config.GetString("auth.secret", auth::kLocalDevelopmentSecret));
    std::string id = options->id;
    if (id.empty()) id = "u" + std::to_string(std::random_device{}());
    auto role = options->role == "publish" ? auth::TokenRole::kPublish : auth::TokenRole::kWatch;
    auto now = static_cast<uint64_t>(std::time(nullptr));
    std::cout << authority.Issue({options->room, role, now + options->ttl_s, id, options->region}) << "\n";
  });
}

}  // namespace cascade::tools
