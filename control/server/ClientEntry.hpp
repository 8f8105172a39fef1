#pragma once
// Where clients enter (RFC 9725 §4.5): POST /whip/{room} and /whep/{room} on control check
// the bearer token (§4.7), choose the edge nearest the client and answer 307 to that edge's
// WHIP/WHEP URL with a short-lived placement grant in the query (`?grant=`), because browsers
// drop Authorization when they follow a cross-origin redirect; the edge accepts the grant in
// its place. Clients then PATCH/DELETE at the edge with their token.
//
// The client's region comes from ClientLocator; the room's region mode (`control.region_mode`
// or `?mode=`) and the data-center policy (`control.placement` or `?policy=`) choose the
// edge (EdgePlacer). A room whose tree was set by hand (TreeCommands) keeps that shape: its
// publisher goes to the tree's root edge, its viewers to the tree's edges only.
// Refusals: 401/403 as on the edge, 400 naming the allowed values, 503 with Retry-After
// when no edge can take the client; each counted in cascade_control_entry_refusals_total{reason}.
// In development (no auth.secret) GET /api/token hands out tokens, as on the edge; with
// `web.root` the publish/watch pages are served under /web/.
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "auth/PlacementGrant.hpp"
#include "auth/Token.hpp"
#include "control/server/ClientLocator.hpp"
#include "control/server/EdgePlacer.hpp"
#include "control/server/NodeRegistry.hpp"
#include "control/server/RegionMap.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/base/Config.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/HttpRouter.hpp"
#include "topology/NodePicker.hpp"
#include "topology/RegionSelector.hpp"

namespace cascade::control {

struct EntrySettings {
  EntrySettings();  // defaults that name files of the source tree

  std::string auth_secret;  // empty: development secret, GET /api/token open
  topology::DcPolicy policy = topology::DcPolicy::kLeastUsed;
  topology::RegionMode mode = topology::RegionMode::kCascading;
  topology::FullThresholds thresholds;
  uint32_t grant_ttl_s = 30;
  uint32_t retry_after_s = 5;
  std::string web_root;            // "" serves no pages
  std::string latency_matrix;      // CSV; a relative path not found here is tried in the source tree
  std::string region_coordinates;  // CSV or "" (needed to place by MaxMind location)
  LocatorSettings locator;

  static const std::set<std::string>& KnownKeys();
  // Throws base::ConfigError naming the key.
  static EntrySettings FromConfig(const base::Config& config);
};

enum class EntryRefusal : uint8_t {
  kMissingToken,
  kTokenMalformed,
  kTokenBadSignature,
  kTokenExpired,
  kWrongRoom,
  kWrongRole,
  kBadPolicy,
  kBadMode,
  kNoEdge,
  kFull,
  kCount
};
const char* ToString(EntryRefusal refusal);

// A room's regions as several control replicas share them (RedisRoomRegions), by region
// name; "" is unset. What placement needs to place a room's next user on another replica.
struct SharedRoomRegions {
  std::string first_user;
  std::string publisher;
};
class RoomRegionStore {
 public:
  using Done = std::function<void(std::optional<SharedRoomRegions>)>;
  virtual ~RoomRegionStore() = default;
  // done(nullopt): no record, or no answer.
  virtual void Load(const std::string& room, Done done) = 0;
  // Records the publisher's region and, if none is recorded yet, the first user's; done gets
  // what is recorded then (nullopt: no answer).
  virtual void Save(const std::string& room, const SharedRoomRegions& regions, Done done) = 0;
};

class ClientEntry {
 public:
  // `tree` may be null (no hand-made trees). Throws std::runtime_error when a file of
  // `settings` cannot be loaded.
  ClientEntry(const NodeRegistry& registry, EntrySettings settings, const TreeCommands* tree = nullptr);
  ~ClientEntry();

  void AddRoutes(net::HttpRouter& router);
  // Shares rooms' regions with other control replicas (may be null: this replica alone; not
  // owned, must outlive this). A POST for a room this replica does not know (or, in
  // sender-decides mode, whose publisher it has not seen) reads the room's regions first.
  void SetRoomRegionStore(RoomRegionStore* store) { room_store_ = store; }
  // GET /api/place on the operator router: where a hypothetical client would go (Preview).
  void AddOperatorRoutes(net::HttpRouter& router);
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

