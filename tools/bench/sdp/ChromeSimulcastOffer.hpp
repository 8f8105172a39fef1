#pragma once
// semantic-sdp-js chrome_unified_simulcast.sdp (MIT, see tests/data/sdp/semantic-sdp-js/LICENSE),
// embedded so the benchmark needs no data path.
inline constexpr const char* kChromeUnifiedSimulcastOffer = "v=0
    o = -6196790088784933128 4 IN IP4 127.0.0.1 s = -t = 0 0 a =
        group : BUNDLE 0 1 2 3 a = msid - semantic
    : WMS m = audio 56071 UDP / TLS / RTP / SAVPF 111 103 104 9 0 8 106 105 13 110 112 113 126 c =
                    IN IP4 192.168.0.11 a = rtcp : 9 IN IP4 0.0.0.0 a =
                        candidate : 3988902457 1 udp 2113937151 192.168.0.11 56071 typ host
                            generation 0 network -
                        cost 999 a = ice - ufrag : SM3w a = ice - pwd
    : iJpD5EkDA1eSPIbR7Mzkzwwr a = ice - options : trickle a = fingerprint : sha - 256 6F : 25 : D8 : 09
    : B2 : 0E : 57 : CC : 80 : EC : CB : E3 : CF : 00 : 95 : 04 : 4A : 15 : AE : CA : 5E : BD : 70 : A6
    : DD : 16 : 22 : 95 : F8 : CD : 05 : 67 a = setup
    : actpass a = mid : 0 a = extmap : 1 urn : ietf : params : rtp - hdrext : ssrc - audio - level a =
                                  extmap : 9 urn : ietf : params : rtp - hdrext : sdes
    : mid a = inactive a = rtcp - mux a = rtpmap : 111 opus / 48000 / 2 a = rtcp - fb : 111 transport - cc a =
                                                                                fmtp : 111 minptime = 10;
useinbandfec = 1 a =
    rtpmap : 103 ISAC / 16000 a =
        rtpmap : 104 ISAC / 32000 a =
            rtpmap : 9 G722 / 8000 a =
                rtpmap : 0 PCMU / 8000 a =
                    rtpmap : 8 PCMA / 8000 a =
                        rtpmap : 106 CN / 32000 a =
                            rtpmap : 105 CN / 16000 a =
                                rtpmap : 13 CN / 8000 a =
                                    rtpmap : 110 telephone - event / 48000 a =
                                        rtpmap : 112 telephone - event / 32000 a =
                                            rtpmap : 113 telephone - event / 16000 a =
                                                rtpmap : 126 telephone - event / 8000 m =
                                                    video 9 UDP / TLS / RTP /
                                                    SAVPF 96 97 98 99 100 101 102 122 127 121 125 107 108 109 124 120 123 119 114 c =
                                                        IN IP4 0.0.0.0 a = rtcp : 9 IN IP4 0.0.0.0 a =
                                                            ice - ufrag : SM3w a = ice - pwd
    : iJpD5EkDA1eSPIbR7Mzkzwwr a = ice - options : trickle a = fingerprint : sha - 256 6F : 25 : D8 : 09
    : B2 : 0E : 57 : CC : 80 : EC : CB : E3 : CF : 00 : 95 : 04 : 4A : 15 : AE : CA : 5E : BD : 70 : A6
    : DD : 16 : 22 : 95 : F8 : CD : 05 : 67 a = setup
    : actpass a = mid : 1 a = extmap : 2 urn : ietf : params : rtp - hdrext : toffset a = extmap : 3 http
    :  // www.webrtc.org/experiments/rtp-hdrext/abs-send-time
       a = extmap : 4 urn : 3gpp : video - orientation a =
               extmap : 5 http :  // www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
                                  a = extmap : 6 http
    :                         // www.webrtc.org/experiments/rtp-hdrext/playout-delay
       a = extmap : 7 http :  // www.webrtc.org/experiments/rtp-hdrext/video-content-type
                              a = extmap : 8 http
    :  // www.webrtc.org/experiments/rtp-hdrext/video-timing
       a = extmap : 9 urn : ietf : params : rtp - hdrext : sdes : mid a = inactive a =
               rtcp - mux a =
                   rtcp - rsize a =
                       rtpmap : 96 VP8 / 90000 a =
                           rtcp - fb : 96 goog - remb a =
                               rtcp - fb : 96 transport - cc a =
                                   rtcp - fb : 96 ccm fir a =
                                       rtcp - fb : 96 nack a =
                                           rtcp - fb : 96 nack pli a =
                                               rtpmap : 97 rtx / 90000 a =
                                                   fmtp : 97 apt = 96 a =
                                                       rtpmap : 98 VP9 / 90000 a =
                                                           rtcp - fb : 98 goog - remb a =
                                                               rtcp - fb : 98 transport - cc a =
                                                                   rtcp - fb : 98 ccm fir a =
                                                                       rtcp - fb : 98 nack a =
                                                                           rtcp - fb : 98 nack pli a =
                                                                               fmtp : 98 x - google -
                                                                               profile - id = 0 a =
                                                                                   rtpmap : 99 rtx /
                                                                                   90000 a = fmtp : 99 apt = 98 a =
                                                                                       rtpmap : 100 H264 /
                                                                                       90000 a =
                                                                                           rtcp -
                                                                                           fb : 100 goog -
                                                                                           remb a =
                                                                                               rtcp -
                                                                                               fb : 100 transport -
                                                                                               cc a =
                                                                                                   rtcp -
                                                                                                   fb : 100 ccm
                                                                                                       fir a =
                                                                                                       rtcp -
                                                                                                       fb : 100 nack
                                                                                                           a =
                                                                                                           rtcp -
                                                                                                           fb : 100 nack
                                                                                                               pli a =
                                                                                                               fmtp : 100 level -
                                                                                                               asymmetry -
                                                                                                               allowed =
                                                                                                                   1;
