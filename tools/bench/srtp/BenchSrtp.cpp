// SRTP protect throughput for 1,200-byte RTP packets on one core.
//  BM_SrtpSessionProtect/<profile>: our SrtpSession over the OpenSSL-backed libsrtp we link.
//  BM_LibsrtpProtect/<backend>/<profile>: the raw libsrtp 2.5 API, for backend
//    openssl = the static library we link (/usr/local, --enable-openssl), and
//    nss = Debian's NSS-backed /usr/lib/x86_64-linux-gnu/libsrtp2.so.1, loaded with
//    dlopen(RTLD_DEEPBIND) so that its srtp_* symbols never mix with ours.
// Both libraries are 2.5.0 built from the same source, so srtp_policy_t has one layout.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <srtp2/srtp.h>

#include <array>
#include <cstring>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/srtp/SrtpSession.hpp"

namespace {

using cascade::srtp::SrtpProfile;
using cascade::srtp::SrtpSession;

constexpr size_t kPacketSize = 1200;
constexpr const char* kNssLibrary = "/usr/lib/x86_64-linux-gnu/libsrtp2.so.1";

std::vector<uint8_t> MakePacket() {
  std::vector<uint8_t> packet(kPacketSize + SrtpSession::kMaxRtcpOverhead, 0x5a);
  packet[0] = 0x80;
  packet[1] = 96;
  cascade::base::StoreBe32(packet.data() + 8, 0x12345678);
  return packet;
}

SrtpProfile ProfileArg(int64_t arg) {
  return arg == 0 ? SrtpProfile::kAeadAes128Gcm : SrtpProfile::kAes128CmSha1_80;
}

void BM_SrtpSessionProtect(benchmark::State& state) {
  const SrtpProfile profile = ProfileArg(state.range(0));
  std::array<uint8_t, 30> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  const size_t key_len = cascade::srtp::MasterKeyLength(profile) + cascade::srtp::MasterSaltLength(profile);
  auto session = SrtpSession::CreateWithMasterKeys(profile, {key.data(), key_len}, {key.data(), key_len}, {});
  if (!session.ok()) {
    state.SkipWithError("SrtpSession::Create failed");
    return;
  }
  auto packet = MakePacket();
  uint16_t seq = 0;
  for (auto _ : state) {
    cascade::base::StoreBe16(packet.data() + 2, ++seq);  // a fresh index per packet, as a sender has
    auto len = (*session)->ProtectRtp(packet, kPacketSize);
    benchmark::DoNotOptimize(len);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kPacketSize));
  state.SetLabel(cascade::srtp::ToString(profile));
}
BENCHMARK(BM_SrtpSessionProtect)->Arg(0)->Arg(1)->ArgName("cm");

// The part of libsrtp's API the benchmark uses, resolved from one library or the other.
struct LibsrtpApi {
  srtp_err_status_t (*init)();
  srtp_err_status_t (*create)(srtp_t*, const srtp_policy_t*);
  srtp_err_status_t (*protect)(srtp_t, void*, int*);
  srtp_err_status_t (*dealloc)(srtp_t);
  srtp_err_status_t (*policy_rtp)(srtp_crypto_policy_t*, srtp_profile_t);
  srtp_err_status_t (*policy_rtcp)(srtp_crypto_policy_t*, srtp_profile_t);
};

// srtp_init() is not idempotent (a second call fails re-registering its debug module), so
// each library is initialised exactly once: ours through SrtpLibrary, the NSS one below.
srtp_err_status_t InitLinked() {
  static cascade::srtp::SrtpLibrary library;
  return srtp_err_status_ok;
}

srtp_err_status_t InitNss(srtp_err_status_t (*init)()) {
  static const srtp_err_status_t status = init();
  return status;
}

const LibsrtpApi* LinkedApi() {
  static const LibsrtpApi api{InitLinked,
                              srtp_create,
                              srtp_protect,
                              srtp_dealloc,
                              srtp_crypto_policy_set_from_profile_for_rtp,
                              srtp_crypto_policy_set_from_profile_for_rtcp};
  return &api;
}

const LibsrtpApi* NssApi() {
  static const LibsrtpApi* api = []() -> const LibsrtpApi* {
    void* handle = dlopen(kNssLibrary, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle == nullptr) return nullptr;
    static LibsrtpApi loaded{};
    bool ok = true;
    auto bind = [&](auto& fn, const char* name) {
      void* symbol = dlsym(handle, name);
      ok = ok && symbol != nullptr;
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
    };
    bind(loaded.init, "srtp_init");
    bind(loaded.create, "srtp_create");
    bind(loaded.protect, "srtp_protect");
    bind(loaded.dealloc, "srtp_dealloc");
    bind(loaded.policy_rtp, "srtp_crypto_policy_set_from_profile_for_rtp");
    bind(loaded.policy_rtcp, "srtp_crypto_policy_set_from_profile_for_rtcp");
    if (!ok || InitNss(loaded.init) != srtp_err_status_ok) return nullptr;
    loaded.init = [] { return srtp_err_status_ok; };
    return &loaded;
  }();
  return api;
}

// range(0): 0 = linked OpenSSL build, 1 = Debian NSS build; range(1): 0 = GCM, 1 = CM-SHA1-80.
void BM_LibsrtpProtect(benchmark::State& state) {
  const LibsrtpApi* api = state.range(0) == 0 ? LinkedApi() : NssApi();
  if (api == nullptr) {
    state.SkipWithError("cannot load the NSS-backed libsrtp2.so.1");
    return;
  }
  const bool gcm = state.range(1) == 0;
  const srtp_profile_t profile = gcm ? srtp_profile_aead_aes_128_gcm : srtp_profile_aes128_cm_sha1_80;
  if (api->init() != srtp_err_status_ok) {
    state.SkipWithError("srtp_init failed");
    return;
  }
  std::array<uint8_t, 30> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  api->policy_rtp(&policy.rtp, profile);
  api->policy_rtcp(&policy.rtcp, profile);
  policy.ssrc.type = ssrc_any_outbound;
  policy.key = key.data();
  policy.allow_repeat_tx = 1;
  srtp_t ctx = nullptr;
  if (api->create(&ctx, &policy) != srtp_err_status_ok) {
    state.SkipWithError("srtp_create failed");
    return;
  }
  auto packet = MakePacket();
  int check_len = static_cast<int>(kPacketSize);
  if (api->protect(ctx, packet.data(), &check_len) != srtp_err_status_ok ||
      check_len != static_cast<int>(kPacketSize) + (gcm ? 16 : 10)) {
    state.SkipWithError("srtp_protect failed");
    api->dealloc(ctx);
    return;
  }
  uint16_t seq = 0;
  for (auto _ : state) {
    cascade::base::StoreBe16(packet.data() + 2, ++seq);
    int len = static_cast<int>(kPacketSize);
    benchmark::DoNotOptimize(api->protect(ctx, packet.data(), &len));
  }
  api->dealloc(ctx);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kPacketSize));
  state.SetLabel(std::string(state.range(0) == 0 ? "openssl " : "nss ") +
                 (gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80"));
}
BENCHMARK(BM_LibsrtpProtect)->ArgsProduct({{0, 1}, {0, 1}})->ArgNames({"nss", "cm"});

}  // namespace
