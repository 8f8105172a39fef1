#include "control/server/RedisClient.hpp"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "core/base/Log.hpp"

namespace cascade::control {
namespace {

// hiredis 0.14's libuv adapter (Debian 12) drops a poll error: libuv reports POLLERR (a
// refused connect, a reset) as status UV_EBADF with no events and stops the handle, and the
// adapter then never tells hiredis, so that connection hangs forever. hiredis 1.x hands the
// error to hiredis as the events it waited for, so hiredis reads the socket error and fails
// the connection; these are the adapter's own add/del functions with that poll callback.
void PollFixed(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<redisLibuvEvents*>(handle->data);
  const int ready = status != 0 ? p->events : events;
  if (p->context != nullptr && (ready & UV_READABLE)) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (ready & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

void Watch(void* privdata, int add, int remove) {
  auto* p = static_cast<redisLibuvEvents*>(privdata);
  p->events = (p->events | add) & ~remove;
  if (p->events) {
    uv_poll_start(&p->handle, p->events, PollFixed);
  } else {
    uv_poll_stop(&p->handle);
  }
}

void AddRead(void* privdata) { Watch(privdata, UV_READABLE, 0); }
void DelRead(void* privdata) { Watch(privdata, 0, UV_READABLE); }
void AddWrite(void* privdata) { Watch(privdata, UV_WRITABLE, 0); }
void DelWrite(void* privdata) { Watch(privdata, 0, UV_WRITABLE); }

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) out.elements.push_back(Convert(reply->element[i]));
      break;
    default: break;  // nil
  }
  return out;
}

}  // namespace

RedisClient::RedisClient(net::Loop& loop, net::SocketAddress address, Options options)
    : loop_(loop),
      address_(address),
      options_(options),
      backoff_ms_(options.min_backoff_ms),
      reconnect_timer_(loop, [this] { Connect(); }),
      fail_timer_(loop,
                  [this] {
                    std::deque<Done> failing;
                    failing.swap(failing_);
                    for (auto& done : failing) done(std::nullopt);
                  }),
      watchdog_timer_(loop, [this] { CheckTimeouts(); }) {}

RedisClient::~RedisClient() {
  destroying_ = true;  // pending callbacks, called with no reply by the free, reach nobody
  if (context_) redisAsyncFree(context_);
  context_ = nullptr;
}

void RedisClient::Start() {
  watchdog_timer_.Start(options_.command_timeout_ms / 4 + 1, options_.command_timeout_ms / 4 + 1);
  Connect();
}

void RedisClient::Connect() {
  redisAsyncContext* context = redisAsyncConnect(address_.ip().c_str(), address_.port());
  if (!context || context->err) {
    ++counters_.connect_failures;
    LOG_DEBUG("control.redis_connect_failed", {"redis", address_.ToString()},
              {"error", context ? context->errstr : "out of memory"});
    if (context) redisAsyncFree(context);
    ScheduleReconnect();
    return;
  }
  context->data = this;
  if (redisLibuvAttach(context, loop_.raw()) != REDIS_OK) {
    ++counters_.connect_failures;
    redisAsyncFree(context);
    ScheduleReconnect();
    return;
  }
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  redisAsyncSetConnectCallback(context, &RedisClient::OnConnect);
  redisAsyncSetDisconnectCallback(context, &RedisClient::OnDisconnect);
  context_ = context;
  connect_started_us_ = loop_.clock().NowUs();
}

void RedisClient::OnConnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (status != REDIS_OK) {
    // hiredis frees the context after this returns.
    ++self->counters_.connect_failures;
    LOG_DEBUG("control.redis_connect_failed", {"redis", self->address_.ToString()},
              {"error", context->errstr});
    self->context_ = nullptr;
    if (!self->destroying_) self->ScheduleReconnect();
    return;
  }
  ++self->counters_.connects;
  self->connected_ = true;
  self->backoff_ms_ = self->options_.min_backoff_ms;
  LOG_INFO("control.redis_connected", {"redis", self->address_.ToString()});
  for (Listener* listener : self->listeners_) listener->OnRedisConnected();
}

