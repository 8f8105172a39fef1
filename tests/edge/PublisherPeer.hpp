#pragma once
// A WHIP publisher for edge tests: the load generator's synthetic Opus + VP8 client, ticked
// and fed frames (30 per second, a keyframe whenever the edge asks) on the edge's loop.
#include <memory>
#include <string>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/net/Timer.hpp"
#include "tools/loadgen/WebRtcClient.hpp"

namespace cascade::edge::test {

class PublisherPeer {
 public:
  explicit PublisherPeer(net::Loop& loop)
      : certificate_(dtls::Certificate::Generate("publisher")),
        dtls_context_(std::make_unique<dtls::DtlsContext>(*certificate_)),
        client_(std::make_unique<loadgen::WebRtcClient>(loop, *dtls_context_, certificate_->fingerprint(),
                                                        loadgen::WebRtcClient::Role::kPublisher, 1)),
        ticks_(loop, [this, &loop] {
          client_->OnFastTick();
          if (++tick_count_ % 10 == 0) client_->OnSlowTick(loop.clock().NowMs());
          if (tick_count_ % 3 == 0) {
            client_->SendVideoFrame(1500, false);
            client_->SendAudioPacket();
          }
        }) {
    ticks_.Start(10, 10);
  }
  ~PublisherPeer() {
    ticks_.Stop();
    client_.reset();
  }

  loadgen::WebRtcClient& client() { return *client_; }

 private:
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  std::unique_ptr<loadgen::WebRtcClient> client_;
  uint64_t tick_count_ = 0;
  net::Timer ticks_;
};

}  // namespace cascade::edge::test