packetization - mode = 1;
profile - level - id = 42001f a = rtpmap : 101 rtx / 90000 a = fmtp : 101 apt = 100 a =
                                      rtpmap : 102 H264 / 90000 a =
                                          rtcp - fb : 102 goog - remb a =
                                              rtcp - fb : 102 transport - cc a =
                                                  rtcp - fb : 102 ccm fir a =
                                                      rtcp - fb : 102 nack a =
                                                          rtcp - fb : 102 nack pli a =
                                                              fmtp : 102 level - asymmetry - allowed = 1;
packetization - mode = 0;
profile - level - id = 42001f a = rtpmap : 122 rtx / 90000 a = fmtp : 122 apt = 102 a =
                                      rtpmap : 127 H264 / 90000 a =
                                          rtcp - fb : 127 goog - remb a =
                                              rtcp - fb : 127 transport - cc a =
                                                  rtcp - fb : 127 ccm fir a =
                                                      rtcp - fb : 127 nack a =
                                                          rtcp - fb : 127 nack pli a =
                                                              fmtp : 127 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 42e01f a = rtpmap : 121 rtx / 90000 a = fmtp : 121 apt = 127 a =
                                      rtpmap : 125 H264 / 90000 a =
                                          rtcp - fb : 125 goog - remb a =
                                              rtcp - fb : 125 transport - cc a =
                                                  rtcp - fb : 125 ccm fir a =
                                                      rtcp - fb : 125 nack a =
                                                          rtcp - fb : 125 nack pli a =
                                                              fmtp : 125 level - asymmetry - allowed = 1;
packetization - mode = 0;
profile - level - id = 42e01f a = rtpmap : 107 rtx / 90000 a = fmtp : 107 apt = 125 a =
                                      rtpmap : 108 H264 / 90000 a =
                                          rtcp - fb : 108 goog - remb a =
                                              rtcp - fb : 108 transport - cc a =
                                                  rtcp - fb : 108 ccm fir a =
                                                      rtcp - fb : 108 nack a =
                                                          rtcp - fb : 108 nack pli a =
                                                              fmtp : 108 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 4d0032 a = rtpmap : 109 rtx / 90000 a = fmtp : 109 apt = 108 a =
                                      rtpmap : 124 H264 / 90000 a =
                                          rtcp - fb : 124 goog - remb a =
                                              rtcp - fb : 124 transport - cc a =
                                                  rtcp - fb : 124 ccm fir a =
                                                      rtcp - fb : 124 nack a =
                                                          rtcp - fb : 124 nack pli a =
                                                              fmtp : 124 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 640032 a =
    rtpmap : 120 rtx / 90000 a = fmtp : 120 apt = 124 a =
        rtpmap : 123 red / 90000 a =
            rtpmap : 119 rtx / 90000 a = fmtp : 119 apt = 123 a =
                rtpmap : 114 ulpfec / 90000 m =
                    audio 9 UDP / TLS / RTP / SAVPF 111 103 104 9 0 8 106 105 13 110 112 113 126 c =
                        IN IP4 0.0.0.0 a = rtcp : 9 IN IP4 0.0.0.0 a = ice - ufrag : SM3w a = ice - pwd
    : iJpD5EkDA1eSPIbR7Mzkzwwr a = ice - options : trickle a = fingerprint : sha - 256 6F : 25 : D8 : 09
    : B2 : 0E : 57 : CC : 80 : EC : CB : E3 : CF : 00 : 95 : 04 : 4A : 15 : AE : CA : 5E : BD : 70 : A6
    : DD : 16 : 22 : 95 : F8 : CD : 05 : 67 a = setup
    : actpass a = mid : 2 a =
          extmap : 1 urn : ietf : params : rtp - hdrext : ssrc - audio - level a =
              extmap : 9 urn : ietf : params : rtp - hdrext : sdes : mid a = sendonly a =
                  msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 2e41d5b1 - 4e7f - 4e48 - b26a - eff059689494 a =
                      rtcp - mux a = rtpmap : 111 opus / 48000 / 2 a = rtcp - fb : 111 transport - cc a =
                                                                           fmtp : 111 minptime = 10;
