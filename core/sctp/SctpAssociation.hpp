#pragma once
// One SCTP association over DTLS (RFC 8261) carrying WebRTC data channels (RFC 8831) set
// up with DCEP (RFC 8832), on usrsctp. Loop-agnostic: the owner hands in the SCTP packets
// that came out of DTLS (ProcessSctpData), sends what OnSctpAssociationSendPacket emits
// through DTLS, and drives the timers with SctpLibrary::HandleTimers.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/base/EnumCounters.hpp"
#include "core/base/Result.hpp"
#include "core/sctp/DataChannel.hpp"
#include "core/sctp/DcepMessage.hpp"

struct socket;  // usrsctp

namespace cascade::sctp {

enum class SctpError : uint8_t {
  // Returned by the send/open/close calls.
  kNotConnected,
  kUnknownChannel,
  kChannelClosing,
  kMessageTooLarge,    // above the peer's a=max-message-size (RFC 8841 §6)
  kWouldBlock,         // send buffer full: retry after OnSctpAssociationSendBufferAvailable
  kNoStreamAvailable,  // every stream id of our parity is in use
  kStreamInUse,        // negotiated id already taken
  kInvalidParameters,  // e.g. label longer than 65535 bytes, stream id out of range
  kSendFailed,         // usrsctp refused the message for another reason
  // Counted on receive (packets/messages dropped).
  kIncomingTooLarge,  // reassembled message above our max-message-size
  kUnknownStream,     // user message on a stream with no channel
  kUnknownPpid,
  kBadDcep,       // DCEP message that does not parse (see dcep_errors())
  kOpenRejected,  // DATA_CHANNEL_OPEN on a used stream or with the wrong parity
  kUnexpectedAck,
  kBadNotification,
  kCount
};
const char* ToString(SctpError error);

// The DTLS role decides the stream id parity (RFC 8832 §6): client even, server odd.
enum class SctpRole : uint8_t { kClient, kServer };

struct SctpAssociationConfig {
  SctpRole role = SctpRole::kClient;
  uint16_t local_port = 5000;  // a=sctp-port (RFC 8841 §5)
  uint16_t remote_port = 5000;
  uint16_t outbound_streams = 1024;  // offered in INIT; the negotiated count is min of both sides
  uint16_t inbound_streams = 1024;
  // Largest message we accept, advertised in our a=max-message-size (RFC 8841 §6).
  uint32_t local_max_message_size = 262144;
  // The peer's a=max-message-size; 0 means "any size". RFC 8841 §6.1 default when absent: 64K.
  uint32_t remote_max_message_size = 65536;
  uint32_t send_buffer_size = 1024 * 1024;
  uint32_t receive_buffer_size = 1024 * 1024;
  // RFC 8261 §5: no PMTU discovery over DTLS; 1200 fits IPv6 + UDP + DTLS overheads.
  uint32_t mtu = 1200;
  // Retransmission timeout bounds (RFC 4960 §6.3.1 RTO.Initial/Min/Max).
  uint32_t rto_initial_ms = 1000;
  uint32_t rto_min_ms = 200;
  uint32_t rto_max_ms = 10000;
};

class SctpAssociation {
 public:
  enum class State : uint8_t { kNew, kConnecting, kConnected, kClosed };

  class Listener {
   public:
    virtual ~Listener() = default;
    // An SCTP packet to send through DTLS. Called synchronously from inside usrsctp: send or
    // copy it, do not call back into this association.
    virtual void OnSctpAssociationSendPacket(SctpAssociation* association,
                                             std::span<const uint8_t> packet) = 0;
    virtual void OnSctpAssociationConnected(SctpAssociation* association) = 0;
    // The association failed, was aborted or shut down by the peer.
    virtual void OnSctpAssociationClosed(SctpAssociation* association) = 0;
    // The peer opened a channel (its DATA_CHANNEL_OPEN), or the peer acknowledged one we opened.
    virtual void OnSctpAssociationDataChannelOpened(SctpAssociation* association,
                                                    const DataChannel& channel) = 0;
    virtual void OnSctpAssociationMessage(SctpAssociation* association, uint16_t stream_id,
                                          DataChannelMessageType type, std::span<const uint8_t> data) = 0;
    // Both directions of the channel's streams were reset (RFC 8831 §6.7); the id is free again.
    virtual void OnSctpAssociationDataChannelClosed(SctpAssociation* association,
                                                    const DataChannel& channel) = 0;
    // A send that returned kWouldBlock may be retried.
    virtual void OnSctpAssociationSendBufferAvailable(SctpAssociation* /*association*/) {}
  };

  // `listener` is not owned and must outlive this.
  SctpAssociation(const SctpAssociationConfig& config, Listener* listener);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Starts the association once DTLS is up. Both WebRTC peers connect to each other's
  // port (simultaneous open, RFC 4960 §5.2.4), whichever DTLS role they have.
  void Connect();
  // An SCTP packet that came out of DTLS.
  void ProcessSctpData(std::span<const uint8_t> packet);
  // Aborts the association (the ABORT goes out through OnSctpAssociationSendPacket).
  void Close();

