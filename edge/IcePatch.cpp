#include "edge/IcePatch.hpp"

#include <cctype>
#include <optional>

#include "core/net/HttpMessage.hpp"

namespace cascade::edge {
namespace {

// RFC 8445 §5.3: at least 24 bits of randomness in the ufrag and 128 in the password.
constexpr size_t kMinUfragLength = 4;
constexpr size_t kMinPwdLength = 22;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// The one value of a credential across the session level and every section; a body naming
// two different ones is contradictory.
std::optional<std::string> OnlyValue(const std::optional<std::string>& session,
                                     const std::vector<sdp::FragmentMedia>& media,
                                     std::optional<std::string> sdp::FragmentMedia::*field,
                                     const char* name) {
  std::optional<std::string> value = session;
  for (const auto& section : media) {
    const auto& own = section.*field;
    if (!own) continue;
    if (value && *value != *own) {
      throw net::HttpError(400, std::string("fragment has two different a=") + name + " values");
    }
    value = own;
  }
  return value;
}

}  // namespace

bool HasMediaType(std::string_view content_type, std::string_view media_type) {
  return EqualsIgnoreCase(Trim(content_type.substr(0, content_type.find(';'))), media_type);
}

IcePatch ParseIcePatch(std::string_view body, const std::string& current_remote_ufrag,
                       const std::string& current_remote_pwd) {
  auto parsed = sdp::ParseSdpFragment(body);
  if (!parsed.ok()) throw net::HttpError(400, "malformed trickle-ice-sdpfrag: " + parsed.error().Describe());
  IcePatch patch;
  patch.fragment = std::move(*parsed);
  const auto& f = patch.fragment;
  auto ufrag = OnlyValue(f.ice_ufrag, f.media, &sdp::FragmentMedia::ice_ufrag, "ice-ufrag");
  auto pwd = OnlyValue(f.ice_pwd, f.media, &sdp::FragmentMedia::ice_pwd, "ice-pwd");
  if (!ufrag) {
    if (pwd) throw net::HttpError(400, "fragment has a=ice-pwd but no a=ice-ufrag");
    return patch;  // candidates without credentials: they can only be for the current session
  }
  if (*ufrag == current_remote_ufrag) {
    if (pwd && *pwd != current_remote_pwd) {
      throw net::HttpError(400,
                           "a=ice-pwd changed but a=ice-ufrag did not: an ICE restart changes both "
                           "(RFC 8445 §9)");
    }
    return patch;
  }
  if (!pwd) throw net::HttpError(400, "ICE restart (new a=ice-ufrag) without a=ice-pwd");
  if (ufrag->size() < kMinUfragLength) {
    throw net::HttpError(400, "a=ice-ufrag must be at least 4 characters (RFC 8445 §5.3)");
  }
  if (pwd->size() < kMinPwdLength) {
    throw net::HttpError(400, "a=ice-pwd must be at least 22 characters (RFC 8445 §5.3)");
  }
  patch.kind = IcePatchKind::kRestart;
  patch.remote_ufrag = *ufrag;
  patch.remote_pwd = *pwd;
  return patch;
}

std::string IceSessionEtag(const std::string& local_ufrag) { return "\"" + local_ufrag + "\""; }

void CheckIfMatch(std::string_view if_match, const std::string& current_etag, IcePatchKind kind) {
  if_match = Trim(if_match);
  if (if_match.empty()) return;
  if (if_match == "*") {
    if (kind == IcePatchKind::kRestart) return;
    throw net::HttpError(412,
                         "If-Match: * is for ICE restarts only; a trickle PATCH carries the ETag of the "
                         "ICE session it belongs to (RFC 9725 §4.3.1), currently " +
                             current_etag);
  }
  // A list of entity tags; If-Match compares strongly (RFC 9110 §13.1.1), so a weak one never matches.
  size_t start = 0;
  while (start <= if_match.size()) {
    size_t comma = if_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_match.size();
    if (Trim(if_match.substr(start, comma - start)) == current_etag) return;
    start = comma + 1;
  }
  throw net::HttpError(412, "If-Match " + std::string(if_match) + " is not the session's current ETag " +
                                current_etag + " (an ICE restart replaced that ICE session)");
}

std::string BuildRestartAnswer(const sdp::SdpFragment& request, const std::string& local_ufrag,
                               const std::string& local_pwd, const std::vector<sdp::Candidate>& candidates,
                               const std::string& default_mid) {
  sdp::SdpFragment answer;
  answer.ice_lite = true;
  answer.ice_ufrag = local_ufrag;
  answer.ice_pwd = local_pwd;
  answer.groups = request.groups;
  sdp::FragmentMedia section;
  if (!request.media.empty()) section.media_line = request.media.front().media_line;
  std::string mid =
      !request.media.empty() && request.media.front().mid ? *request.media.front().mid : default_mid;
  if (!mid.empty()) section.mid = mid;
  section.candidates = candidates;
  section.end_of_candidates = true;  // ICE-lite: every candidate is known up front
  answer.media.push_back(std::move(section));
  return sdp::SerializeSdpFragment(answer);
}

}  // namespace cascade::edge
