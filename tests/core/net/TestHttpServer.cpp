#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/net/HttpServer.hpp"
#include "core/net/Timer.hpp"
#include "tests/core/net/BlockingClient.hpp"

using namespace cascade::net;

namespace {

// Runs the server loop while a client thread performs `exchange`; returns its output.
std::string WithServer(HttpServer& server, Loop& loop, const std::string& raw) {
  std::string reply;
  std::atomic<bool> done{false};
  uint16_t port = server.local_address().port();
  std::thread client([&] {
    reply = cascade::test::TcpExchange(port, raw);
    done = true;
  });
  Timer poll(loop, [&] {
    if (done) loop.Stop();
  });
  poll.Start(1, 1);
  loop.Run();
  client.join();
  return reply;
}

}  // namespace

TEST_CASE("HttpServer answers a routed request with path parameters") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  server.router().Add("POST", "/whip/{room}", [](HttpRequest& req, HttpRespond respond) {
    respond(HttpResponse::Text(201, "room=" + req.params["room"] + " body=" + req.body)
                .Set("Location", "/whip/" + req.params["room"] + "/1"));
  });
  std::string reply = WithServer(server, loop,
                                 "POST /whip/town-hall?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                                 "Connection: close\r\n\r\nhello");
  CHECK(reply.starts_with("HTTP/1.1 201 Created\r\n"));
  CHECK(reply.find("Location: /whip/town-hall/1\r\n") != std::string::npos);
  CHECK(reply.find("Access-Control-Allow-Origin: *\r\n") != std::string::npos);
  CHECK(reply.ends_with("room=town-hall body=hello"));
}

TEST_CASE("HttpServer keeps the connection alive across pipelined requests") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  int calls = 0;
  server.router().Add("GET", "/n", [&calls](HttpRequest&, HttpRespond respond) {
    respond(HttpResponse::Text(200, std::to_string(++calls)));
  });
  std::string reply = WithServer(server, loop,
                                 "GET /n HTTP/1.1\r\nHost: a\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n"
                                 "Connection: close\r\n\r\n");
  CHECK(calls == 2);
  auto first = reply.find("HTTP/1.1 200");
  auto second = reply.find("HTTP/1.1 200", first + 1);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(reply.ends_with("2"));
}

TEST_CASE("HttpServer rejects an oversized body with 413") {
  Loop loop;
  HttpServer::Options options;
  options.max_body_bytes = 100;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0), options);
  bool called = false;
  server.router().Add("POST", "/x", [&called](HttpRequest&, HttpRespond respond) {
    called = true;
    respond(HttpResponse::Text(200, "no"));
  });
  std::string reply = WithServer(
      server, loop, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'a'));
  INFO(reply);
  CHECK(reply.starts_with("HTTP/1.1 413 Payload Too Large\r\n"));
  CHECK_FALSE(called);
}

TEST_CASE("HttpServer rejects malformed requests and huge headers") {
  Loop loop;
  HttpServer::Options options;
  options.max_header_bytes = 512;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0), options);
  server.router().Add("GET", "/",
                      [](HttpRequest&, HttpRespond respond) { respond(HttpResponse::Text(200, "ok")); });
  CHECK(WithServer(server, loop, "THIS IS NOT HTTP\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(WithServer(server, loop, "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n")
            .starts_with("HTTP/1.1 431"));
}

