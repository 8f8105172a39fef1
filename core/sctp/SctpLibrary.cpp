#include "core/sctp/SctpLibrary.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/base/Log.hpp"
#include "core/sctp/SctpAssociation.hpp"

namespace cascade::sctp {

namespace {

struct Event {
  enum class Kind : uint8_t { kReceive, kWritable, kInbound };
  Kind kind;
  uintptr_t id;
  void* data;  // malloc'ed (by usrsctp for kReceive, by us for kInbound), freed after delivery
  size_t length;
  uint16_t stream_id;
  uint32_t ppid;
  int flags;
};

struct Globals {
  size_t refs = 0;
  bool initialized = false;
  int depth = 0;  // how many of our calls into usrsctp are on the stack
  bool draining = false;
  uintptr_t next_id = 1;  // never reused, so a late callback cannot reach a newer association
  std::unordered_map<uintptr_t, SctpAssociation*> associations;
  std::vector<Event> events;
  std::vector<Event> delivering;
  struct PendingClose {
    uintptr_t id;
    struct socket* socket;
  };
  std::vector<PendingClose> closes;
  bool have_tick = false;
  uint64_t last_tick_ms = 0;
};

Globals& G() {
  static Globals globals;
  return globals;
}

void DebugPrintf(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  LOG_DEBUG("usrsctp", {"msg", line});
}

void CloseSocket(uintptr_t id, struct socket* socket) {
  if (socket != nullptr) usrsctp_close(socket);
  usrsctp_deregister_address(reinterpret_cast<void*>(id));
}

}  // namespace

int SctpLibrary::ConnOutput(void* addr, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  auto it = G().associations.find(reinterpret_cast<uintptr_t>(addr));
  // Packets of an association already destroyed (an ABORT from its lingering timers) go nowhere.
  if (it == G().associations.end()) return 0;
  it->second->HandleOutgoingPacket({static_cast<const uint8_t*>(buffer), length});
  return 0;
}

void SctpLibrary::Initialize() {
  auto& g = G();
  if (g.initialized) return;
  // Port 0: no UDP encapsulation; packets only through AF_CONN (RFC 8261 over DTLS).
  usrsctp_init_nothreads(0, &SctpLibrary::ConnOutput, &DebugPrintf);
  // The settings libwebrtc and mediasoup use for WebRTC peers:
  usrsctp_sysctl_set_sctp_ecn_enable(0);       // peers do not negotiate ECN over DTLS
  usrsctp_sysctl_set_sctp_asconf_enable(0);    // single AF_CONN address: no address reconfiguration
  usrsctp_sysctl_set_sctp_auth_enable(0);      // DTLS authenticates; SCTP-AUTH only widens attack surface
  usrsctp_sysctl_set_sctp_pr_enable(1);        // RFC 8831 §6.1: partial reliability (RFC 3758)
  usrsctp_sysctl_set_sctp_reconfig_enable(1);  // RFC 8831 §6.1: stream reset (RFC 6525)
  usrsctp_sysctl_set_sctp_nrsack_enable(0);
  // Bound the retransmission timeout so a lost link is declared dead within seconds.
  usrsctp_sysctl_set_sctp_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
  g.initialized = true;
  g.have_tick = false;
}

void SctpLibrary::MaybeFinish() {
  auto& g = G();
  if (!g.initialized || g.refs > 0 || g.depth > 0 || g.draining) return;
  for (auto& close : g.closes) CloseSocket(close.id, close.socket);
  g.closes.clear();
  // Closed sockets may wait for a usrsctp timer before they are freed; with no association
  // of ours left, run those timers forward until usrsctp agrees to finish.
  ++g.depth;
  int attempts = 0;
  while (usrsctp_finish() != 0 && attempts++ < 200) usrsctp_handle_timers(100);
  --g.depth;
  for (auto& event : g.events) std::free(event.data);
  g.events.clear();
  if (attempts > 200) {
    LOG_WARN("sctp_library_finish_failed");
    return;  // stays initialised; the next Acquire reuses it
  }
  g.initialized = false;
}

void SctpLibrary::Drain() {
  auto& g = G();
  if (g.draining || g.depth > 0) return;
  g.draining = true;
  while (!g.events.empty() || !g.closes.empty()) {
    if (!g.closes.empty()) {
      std::vector<Globals::PendingClose> closes;
      closes.swap(g.closes);
      ++g.depth;
      for (auto& close : closes) CloseSocket(close.id, close.socket);
      --g.depth;
    }
    g.delivering.swap(g.events);
    for (size_t i = 0; i < g.delivering.size(); ++i) {
      Event& event = g.delivering[i];
      auto it = g.associations.find(event.id);
      SctpAssociation* association = it == g.associations.end() ? nullptr : it->second;
      if (association != nullptr) {
        switch (event.kind) {
          case Event::Kind::kReceive:
            association->HandleReceive(static_cast<const uint8_t*>(event.data), event.length, event.stream_id,
                                       event.ppid, event.flags);
            break;
          case Event::Kind::kWritable: association->HandleWritable(); break;
          case Event::Kind::kInbound:
            association->ProcessSctpData({static_cast<const uint8_t*>(event.data), event.length});
            break;
        }
      }
      std::free(event.data);
      event.data = nullptr;
    }
    g.delivering.clear();
  }
  g.draining = false;
  MaybeFinish();
}

int SctpLibrary::ReceiveThunk(struct socket* /*sock*/, union sctp_sockstore /*addr*/, void* data,
                              size_t length, struct sctp_rcvinfo rcv, int flags, void* ulp_info) {
  if (data == nullptr) return 1;  // end of stream; the association change notification reports it
  // The PPID is kept in network byte order by usrsctp.
  QueueReceive(reinterpret_cast<uintptr_t>(ulp_info), data, length, rcv.rcv_sid, ntohl(rcv.rcv_ppid), flags);
  return 1;
}

int SctpLibrary::SendThunk(struct socket* /*sock*/, uint32_t /*sb_free*/, void* ulp_info) {
  QueueWritable(reinterpret_cast<uintptr_t>(ulp_info));
  return 0;
}

struct socket* SctpLibrary::CreateSocket(uintptr_t id, uint32_t send_threshold) {
  Scope scope;
  return usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &ReceiveThunk, &SendThunk, send_threshold,
                        reinterpret_cast<void*>(id));
}

