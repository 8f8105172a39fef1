#pragma once
// Serves files below one folder (the web pages). Refuses any path that could leave it.
#include <string>

#include "core/net/HttpRouter.hpp"

namespace cascade::net {

// Adds GET `prefix/{*file}` serving files from `root`, and GET `prefix` redirecting to
// `prefix/index_file`.
void AddStaticFiles(HttpRouter& router, const std::string& prefix, const std::string& root,
                    const std::string& index_file);

}  // namespace cascade::net