  // Opens a channel: picks a stream id of our parity and sends DATA_CHANNEL_OPEN (after the
  // association is up if it is not yet), or takes params.negotiated_id without DCEP.
  base::Result<uint16_t, SctpError> OpenDataChannel(const DataChannelParams& params);
  // Sends one message. An empty message is sent as PPID 56/57 with one byte (RFC 8831 §6.6).
  base::Result<size_t, SctpError> SendMessage(uint16_t stream_id, DataChannelMessageType type,
                                              std::span<const uint8_t> data);
  // Resets our outgoing stream (RFC 8831 §6.7); OnSctpAssociationDataChannelClosed follows
  // when the peer has reset its side.
  base::Result<uint16_t, SctpError> CloseDataChannel(uint16_t stream_id);

  const DataChannel* FindDataChannel(uint16_t stream_id) const;
  size_t DataChannelCount() const { return channels_.size(); }
  State state() const { return state_; }
  SctpRole role() const { return config_.role; }
  const SctpAssociationConfig& config() const { return config_; }
  // Stream counts negotiated in INIT/INIT-ACK (valid once connected).
  uint16_t outbound_streams() const { return outbound_streams_; }
  uint16_t inbound_streams() const { return inbound_streams_; }
  // Bytes of messages accepted by SendMessage but not yet handed to usrsctp.
  size_t queued_bytes() const { return queued_bytes_; }

  uint64_t messages_sent() const { return messages_sent_; }
  uint64_t messages_received() const { return messages_received_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t bytes_received() const { return bytes_received_; }
  const base::EnumCounters<SctpError>& errors() const { return errors_; }
  const base::EnumCounters<DcepError>& dcep_errors() const { return dcep_errors_; }

 private:
  friend class SctpLibrary;

  struct OutgoingMessage {
    uint16_t stream_id;
    uint32_t ppid;
    bool unordered;
    DataChannelReliability reliability;
    uint32_t reliability_parameter;
    std::vector<uint8_t> data;
    size_t offset = 0;  // bytes already taken by usrsctp (explicit EOR mode may take part)
  };

  // Called by SctpLibrary (see there for why the receive path is deferred).
  void HandleOutgoingPacket(std::span<const uint8_t> packet);
  void HandleReceive(const uint8_t* data, size_t length, uint16_t stream_id, uint32_t ppid, int flags);
  void HandleWritable();

  void HandleNotification(std::span<const uint8_t> data);
  void HandleAssociationChange(std::span<const uint8_t> data);
  void HandleStreamReset(std::span<const uint8_t> data);
  void HandleMessage(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> payload);
  void HandleDcep(uint16_t stream_id, std::span<const uint8_t> payload);
  void HandleUserMessage(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> payload);

  // Sends a whole message; internal (DCEP) messages are queued instead of failing.
  base::Result<size_t, SctpError> SendRaw(uint16_t stream_id, uint32_t ppid, bool unordered,
                                          DataChannelReliability reliability, uint32_t reliability_parameter,
                                          std::span<const uint8_t> data, bool internal);
  // Hands one piece to usrsctp: bytes taken, 0 when the buffer is full, -1 on error.
  ptrdiff_t SendPiece(const OutgoingMessage& header, std::span<const uint8_t> data);
  void FlushQueuedMessages();
  void SendOpen(DataChannel& channel);
  void RequestStreamReset(uint16_t stream_id);
  void FlushStreamResets();
  void RemoveChannel(uint16_t stream_id, bool notify);
  bool StreamIdUsable(uint16_t stream_id) const;
  // False once the association with this id was destroyed (e.g. by a listener callback).
  static bool StillAlive(uintptr_t id);
  void SetClosed();

  SctpAssociationConfig config_;
  Listener* listener_;               // passed by argument, not owned
  uintptr_t id_ = 0;                 // our AF_CONN address and registry key
  struct socket* socket_ = nullptr;  // allocated by usrsctp, closed through SctpLibrary
  State state_ = State::kNew;
  uint16_t outbound_streams_ = 0;
  uint16_t inbound_streams_ = 0;

  std::unordered_map<uint16_t, std::unique_ptr<DataChannel>> channels_;
  // Streams whose outgoing reset is not yet confirmed: their ids cannot be reused yet.
  std::unordered_set<uint16_t> resetting_streams_;
  std::vector<uint16_t> pending_resets_;
  std::vector<uint8_t> reset_scratch_;

  std::deque<OutgoingMessage> outgoing_;
  size_t queued_bytes_ = 0;
  bool send_blocked_ = false;  // a user send returned kWouldBlock; tell the listener when it clears

  // Reassembly of a message usrsctp delivers in pieces (partial delivery), bounded by
  // local_max_message_size. Fragment interleave level 1 (the default) keeps pieces of one
  // message contiguous.
  std::vector<uint8_t> reassembly_;
  bool reassembling_ = false;
  bool reassembly_discard_ = false;
  uint16_t reassembly_stream_ = 0;
  uint32_t reassembly_ppid_ = 0;
  // Deprecated PPID 52/54 fragments (RFC 8831 §8), per stream until the final 51/53 piece.
  std::unordered_map<uint16_t, std::vector<uint8_t>> legacy_partials_;

  uint64_t messages_sent_ = 0;
  uint64_t messages_received_ = 0;
  uint64_t bytes_sent_ = 0;
  uint64_t bytes_received_ = 0;
  base::EnumCounters<SctpError> errors_;
  base::EnumCounters<DcepError> dcep_errors_;
};

}  // namespace cascade::sctp
