// loadgen::HttpConnection against the real HttpServer on loopback: pipelined requests on one
// kept-alive connection, answered in order; a server that closes fails what is in flight,
// and the next request reconnects.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/net/HttpServer.hpp"
#include "core/net/Timer.hpp"
#include "tools/loadgen/HttpClient.hpp"

using namespace cascade;

namespace {

struct Server {
  Server() : http(loop, *net::SocketAddress::Parse("127.0.0.1", 0)) {
    http.router().Add("GET", "/n/{value}", [this](net::HttpRequest& request, net::HttpRespond respond) {
      ++requests;
      peers.push_back(request.peer.port());
      respond(net::HttpResponse::Text(200, request.params["value"]));
    });
    http.router().Add("GET", "/bye", [](net::HttpRequest&, net::HttpRespond respond) {
      respond(net::HttpResponse::Text(200, "bye"));
    });
  }
  // Runs the loop until `done` or a second has passed.
  void RunUntil(const std::function<bool()>& done) {
    net::Timer poll(loop, [&] {
      if (done()) loop.Stop();
    });
    poll.Start(1, 1);
    net::Timer give_up(loop, [&] { loop.Stop(); });
    give_up.Start(2000);
    loop.Run();
  }
  net::Loop loop;
  net::HttpServer http;
  int requests = 0;
  std::vector<uint16_t> peers;  // the client port of each request: one port, one connection
};

loadgen::HttpClientRequest Get(const std::string& target) {
  loadgen::HttpClientRequest request;
  request.target = target;
  return request;
}

}  // namespace

TEST_CASE("HttpConnection pipelines requests on one kept-alive connection and answers them in order") {
  Server server;
  loadgen::HttpConnection connection(server.loop, server.http.local_address());
  std::vector<std::string> bodies;
  for (int i = 0; i < 20; ++i) {
    connection.Send(Get("/n/" + std::to_string(i)), [&](const loadgen::HttpClientResponse& response) {
      CHECK(response.status == 200);
      bodies.push_back(response.body);
    });
  }
  CHECK(connection.in_flight() == 20);
  server.RunUntil([&] { return bodies.size() == 20; });
  REQUIRE(bodies.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(bodies[i] == std::to_string(i));
  CHECK(connection.in_flight() == 0);
  // Later requests reuse the connection.
  connection.Send(Get("/n/again"),
                  [&](const loadgen::HttpClientResponse& response) { bodies.push_back(response.body); });
  server.RunUntil([&] { return bodies.size() == 21; });
  CHECK(bodies.back() == "again");
  REQUIRE(server.peers.size() == 21);
  for (uint16_t port : server.peers) CHECK(port == server.peers.front());
}

TEST_CASE("HttpConnection: a server that closes fails what was in flight; the next request reconnects") {
  Server server;
  loadgen::HttpConnection connection(server.loop, server.http.local_address());
  std::vector<loadgen::HttpClientResponse> answers;
  auto keep = [&](const loadgen::HttpClientResponse& response) { answers.push_back(response); };
  loadgen::HttpClientRequest last = Get("/bye");
  last.headers.emplace_back("Connection", "close");  // the server closes after answering it
  connection.Send(last, keep);
  connection.Send(Get("/n/lost"), keep);  // pipelined behind it: never answered
  server.RunUntil([&] { return answers.size() == 2; });
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 200);
  CHECK(answers[0].body == "bye");
  CHECK(answers[1].status == 0);
  CHECK(!answers[1].error.empty());
  connection.Send(Get("/n/back"), keep);
  server.RunUntil([&] { return answers.size() == 3; });
  REQUIRE(answers.size() == 3);
  CHECK(answers[2].status == 200);
  CHECK(answers[2].body == "back");
}

TEST_CASE("HttpConnection reports a refused connection to every waiting request") {
  net::Loop loop;
  uint16_t port = 0;
  {
    net::HttpServer closed(loop, *net::SocketAddress::Parse("127.0.0.1", 0));
    port = closed.local_address().port();
  }
  loadgen::HttpConnection connection(loop, *net::SocketAddress::Parse("127.0.0.1", port));
  int failed = 0;
  for (int i = 0; i < 3; ++i) {
    connection.Send(Get("/"), [&](const loadgen::HttpClientResponse& response) {
      CHECK(response.status == 0);
      CHECK(response.error.find("connect failed") != std::string::npos);
      ++failed;
    });
  }
  net::Timer give_up(loop, [&] { loop.Stop(); });
  give_up.Start(2000);
  net::Timer poll(loop, [&] {
    if (failed == 3) loop.Stop();
  });
  poll.Start(1, 1);
  loop.Run();
  CHECK(failed == 3);
}