useinbandfec = 1 a =
    rtpmap : 103 ISAC / 16000 a =
        rtpmap : 104 ISAC / 32000 a =
            rtpmap : 9 G722 / 8000 a =
                rtpmap : 0 PCMU / 8000 a =
                    rtpmap : 8 PCMA / 8000 a =
                        rtpmap : 106 CN / 32000 a =
                            rtpmap : 105 CN / 16000 a =
                                rtpmap : 13 CN / 8000 a =
                                    rtpmap : 110 telephone - event / 48000 a =
                                        rtpmap : 112 telephone - event / 32000 a =
                                            rtpmap : 113 telephone - event / 16000 a =
                                                rtpmap : 126 telephone - event / 8000 a =
                                                    ssrc : 942638783 cname : 4uV9shnqJ09Jny5w a =
                                                        ssrc : 942638783 msid
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 2e41d5b1 -
      4e7f - 4e48 - b26a - eff059689494 a = ssrc : 942638783 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 942638783 label : 2e41d5b1 - 4e7f - 4e48 - b26a - eff059689494 m =
              video 9 UDP / TLS / RTP /
              SAVPF 96 97 98 99 100 101 102 122 127 121 125 107 108 109 124 120 123 119 114 c =
                  IN IP4 0.0.0.0 a = rtcp : 9 IN IP4 0.0.0.0 a = ice - ufrag : SM3w a = ice - pwd
    : iJpD5EkDA1eSPIbR7Mzkzwwr a = ice - options : trickle a = fingerprint : sha - 256 6F : 25 : D8 : 09
    : B2 : 0E : 57 : CC : 80 : EC : CB : E3 : CF : 00 : 95 : 04 : 4A : 15 : AE : CA : 5E : BD : 70 : A6
    : DD : 16 : 22 : 95 : F8 : CD : 05 : 67 a = setup
    : actpass a = mid : 3 a = extmap : 2 urn : ietf : params : rtp - hdrext : toffset a = extmap : 3 http
    :  // www.webrtc.org/experiments/rtp-hdrext/abs-send-time
       a = extmap : 4 urn : 3gpp : video - orientation a =
               extmap : 5 http :  // www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
                                  a = extmap : 6 http
    :                         // www.webrtc.org/experiments/rtp-hdrext/playout-delay
       a = extmap : 7 http :  // www.webrtc.org/experiments/rtp-hdrext/video-content-type
                              a = extmap : 8 http
    :  // www.webrtc.org/experiments/rtp-hdrext/video-timing
       a = extmap : 9 urn : ietf : params : rtp - hdrext : sdes : mid a = inactive a =
               msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
                   rtcp - mux a =
                       rtcp - rsize a =
                           rtpmap : 96 VP8 / 90000 a =
                               rtcp - fb : 96 goog - remb a =
                                   rtcp - fb : 96 transport - cc a =
                                       rtcp - fb : 96 ccm fir a =
                                           rtcp - fb : 96 nack a =
                                               rtcp - fb : 96 nack pli a =
                                                   rtpmap : 97 rtx / 90000 a =
                                                       fmtp : 97 apt = 96 a =
                                                           rtpmap : 98 VP9 / 90000 a =
                                                               rtcp - fb : 98 goog - remb a =
                                                                   rtcp - fb : 98 transport - cc a =
                                                                       rtcp - fb : 98 ccm fir a =
                                                                           rtcp - fb : 98 nack a =
                                                                               rtcp - fb : 98 nack pli a =
                                                                                   fmtp : 98 x - google -
                                                                                   profile - id = 0 a =
                                                                                       rtpmap : 99 rtx /
                                                                                       90000 a = fmtp : 99 apt = 98 a =
                                                                                           rtpmap : 100 H264 /
                                                                                           90000 a =
                                                                                               rtcp -
                                                                                               fb : 100 goog -
                                                                                               remb a =
                                                                                                   rtcp -
                                                                                                   fb : 100 transport -
                                                                                                   cc a =
                                                                                                       rtcp -
                                                                                                       fb : 100 ccm
                                                                                                           fir a =
                                                                                                           rtcp -
                                                                                                           fb : 100 nack
                                                                                                               a =
                                                                                                               rtcp -
                                                                                                               fb : 100 nack
                                                                                                                   pli a =
                                                                                                                   fmtp : 100 level -
                                                                                                                   asymmetry -
                                                                                                                   allowed =
                                                                                                                       1;
