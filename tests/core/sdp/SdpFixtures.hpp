#pragma once
// The SDP fixtures copied from aiortc, semantic-sdp-js and sdp-transform, and the offers of
// Debian's Chromium (tests/browser/capture_offers.mjs), in tests/data/sdp.
#include <array>
#include <string_view>

namespace cascade::sdp::test {

inline constexpr std::array<std::string_view, 47> kValidFixtures = {
    "aiortc/audio_chrome.sdp",
    "aiortc/audio_dtls_session_level.sdp",
    "aiortc/audio_firefox.sdp",
    "aiortc/audio_freeswitch.sdp",
    "aiortc/audio_freeswitch_no_dtls.sdp",
    "aiortc/audio_ice_lite.sdp",
    "aiortc/audio_ice_session_level_credentials.sdp",
    "aiortc/audio_rtcp_without_port.sdp",
    "aiortc/datachannel_firefox.sdp",
    "aiortc/datachannel_firefox_63.sdp",
    "aiortc/video_chrome.sdp",
    "aiortc/video_firefox.sdp",
    "aiortc/video_session_star_rtcp_fb.sdp",
    "chromium/publish_offer.sdp",
    "chromium/watch_offer.sdp",
    "sdp-transform/alac.sdp",
    "sdp-transform/bfcp.sdp",
    "sdp-transform/dante-aes67.sdp",
    "sdp-transform/extmap-encrypt.sdp",
    "sdp-transform/hacky.sdp",
    "sdp-transform/icelite.sdp",
    "sdp-transform/jsep.sdp",
    "sdp-transform/jssip.sdp",
    "sdp-transform/mediaclk-avbtp.sdp",
    "sdp-transform/mediaclk-ptp-v2-w-rate.sdp",
    "sdp-transform/mediaclk-ptp-v2.sdp",
    "sdp-transform/mediaclk-rtp.sdp",
    "sdp-transform/normal.sdp",
    "sdp-transform/onvif.sdp",
    "sdp-transform/rtcp-fb.sdp",
    "sdp-transform/sctp-dtls-26.sdp",
    "sdp-transform/simulcast.sdp",
    "sdp-transform/ssrc.sdp",
    "sdp-transform/st2022-6.sdp",
    "sdp-transform/st2110-20.sdp",
    "sdp-transform/tcp-active.sdp",
    "sdp-transform/tcp-passive.sdp",
    "sdp-transform/ts-refclk-media.sdp",
    "sdp-transform/ts-refclk-sess.sdp",
    "semantic-sdp-js/chrome_unified_simulcast.sdp",
    "semantic-sdp-js/firefox.sdp",
    "semantic-sdp-js/firefox_recvonly.sdp",
    "semantic-sdp-js/simulcast.sdp",
    "semantic-sdp-js/simulcast_mix.sdp",
    "semantic-sdp-js/simulcast_sim.sdp",
    "semantic-sdp-js/transceivers.sdp",
    "semantic-sdp-js/unify.sdp",
};

}  // namespace cascade::sdp::test