void RedisClient::OnDisconnect(const redisAsyncContext* context, int) {
  auto* self = static_cast<RedisClient*>(context->data);
  self->context_ = nullptr;  // hiredis frees it after this returns
  if (self->destroying_) return;
  self->Lost(context->err ? context->errstr : "closed");
}

void RedisClient::Lost(const char* why) {
  const bool was_connected = connected_;
  connected_ = false;
  if (was_connected) {
    ++counters_.disconnects;
    LOG_WARN("control.redis_disconnected", {"redis", address_.ToString()}, {"reason", why});
    for (Listener* listener : listeners_) listener->OnRedisDisconnected();
  }
  ScheduleReconnect();
}

void RedisClient::ScheduleReconnect() {
  if (reconnect_timer_.active()) return;
  reconnect_timer_.Start(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, options_.max_backoff_ms);
}

void RedisClient::FailLater(Done done) {
  ++counters_.failed_commands;
  failing_.push_back(std::move(done));
  if (!fail_timer_.active()) fail_timer_.Start(0);
}

void RedisClient::Command(std::vector<std::string> args, Done done) {
  ++counters_.commands;
  if (!connected_ || !context_) return FailLater(std::move(done));
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* pending = new Pending{this, std::move(done), loop_.clock().NowUs()};
  if (redisAsyncCommandArgv(context_, &RedisClient::OnReply, pending, static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    Done failed = std::move(pending->done);
    delete pending;
    return FailLater(std::move(failed));
  }
  pending_.insert(pending);
}

void RedisClient::OnReply(redisAsyncContext*, void* reply, void* privdata) {
  auto* pending = static_cast<Pending*>(privdata);
  RedisClient* self = pending->client;
  self->pending_.erase(pending);
  Done done = std::move(pending->done);
  delete pending;
  if (self->destroying_) return;
  if (!reply) {
    ++self->counters_.failed_commands;
    done(std::nullopt);
    return;
  }
  done(Convert(static_cast<redisReply*>(reply)));
}

void RedisClient::CheckTimeouts() {
  if (!context_) return;
  const uint64_t now = loop_.clock().NowUs();
  const uint64_t limit = uint64_t{options_.command_timeout_ms} * 1000;
  if (!connected_) {
    if (now - connect_started_us_ <= limit) return;
    // A connect nobody answers (a stopped Redis, a dropped SYN): give up on it and retry.
    ++counters_.connect_failures;
    redisAsyncContext* context = context_;
    context_ = nullptr;
    redisAsyncFree(context);  // not connected: no callback runs
    ScheduleReconnect();
    return;
  }
  const bool late = std::any_of(pending_.begin(), pending_.end(),
                                [&](const Pending* p) { return now - p->sent_us > limit; });
  if (!late) return;
  ++counters_.timeouts;
  LOG_WARN("control.redis_timeout", {"redis", address_.ToString()},
           {"timeout_ms", options_.command_timeout_ms}, {"pending", pending_.size()});
  // Fails every pending command (OnReply with no reply) and, once connected, OnDisconnect.
  redisAsyncContext* context = context_;
  context_ = nullptr;
  redisAsyncFree(context);
  Lost("command timeout");
}

void RedisClient::RegisterMetrics(base::MetricsRegistry& metrics) const {
  metrics.AddCallback("cascade_control_redis_connected", "1 while control's Redis connection is up", false,
                      {}, [this] { return connected_ ? 1.0 : 0.0; });
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  counter("cascade_control_redis_connects_total", "connections made to Redis", &counters_.connects);
  counter("cascade_control_redis_connect_failures_total", "connects to Redis that failed",
          &counters_.connect_failures);
  counter("cascade_control_redis_disconnects_total", "Redis connections lost", &counters_.disconnects);
  counter("cascade_control_redis_commands_total", "Redis commands issued", &counters_.commands);
  counter("cascade_control_redis_failed_commands_total",
          "Redis commands without an answer (not connected, dropped, timed out)", &counters_.failed_commands);
  counter("cascade_control_redis_timeouts_total",
          "Redis connections dropped for a command unanswered too long", &counters_.timeouts);
}

}  // namespace cascade::control
