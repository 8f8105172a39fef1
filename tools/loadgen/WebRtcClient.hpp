#pragma once
// One synthetic WebRTC peer of the load generator, on its own loopback UDP socket: a WHIP
// publisher sending synthetic Opus + VP8, or a WHEP viewer counting what arrives. Our own
// WebRtcTransport in client mode (ICE controlling, DTLS client) does ICE, DTLS and SRTP.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/dtls/DtlsContext.hpp"
#include "core/net/Loop.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "tools/loadgen/SdpOffer.hpp"
#include "tools/loadgen/SyntheticMedia.hpp"

namespace cascade::loadgen {

// Received packets of one stream, with losses from sequence number gaps.
struct StreamCounter {
  uint64_t packets = 0;
  uint64_t first_extended = 0;
  uint64_t highest_extended = 0;
  bool started = false;
  void OnPacket(uint16_t sequence_number);
  uint64_t expected() const { return started ? highest_extended - first_extended + 1 : 0; }
  uint64_t lost() const { return expected() > packets ? expected() - packets : 0; }
};

class WebRtcClient : public net::UdpSocket::Listener, public transport::WebRtcTransport::Listener {
 public:
  enum class Role : uint8_t { kPublisher, kViewer };

  // `dtls_context` holds our certificate whose fingerprint is `fingerprint` (passed by argument).
  WebRtcClient(net::Loop& loop, dtls::DtlsContext& dtls_context, const dtls::Fingerprint& fingerprint,
               Role role, uint32_t index);
  ~WebRtcClient() override;

  std::string Offer() const;
  // Takes the 201 answer; false (and `error`) when it is unusable.
  bool Start(const std::string& answer_sdp, std::string& error);
  void OnFastTick();
  void OnSlowTick(uint64_t now_ms);
  // Publisher: one ~`frame_bytes` video frame (a keyframe when due or asked for) / one audio packet.
  void SendVideoFrame(size_t frame_bytes, bool force_keyframe);
  void SendAudioPacket();

  Role role() const { return role_; }
  bool connected() const { return connected_us_ != 0; }
  bool failed() const { return ended_.has_value(); }
  std::optional<transport::TransportEnd> ended() const { return ended_; }

  // Timeline, steady-clock microseconds (0: not yet).
  uint64_t post_us = 0;
  uint64_t answer_us = 0;
  uint64_t connected_us() const { return connected_us_; }
  uint64_t first_video_us() const { return first_video_us_; }
  std::string location;  // the session URL from the 201
  std::string edge_url;  // the edge that answered (after control's redirect), http://IP:PORT
  std::string error;

  const StreamCounter& video() const { return video_; }
  const StreamCounter& audio() const { return audio_; }
  uint64_t keyframe_requests() const { return keyframe_requests_; }
  uint64_t packets_sent() const { return packets_sent_; }

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

  // transport::WebRtcTransport::Listener
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                        const net::SocketAddress& address) override;
  void OnWebRtcTransportConnected(transport::WebRtcTransport* transport) override;
  void OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) override;
  void OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                             std::span<const uint8_t> compound) override;
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                          const sctp::DataChannel& channel) override;
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport, uint16_t stream_id,
                                           sctp::DataChannelMessageType type,
                                           std::span<const uint8_t> data) override;
  void OnWebRtcTransportEnded(transport::WebRtcTransport* transport, transport::TransportEnd reason) override;

 private:
  bool SendPacket(std::span<const uint8_t> plain);

  net::Loop& loop_;
  dtls::DtlsContext& dtls_context_;  // passed by argument
  Role role_;
  std::string ice_ufrag_;
  std::string ice_pwd_;
  dtls::Fingerprint fingerprint_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  base::EnumCounters<transport::TransportDrop> drops_;
  AnswerInfo answer_;
  uint32_t audio_ssrc_;
  uint32_t video_ssrc_;
  Vp8Packetizer vp8_;
  OpusSource opus_;
  bool keyframe_requested_ = true;
  uint64_t last_keyframe_us_ = 0;
  uint64_t keyframe_requests_ = 0;
  uint64_t packets_sent_ = 0;
  uint64_t connected_us_ = 0;
  uint64_t first_video_us_ = 0;
  StreamCounter video_;
  StreamCounter audio_;
  std::optional<transport::TransportEnd> ended_;
};

}  // namespace cascade::loadgen
