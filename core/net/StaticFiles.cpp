#include "core/net/StaticFiles.hpp"

#include <fstream>
#include <iterator>

namespace cascade::net {
namespace {

std::string ContentType(const std::string& path) {
  auto ends = [&](const char* suffix) { return path.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

void AddStaticFiles(HttpRouter& router, const std::string& prefix, const std::string& root,
                    const std::string& index_file) {
  router.Add("GET", prefix + "/{*file}", [root](HttpRequest& request, HttpRespond respond) {
    const std::string& file = request.params["file"];
    if (file.empty() || file.find("..") != std::string::npos || file.find('\\') != std::string::npos ||
        file.front() == '/') {
      throw HttpError(404, "no such file");
    }
    std::ifstream in(root + "/" + file, std::ios::binary);
    if (!in) throw HttpError(404, "no such file: " + file);
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    HttpResponse response;
    response.body = std::move(body);
    response.Set("Content-Type", ContentType(file)).Set("Cache-Control", "no-cache");
    respond(std::move(response));
  });
  router.Add("GET", prefix.empty() ? "/" : prefix, [prefix, index_file](HttpRequest&, HttpRespond respond) {
    HttpResponse response;
    response.status = 307;
    response.Set("Location", prefix + "/" + index_file);
    respond(std::move(response));
  });
}

}  // namespace cascade::net