  // Called after each successful placement, before the 307 is sent: the tree controller
  // extends `room`'s tree to `edge_id` from here.
  std::function<void(const std::string& room, const std::string& edge_id, bool publish)> on_placed;

  // Where a publisher (`publish`) or a viewer of `room` in the unknown region goes by the
  // configured mode and policy (records the placement); nullopt if no edge can take it.
  std::optional<std::string> EntryFor(const std::string& room, bool publish);

  // Where a client of `room` would be placed now, by the same locate and place steps as a
  // POST, without placing it: nothing is recorded or counted.
  struct Hypothetical {
    std::string room;
    bool publish = false;
    std::string token_region;        // the region hint its token would carry; "" for none
    net::SocketAddress peer;         // its TCP peer
    std::string forwarded_for;       // X-Forwarded-For as a proxy would send it
    std::string policy, mode;        // "" for the configured ones
    std::string application_region;  // the application-specific mode's region
  };
  struct PreviewResult {
    ClientLocation location;
    bool forwarded = false;           // the address came from X-Forwarded-For
    std::optional<Placement> placed;  // nullopt: refused, see refusal
    PlacementRefusal refusal = PlacementRefusal::kNoEdge;
    topology::RegionMode mode;
    topology::DcPolicy policy;
  };
  // Throws net::HttpError(400) for an unknown policy or mode.
  PreviewResult Preview(const Hypothetical& client);

  uint64_t refusals(EntryRefusal reason) const { return refusals_[static_cast<size_t>(reason)]; }
  uint64_t placements(LocationSource source) const { return placements_[static_cast<size_t>(source)]; }
  const RoomPlacement* room(const std::string& name) const;
  const RegionMap& regions() const { return *regions_; }

 private:
  struct Request {
    std::string room;
    bool publish = false;
    topology::RegionId client_region = 0;
    topology::RegionMode mode;
    topology::DcPolicy policy;
    std::optional<topology::RegionId> application_region;
  };
  void HandlePost(net::HttpRequest& request, const net::HttpRespond& respond, bool publish);
  // The rest of a POST once the room's shared regions (if any) are known here.
  void PlaceAndRedirect(const Request& wanted, const auth::TokenClaims& claims,
                        const ClientLocation& location, const net::HttpRespond& respond);
  void ShareRegions(const std::string& room, const topology::RoomRegions& before);
  void TakeShared(const std::string& room, const SharedRoomRegions& shared);
  // Refuses the request (counted) with an HttpError.
  [[noreturn]] void Refuse(EntryRefusal reason, int status, const std::string& message);
  auth::TokenClaims Authorize(const net::HttpRequest& request, const std::string& room, auth::TokenRole role);
  // Chooses the edge in `room`; `record` false previews (see EdgePlacer::Preview).
  base::Result<Placement, PlacementRefusal> Place(const Request& request, RoomPlacement& room, bool record);
  // ?policy= and ?mode= (or their Hypothetical twins) over the configured ones: the refusal
  // and its message for a name that is neither.
  std::optional<std::pair<EntryRefusal, std::string>> ApplyChoices(const std::string& policy,
                                                                   const std::string& mode,
                                                                   Request& wanted) const;
  bool IsLiveEdge(const std::string& id) const;

  const NodeRegistry& registry_;
  const TreeCommands* tree_;  // passed by argument, may be null
  EntrySettings settings_;
  auth::TokenAuthority tokens_;
  auth::GrantAuthority grants_;
  std::unique_ptr<RegionMap> regions_;
  std::unique_ptr<ClientLocator> locator_;
  std::unique_ptr<EdgePlacer> placer_;
  std::map<std::string, RoomPlacement> rooms_;
  RoomRegionStore* room_store_ = nullptr;  // passed by argument, may be null
  std::array<uint64_t, static_cast<size_t>(EntryRefusal::kCount)> refusals_{};
  std::array<uint64_t, static_cast<size_t>(LocationSource::kCount)> placements_{};
};

}  // namespace cascade::control
