#pragma once
// Where a data file named in configuration is: an absolute path, or one found from the working
// directory, as given; any other relative path is taken from the source tree (so
// `data/latency/...` works from wherever a development build runs).
#include <string>

namespace cascade::topology::io {

std::string ResolveDataPath(const std::string& path);

}  // namespace cascade::topology::io
