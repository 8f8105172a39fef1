#pragma once
// Process-wide usrsctp state. usrsctp is one global stack: this class initialises it on
// the first reference and finishes it after the last (reference counted, like
// libdatachannel's init), runs it without its own threads (usrsctp_init_nothreads, as
// mediasoup does) so that the owner's loop drives its timers through HandleTimers(), and
// maps every AF_CONN address handed to usrsctp back to the live SctpAssociation.
//
// Why callbacks are deferred: usrsctp calls out (packet output, received data,
// notifications) while holding its internal locks and while the socket is in use. Every
// received message and notification is therefore queued and delivered to the association
// once the outermost call into usrsctp has returned, so listeners may send, open, close or
// destroy any association (including the calling one) from their callbacks. An association
// destroyed while usrsctp is on the stack has its socket closed after usrsctp returns; any
// callback usrsctp still makes for it finds no registry entry and is dropped.
//
// Time: usrsctp fires its timers from the tick count advanced by HandleTimers, but judges
// retransmission eligibility, RTT and heartbeat idleness by the wall clock (gettimeofday).
// HandleTimers must therefore follow real time; feeding it faster than real time (a
// simulated clock) does not make retransmissions or heartbeats happen sooner.
//
// All associations of a process must be driven from one thread.
#include <cstddef>
#include <cstdint>

// usrsctp types, only named here (usrsctp.h stays out of our headers).
struct socket;
union sctp_sockstore;
struct sctp_rcvinfo;

namespace cascade::sctp {

class SctpAssociation;

class SctpLibrary {
 public:
  // How often the owner should call HandleTimers (usrsctp's internal tick is 10 ms).
  static constexpr uint32_t kTimerIntervalMs = 10;

  // Holds the library initialised for its lifetime (each SctpAssociation holds one too).
  class Ref {
   public:
    Ref() { Acquire(); }
    ~Ref() { Release(); }
    Ref(const Ref&) = delete;
    Ref& operator=(const Ref&) = delete;
  };

  static void Acquire();
  static void Release();
  static bool IsInitialized();
  static size_t ReferenceCount();

  // Advances usrsctp's timers (retransmissions, heartbeats, delayed SACKs) by `elapsed_ms`.
  static void HandleTimers(uint32_t elapsed_ms);
  // The same driven by a monotonic clock reading: elapsed time since the previous Tick.
  static void Tick(uint64_t now_ms);

  static size_t AssociationCount();

 private:
  friend class SctpAssociation;

  // Keeps usrsctp "on the stack" for its lifetime; the outermost scope delivers the
  // deferred callbacks when it ends.
  class Scope {
   public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  static uintptr_t Register(SctpAssociation* association);
  // An AF_CONN one-to-one socket whose callbacks feed the deferred queue under `id`.
  static struct socket* CreateSocket(uintptr_t id, uint32_t send_threshold);
  // Forgets the association; closes its socket now or, when inside usrsctp, later.
  static void Unregister(uintptr_t id, struct socket* socket);
  static SctpAssociation* Find(uintptr_t id);
  static bool InsideUsrsctp();

  // usrsctp callbacks: ulp_info carries the association id, never a pointer, so a callback
  // for a destroyed association is recognised by the registry and dropped.
  static int ReceiveThunk(struct socket* sock, union sctp_sockstore addr, void* data, size_t length,
                          struct sctp_rcvinfo rcv, int flags, void* ulp_info);
  static int SendThunk(struct socket* sock, uint32_t sb_free, void* ulp_info);
  // usrsctp's packet output: `addr` is the AF_CONN address we registered (an association id).
  static int ConnOutput(void* addr, void* buffer, size_t length, uint8_t tos, uint8_t set_df);
  // Delivers the queued callbacks once usrsctp is off the stack.
  static void Drain();
  static void Initialize();
  static void MaybeFinish();

  // Queued from usrsctp callbacks; `data` is malloc'ed and owned by the queue.
  static void QueueReceive(uintptr_t id, void* data, size_t length, uint16_t stream_id, uint32_t ppid,
                           int flags);
  static void QueueWritable(uintptr_t id);
  // A packet handed in while usrsctp is on the stack (e.g. an in-memory peer); copied.
  static void QueueInbound(uintptr_t id, const uint8_t* data, size_t length);
};

}  // namespace cascade::sctp