packetization - mode = 1;
profile - level - id = 42001f a = rtpmap : 101 rtx / 90000 a = fmtp : 101 apt = 100 a =
                                      rtpmap : 102 H264 / 90000 a =
                                          rtcp - fb : 102 goog - remb a =
                                              rtcp - fb : 102 transport - cc a =
                                                  rtcp - fb : 102 ccm fir a =
                                                      rtcp - fb : 102 nack a =
                                                          rtcp - fb : 102 nack pli a =
                                                              fmtp : 102 level - asymmetry - allowed = 1;
packetization - mode = 0;
profile - level - id = 42001f a = rtpmap : 122 rtx / 90000 a = fmtp : 122 apt = 102 a =
                                      rtpmap : 127 H264 / 90000 a =
                                          rtcp - fb : 127 goog - remb a =
                                              rtcp - fb : 127 transport - cc a =
                                                  rtcp - fb : 127 ccm fir a =
                                                      rtcp - fb : 127 nack a =
                                                          rtcp - fb : 127 nack pli a =
                                                              fmtp : 127 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 42e01f a = rtpmap : 121 rtx / 90000 a = fmtp : 121 apt = 127 a =
                                      rtpmap : 125 H264 / 90000 a =
                                          rtcp - fb : 125 goog - remb a =
                                              rtcp - fb : 125 transport - cc a =
                                                  rtcp - fb : 125 ccm fir a =
                                                      rtcp - fb : 125 nack a =
                                                          rtcp - fb : 125 nack pli a =
                                                              fmtp : 125 level - asymmetry - allowed = 1;
packetization - mode = 0;
profile - level - id = 42e01f a = rtpmap : 107 rtx / 90000 a = fmtp : 107 apt = 125 a =
                                      rtpmap : 108 H264 / 90000 a =
                                          rtcp - fb : 108 goog - remb a =
                                              rtcp - fb : 108 transport - cc a =
                                                  rtcp - fb : 108 ccm fir a =
                                                      rtcp - fb : 108 nack a =
                                                          rtcp - fb : 108 nack pli a =
                                                              fmtp : 108 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 4d0032 a = rtpmap : 109 rtx / 90000 a = fmtp : 109 apt = 108 a =
                                      rtpmap : 124 H264 / 90000 a =
                                          rtcp - fb : 124 goog - remb a =
                                              rtcp - fb : 124 transport - cc a =
                                                  rtcp - fb : 124 ccm fir a =
                                                      rtcp - fb : 124 nack a =
                                                          rtcp - fb : 124 nack pli a =
                                                              fmtp : 124 level - asymmetry - allowed = 1;
packetization - mode = 1;
profile - level - id = 640032 a = rtpmap : 120 rtx / 90000 a = fmtp : 120 apt = 124 a =
                                      rtpmap : 123 red / 90000 a =
                                          rtpmap : 119 rtx / 90000 a = fmtp : 119 apt = 123 a =
                                              rtpmap : 114 ulpfec / 90000 a = ssrc - group
    : FID 2783061729 2439441231 a = ssrc - group : FID 1 2 a = ssrc - group
    : FID 3 4 a = ssrc - group : SIM 2783061729 1 3 a = ssrc : 2783061729 cname : 4uV9shnqJ09Jny5w a =
                      ssrc : 2783061729 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 -
                                               b330 - 6231313b00f3 a = ssrc : 2783061729 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 2783061729 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 2439441231 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 2439441231 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 -
                                           b330 - 6231313b00f3 a = ssrc : 2439441231 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 2439441231 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 1 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 1 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 1 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 1 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 2 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 2 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 2 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 2 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 3 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 3 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 3 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 3 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 4 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 4 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 4 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 4 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc - group : FID 5 6 a = ssrc : 5 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 5 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 5 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 5 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 6 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 6 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 6 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 6 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc - group : FID 7 8 a = ssrc : 7 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 7 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a = ssrc : 7 mslabel
    : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
          ssrc : 7 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
              ssrc : 8 cname : 4uV9shnqJ09Jny5w a =
                  ssrc : 8 msid : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC 8b9dfcbc - d1aa - 4b12 - b330 -
                                  6231313b00f3 a =
                      ssrc : 8 mslabel : y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC a =
                                             ssrc : 8 label : 8b9dfcbc - d1aa - 4b12 - b330 - 6231313b00f3 a =
                                                 ssrc - group : SIM 2783061729 5 7 a = simulcast : send a;
b;
c a = rid : a send ssrc = 2783061729 a = rid : b send ssrc = 5 a = rid : c send ssrc = 7 a =
                                                                             x - google - flag : conference
\r\n ";
