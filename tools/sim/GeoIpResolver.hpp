#pragma once
// Moved to topology/io (control locates clients with it too); the simulator's name stays.
#include "topology/io/GeoIpResolver.hpp"

namespace cascade::sim {
using topology::io::GeoIpResolver;
}  // namespace cascade::sim
