#include "topology/io/DataPath.hpp"

#include <unistd.h>

namespace cascade::topology::io {

std::string ResolveDataPath(const std::string& path) {
  if (path.empty() || path[0] == '/' || access(path.c_str(), R_OK) == 0) return path;
  return std::string(CASCADE_SOURCE_DIR) + "/" + path;
}

}  // namespace cascade::topology::io