TEST_CASE("HttpServer answers 404, 405, CORS preflight and turns HttpError into its status") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  server.router().Add("POST", "/whep/{room}", [](HttpRequest& req, HttpRespond) {
    if (req.Header("authorization").empty()) throw HttpError(401, "missing bearer token");
  });
  CHECK(WithServer(server, loop, "GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n")
            .starts_with("HTTP/1.1 404"));
  std::string not_allowed = WithServer(server, loop, "GET /whep/r HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(not_allowed.starts_with("HTTP/1.1 405"));
  CHECK(not_allowed.find("Allow: POST\r\n") != std::string::npos);
  std::string preflight = WithServer(server, loop, "OPTIONS /whep/r HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(preflight.starts_with("HTTP/1.1 204"));
  CHECK(preflight.find("Access-Control-Allow-Headers: Authorization, Content-Type, If-Match\r\n") !=
        std::string::npos);
  std::string unauthorized =
      WithServer(server, loop, "POST /whep/r HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(unauthorized.starts_with("HTTP/1.1 401"));
  CHECK(unauthorized.find("missing bearer token") != std::string::npos);
}

TEST_CASE("HttpServer refuses JSON API requests (/api/...) with a JSON error, others with text") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  server.router().Add("GET", "/api/thing",
                      [](HttpRequest&, HttpRespond) { throw HttpError(409, "busy \"now\""); });
  std::string unknown = WithServer(server, loop, "GET /api/nothing HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(unknown.starts_with("HTTP/1.1 404"));
  CHECK(unknown.find("Content-Type: application/json") != std::string::npos);
  CHECK(unknown.find(R"({"error":"no such resource: /api/nothing","ok":false})") != std::string::npos);
  std::string refused = WithServer(server, loop, "GET /api/thing HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(refused.starts_with("HTTP/1.1 409"));
  CHECK(refused.find(R"({"error":"busy \"now\"","ok":false})") != std::string::npos);
  std::string text = WithServer(server, loop, "GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(text.find("Content-Type: text/plain") != std::string::npos);
}

TEST_CASE("HttpServer answers later when the handler responds asynchronously") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  std::unique_ptr<Timer> later;
  server.router().Add("GET", "/slow", [&](HttpRequest&, HttpRespond respond) {
    later = std::make_unique<Timer>(loop, [respond] { respond(HttpResponse::Text(200, "late")); });
    later->Start(20);
  });
  std::string reply = WithServer(server, loop, "GET /slow HTTP/1.1\r\nConnection: close\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 200"));
  CHECK(reply.ends_with("late"));
}

TEST_CASE("HttpRouter matches parameters and wildcard tails") {
  HttpRouter router;
  router.Add("GET", "/web/{*file}", [](HttpRequest&, HttpRespond) {});
  router.Add("DELETE", "/whip/{room}/{session}", [](HttpRequest&, HttpRespond) {});
  auto web = router.Find("GET", "/web/js/app.js");
  REQUIRE(web.handler);
  CHECK(web.params["file"] == "js/app.js");
  auto del = router.Find("DELETE", "/whip/r1/s9");
  REQUIRE(del.handler);
  CHECK(del.params["room"] == "r1");
  CHECK(del.params["session"] == "s9");
  CHECK_FALSE(router.Find("DELETE", "/whip/r1").handler);
  CHECK(router.Find("GET", "/whip/r1/s9").allowed_methods == std::vector<std::string>{"DELETE"});
}

TEST_CASE("HttpRouter guards routes by pattern prefix, with exemptions, whenever they were added") {
  HttpRouter router;
  router.Add("GET", "/api/nodes", [](HttpRequest&, HttpRespond) {});
  router.Guard("/api",
               [](const HttpRequest&) { return std::optional<HttpResponse>(HttpResponse::Text(401, "")); },
               {"/api/token"});
  router.Add("POST", "/api/tree/links", [](HttpRequest&, HttpRespond) {});
  router.Add("GET", "/api/token", [](HttpRequest&, HttpRespond) {});
  router.Add("GET", "/apiary", [](HttpRequest&, HttpRespond) {});
  router.Add("POST", "/whip/{room}", [](HttpRequest&, HttpRespond) {});
  CHECK(router.Find("GET", "/api/nodes").guard);
  CHECK(router.Find("GET", "//api//nodes/").guard);  // however the path is spelled
  CHECK(router.Find("POST", "/api/tree/links").guard);
  CHECK_FALSE(router.Find("GET", "/api/token").guard);
  CHECK_FALSE(router.Find("GET", "/apiary").guard);  // segments, not characters
  CHECK_FALSE(router.Find("POST", "/whip/demo").guard);
  CHECK_FALSE(router.Find("OPTIONS", "/api/nodes").guard);  // no handler: preflight stays open
}

TEST_CASE("HttpServer sends a guard's response instead of calling the handler") {
  Loop loop;
  HttpServer server(loop, *SocketAddress::Parse("127.0.0.1", 0));
  int calls = 0;
  server.router().Add("GET", "/api/x", [&](HttpRequest&, HttpRespond respond) {
    ++calls;
    respond(HttpResponse::Text(200, "in\n"));
  });
  server.router().Guard("/api", [](const HttpRequest& request) -> std::optional<HttpResponse> {
    if (request.Header("authorization") == "Bearer ok") return std::nullopt;
    return HttpResponse::Text(401, "no\n");
  });
  auto refused = WithServer(server, loop, "GET /api/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(refused.starts_with("HTTP/1.1 401"));
  CHECK(calls == 0);
  auto allowed =
      WithServer(server, loop,
                 "GET /api/x HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ok\r\nConnection: close\r\n\r\n");
  CHECK(allowed.starts_with("HTTP/1.1 200"));
  CHECK(calls == 1);
}
