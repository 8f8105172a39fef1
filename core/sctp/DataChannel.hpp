#pragma once
// One WebRTC data channel (RFC 8831 §6.4): a pair of SCTP streams with the same id, its
// DCEP parameters and its lifecycle. Owned by SctpAssociation; listeners get const refs.
#include <cstdint>
#include <optional>
#include <string>

#include "core/sctp/DcepMessage.hpp"

namespace cascade::sctp {

// SCTP Payload Protocol Identifiers used by WebRTC (RFC 8831 §8, RFC 8832 §8.1).
enum class SctpPpid : uint32_t {
  kDcep = 50,
  kString = 51,
  kBinaryPartial = 52,  // deprecated, still sent by old peers
  kBinary = 53,
  kStringPartial = 54,  // deprecated, still sent by old peers
  kStringEmpty = 56,
  kBinaryEmpty = 57,
};

enum class DataChannelMessageType : uint8_t { kText, kBinary };

enum class DataChannelReliability : uint8_t {
  kReliable,
  kMaxRetransmits,  // SCTP_PR_SCTP_RTX (RFC 3758 + RFC 7496)
  kMaxLifetime,     // SCTP_PR_SCTP_TTL, milliseconds
};

// What the application asks for; mirrors RTCDataChannelInit.
struct DataChannelParams {
  std::string label;
  std::string protocol;
  bool ordered = true;
  DataChannelReliability reliability = DataChannelReliability::kReliable;
  uint32_t reliability_parameter = 0;  // retransmits or lifetime in ms
  uint16_t priority = 256;
  // Set for channels negotiated out of band (RFC 8832 §1, W3C `negotiated: true`): no
  // DCEP exchange, both sides open the same stream id.
  std::optional<uint16_t> negotiated_id;
};

DataChannelType ToChannelType(bool ordered, DataChannelReliability reliability);
DataChannelParams ToParams(const DcepOpenFields& open);

class DataChannel {
 public:
  enum class State : uint8_t {
    kConnecting,  // we sent DATA_CHANNEL_OPEN (or will once the association is up)
    kOpen,        // ACK received, OPEN received, or negotiated out of band
    kClosing,     // we reset our outgoing stream, waiting for the peer's reset
  };

  DataChannel(uint16_t stream_id, DataChannelParams params, bool locally_initiated)
      : stream_id_(stream_id), params_(std::move(params)), locally_initiated_(locally_initiated) {}

  uint16_t stream_id() const { return stream_id_; }
  const std::string& label() const { return params_.label; }
  const std::string& protocol() const { return params_.protocol; }
  const DataChannelParams& params() const { return params_; }
  bool ordered() const { return params_.ordered; }
  bool negotiated() const { return params_.negotiated_id.has_value(); }
  bool locally_initiated() const { return locally_initiated_; }
  State state() const { return state_; }

 private:
  friend class SctpAssociation;

  uint16_t stream_id_;
  DataChannelParams params_;
  bool locally_initiated_;
  State state_ = State::kConnecting;
  bool open_sent_ = false;        // DATA_CHANNEL_OPEN handed to usrsctp
  bool reset_requested_ = false;  // our outgoing stream reset was asked for
};

}  // namespace cascade::sctp
