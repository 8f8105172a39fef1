#include "core/sctp/DataChannel.hpp"

namespace cascade::sctp {

DataChannelType ToChannelType(bool ordered, DataChannelReliability reliability) {
  uint8_t type = 0x00;
  switch (reliability) {
    case DataChannelReliability::kReliable: type = 0x00; break;
    case DataChannelReliability::kMaxRetransmits: type = 0x01; break;
    case DataChannelReliability::kMaxLifetime: type = 0x02; break;
  }
  return static_cast<DataChannelType>(ordered ? type : (type | 0x80));
}

DataChannelParams ToParams(const DcepOpenFields& open) {
  DataChannelParams params;
  params.label = std::string(open.label);
  params.protocol = std::string(open.protocol);
  params.ordered = IsOrdered(open.channel_type);
  switch (static_cast<uint8_t>(open.channel_type) & 0x7f) {
    case 0x01: params.reliability = DataChannelReliability::kMaxRetransmits; break;
    case 0x02: params.reliability = DataChannelReliability::kMaxLifetime; break;
    default: params.reliability = DataChannelReliability::kReliable; break;
  }
  params.reliability_parameter = open.reliability_parameter;
  params.priority = open.priority;
  return params;
}

}  // namespace cascade::sctp
