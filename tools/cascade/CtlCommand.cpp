// `cascade ctl`: the operator's view of a running control plane, over its JSON API.
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "tools/cascade/Commands.hpp"
#include "tools/cascade/CtlApi.hpp"
#include "tools/cascade/CtlFormat.hpp"

namespace cascade::tools {
namespace {

struct CtlOptions {
  std::string control = "http://127.0.0.1:8080";
  std::string token;
  std::string room;  // tree ROOM, place --room
  std::string ip;
  std::string region;
  std::string role = "watch";
  std::string forwarded_for;
  std::string mode;
  std::string policy;
  double interval_s = 1.0;

  ControlApi Api() const { return ControlApi(control, token); }
};

// Query values go as they are (control reads them undecoded): names, addresses and address
// lists only. X-Forwarded-For's spaces are dropped (control trims them anyway).
std::string QueryValue(const char* option, std::string value) {
  std::erase(value, ' ');
  for (unsigned char c : value) {
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_' && c != ':' && c != ',') {
      throw CtlError(std::string(option) + ": only letters, digits and - _ . : , are allowed, got \"" +
                     value + "\"");
    }
  }
  return value;
}

void PrintTree(const CtlOptions& options) {
  ControlApi api = options.Api();
  nlohmann::json nodes = api.Get("/api/nodes");
  nlohmann::json tree = api.Get("/api/tree");
  std::vector<std::string> urls;
  for (const auto& link : tree["streams"].value(options.room, nlohmann::json::array())) {
    for (const auto& node : nodes["nodes"]) {
      if (node.value("id", "") == link.value("child", "")) urls.push_back(node.value("http_url", ""));
    }
  }
  if (urls.empty()) {
    MeshSnapshot snapshot = RoomSnapshot(nodes, tree, options.room, {}, {}, 0);
    for (const auto& node : snapshot.nodes) {
      if (node.publishers.value_or(0) > 0 || node.viewers.value_or(0) > 0) {
        std::cout << "room " << options.room << " has no tree: its clients are all at " << node.id << "\n";
        return;
      }
    }
    throw CtlError("no room '" + options.room + "': no tree and no node reports it (see cascade ctl rooms)");
  }
  auto started = std::chrono::steady_clock::now();
  auto before = api.ScrapeMetrics(urls);
  std::this_thread::sleep_for(std::chrono::duration<double>(options.interval_s));
  auto after = api.ScrapeMetrics(urls);
  double interval = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << FormatRoomTree(RoomSnapshot(nodes, tree, options.room, before, after, interval), options.room);
}

}  // namespace

void AddCtlCommand(CLI::App& app) {
  auto options = std::make_shared<CtlOptions>();
  auto* ctl = app.add_subcommand("ctl", "operate a running control plane: nodes, rooms, trees, placement");
  ctl->require_subcommand(1);
  ctl->fallthrough();
  ctl->add_option("--control", options->control, "control's HTTP API (its operator listener, if it has one)")
      ->capture_default_str();
  ctl->add_option("--token", options->token, "auth.operator_token, sent as Authorization: Bearer")
      ->envname("CASCADE_OPERATOR_TOKEN");

  ctl->add_subcommand("nodes", "every node: role, region, load, when control last heard from it")
      ->callback([options] { std::cout << FormatNodes(options->Api().Get("/api/nodes")); });

  ctl->add_subcommand("rooms", "every room: its origin, links, and viewers per edge")->callback([options] {
    ControlApi api = options->Api();
    nlohmann::json nodes = api.Get("/api/nodes");
    std::cout << FormatRooms(nodes, api.Get("/api/tree"));
  });

  auto* tree = ctl->add_subcommand("tree", "a room's tree, with each link's bitrate, loss and RTT");
  tree->add_option("room", options->room, "the room")->required();
  tree->add_option("--interval", options->interval_s, "seconds between the two samples giving the bitrate")
      ->check(CLI::Range(0.1, 60.0));
  tree->callback([options] { PrintTree(*options); });

  auto* place = ctl->add_subcommand("place", "where control would place a client, without placing it");
  place->add_option("--room", options->room, "the room")->required();
  place->add_option("--ip", options->ip, "the client's address")->required();
  place->add_option("--region", options->region, "the region hint its token would carry");
  place->add_option("--role", options->role, "watch or publish")->check(CLI::IsMember({"watch", "publish"}));
  place->add_option(
      "--forwarded-for", options->forwarded_for,
      "X-Forwarded-For as a proxy would send it (believed only from placement.trusted_proxies)");
  place->add_option("--mode", options->mode, "region mode instead of control.region_mode");
  place->add_option("--policy", options->policy, "data-center policy instead of control.placement");
  place->callback([options] {
    std::string target = "/api/place?room=" + QueryValue("--room", options->room) +
                         "&ip=" + QueryValue("--ip", options->ip) + "&role=" + options->role;
    auto add = [&](const char* key, const char* option, const std::string& value) {
      if (!value.empty()) target += std::string("&") + key + "=" + QueryValue(option, value);
    };
    add("region", "--region", options->region);
    add("forwarded_for", "--forwarded-for", options->forwarded_for);
    add("mode", "--mode", options->mode);
    add("policy", "--policy", options->policy);
    std::cout << FormatPlacement(options->Api().Get(target));
  });
}

}  // namespace cascade::tools