SctpLibrary::Scope::Scope() { ++G().depth; }

SctpLibrary::Scope::~Scope() {
  if (--G().depth == 0) Drain();
}

void SctpLibrary::Acquire() {
  Initialize();
  ++G().refs;
}

void SctpLibrary::Release() {
  auto& g = G();
  if (g.refs == 0) return;
  if (--g.refs == 0) MaybeFinish();
}

bool SctpLibrary::IsInitialized() { return G().initialized; }
size_t SctpLibrary::ReferenceCount() { return G().refs; }
size_t SctpLibrary::AssociationCount() { return G().associations.size(); }

void SctpLibrary::HandleTimers(uint32_t elapsed_ms) {
  if (!G().initialized) return;
  Scope scope;
  usrsctp_handle_timers(elapsed_ms);
}

void SctpLibrary::Tick(uint64_t now_ms) {
  auto& g = G();
  if (!g.have_tick || now_ms < g.last_tick_ms) {
    g.have_tick = true;
    g.last_tick_ms = now_ms;
    return;
  }
  const uint64_t elapsed = now_ms - g.last_tick_ms;
  if (elapsed == 0) return;
  g.last_tick_ms = now_ms;
  HandleTimers(static_cast<uint32_t>(elapsed > UINT32_MAX ? UINT32_MAX : elapsed));
}

uintptr_t SctpLibrary::Register(SctpAssociation* association) {
  auto& g = G();
  const uintptr_t id = g.next_id++;
  g.associations.emplace(id, association);
  usrsctp_register_address(reinterpret_cast<void*>(id));
  return id;
}

void SctpLibrary::Unregister(uintptr_t id, struct socket* socket) {
  auto& g = G();
  g.associations.erase(id);
  if (g.depth > 0) {
    g.closes.push_back({id, socket});  // usrsctp is using the socket right now
    return;
  }
  ++g.depth;
  CloseSocket(id, socket);
  --g.depth;
  Drain();
}

SctpAssociation* SctpLibrary::Find(uintptr_t id) {
  auto it = G().associations.find(id);
  return it == G().associations.end() ? nullptr : it->second;
}

bool SctpLibrary::InsideUsrsctp() { return G().depth > 0; }

void SctpLibrary::QueueReceive(uintptr_t id, void* data, size_t length, uint16_t stream_id, uint32_t ppid,
                               int flags) {
  G().events.push_back({Event::Kind::kReceive, id, data, length, stream_id, ppid, flags});
  if (G().depth == 0) Drain();  // not called from inside one of our usrsctp calls
}

void SctpLibrary::QueueWritable(uintptr_t id) {
  G().events.push_back({Event::Kind::kWritable, id, nullptr, 0, 0, 0, 0});
  if (G().depth == 0) Drain();
}

void SctpLibrary::QueueInbound(uintptr_t id, const uint8_t* data, size_t length) {
  void* copy = std::malloc(length == 0 ? 1 : length);
  if (copy == nullptr) return;
  if (length > 0) std::memcpy(copy, data, length);
  G().events.push_back({Event::Kind::kInbound, id, copy, length, 0, 0, 0});
  if (G().depth == 0) Drain();
}

}  // namespace cascade::sctp
