#include "core/sdp/SdpFragment.hpp"

#include <utility>

#include "core/sdp/SdpText.hpp"

namespace cascade::sdp {

const std::string* SdpFragment::UfragOf(const FragmentMedia& section) const {
  if (section.ice_ufrag) return &*section.ice_ufrag;
  return ice_ufrag ? &*ice_ufrag : nullptr;
}

const std::string* SdpFragment::PwdOf(const FragmentMedia& section) const {
  if (section.ice_pwd) return &*section.ice_pwd;
  return ice_pwd ? &*ice_pwd : nullptr;
}

size_t SdpFragment::CandidateCount() const {
  size_t count = 0;
  for (const auto& section : media) count += section.candidates.size();
  return count;
}

const char* ToString(SdpFragmentErrorKind kind) {
  switch (kind) {
    case SdpFragmentErrorKind::kTooLarge: return "too_large";
    case SdpFragmentErrorKind::kLineTooLong: return "line_too_long";
    case SdpFragmentErrorKind::kBadLine: return "bad_line";
    case SdpFragmentErrorKind::kNotFragmentLine: return "not_fragment_line";
    case SdpFragmentErrorKind::kBadMedia: return "bad_media";
    case SdpFragmentErrorKind::kBadAttribute: return "bad_attribute";
    case SdpFragmentErrorKind::kDuplicate: return "duplicate";
    case SdpFragmentErrorKind::kMisplaced: return "misplaced";
    case SdpFragmentErrorKind::kTooManyMediaSections: return "too_many_media_sections";
    case SdpFragmentErrorKind::kTooManyCandidates: return "too_many_candidates";
    case SdpFragmentErrorKind::kCount: break;
  }
  return "unknown";
}

std::string SdpFragmentError::Describe() const {
  if (line == 0) return message;
  return "line " + std::to_string(line) + ": " + message;
}

namespace {

using base::Fail;
using text::Quote;
using Kind = SdpFragmentErrorKind;

// Parses one body; each method returns an empty optional on success or the error.
class FragmentParser {
 public:
  explicit FragmentParser(std::string_view input) : input_(input) {}

  base::Result<SdpFragment, SdpFragmentError> Run();

 private:
  using Status = std::optional<SdpFragmentError>;

  SdpFragmentError Error(Kind kind, std::string message) const {
    return SdpFragmentError{kind, line_no_, std::move(message)};
  }
  Status Bad(std::string_view attribute, std::string message) const {
    return Error(Kind::kBadAttribute, "a=" + std::string(attribute) + ": " + message);
  }
  Status Duplicate(std::string_view attribute) const {
    return Error(Kind::kDuplicate, "a=" + std::string(attribute) + " given twice in the same section");
  }

  Status ParseMediaLine(std::string_view value);
  Status ParseAttribute(std::string_view name, std::optional<std::string_view> value);
  // ice-ufrag / ice-pwd, valid at both levels.
  Status ParseCredential(std::string_view name, std::optional<std::string_view> value,
                         std::optional<std::string>& field);
  Status ParseSessionAttribute(std::string_view name, std::optional<std::string_view> value);
  Status ParseMediaAttribute(std::string_view name, std::optional<std::string_view> value);

  std::string_view input_;
  uint32_t line_no_ = 0;
  SdpFragment fragment_;
  FragmentMedia* media_ = nullptr;  // current pseudo media section, owned by fragment_.media
  size_t candidates_ = 0;
};

base::Result<SdpFragment, SdpFragmentError> FragmentParser::Run() {
  if (input_.size() > kMaxSdpFragmentSize) {
    return Fail(Error(Kind::kTooLarge, "body of " + std::to_string(input_.size()) +
                                           " bytes is over the limit of " +
                                           std::to_string(kMaxSdpFragmentSize)));
  }
  size_t pos = 0;
  while (pos < input_.size()) {
    size_t end = input_.find('\n', pos);
    if (end == std::string_view::npos) end = input_.size();
    std::string_view line = input_.substr(pos, end - pos);
    pos = end + 1;
    ++line_no_;
    // Same line rules as a whole SDP (RFC 8840 §9: "the same rules as SDP").
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > kMaxSdpFragmentLineLength) {
      return Fail(Error(Kind::kLineTooLong, "line of " + std::to_string(line.size()) +
                                                " bytes is over the limit of " +
                                                std::to_string(kMaxSdpFragmentLineLength)));
    }
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t') {
        return Fail(Error(Kind::kBadLine, "control character " + std::to_string(u) + " in line"));
      }
    }
    char type = line[0];
    bool letter = (type >= 'a' && type <= 'z') || (type >= 'A' && type <= 'Z');
    if (line.size() < 2 || line[1] != '=' || !letter) {
      return Fail(Error(Kind::kBadLine, "expected <letter>=<value> but found " + Quote(line)));
    }
    std::string_view value = line.substr(2);
    Status status;
    if (type == 'm') {
      status = ParseMediaLine(value);
    } else if (type == 'a') {
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::optional<std::string_view> attr_value;
      if (colon != std::string_view::npos) attr_value = value.substr(colon + 1);
      if (name.empty()) return Fail(Error(Kind::kBadLine, "a= line without an attribute name"));
      status = ParseAttribute(name, attr_value);
    } else {
      // RFC 8840 §9.2: a fragment holds attribute and media lines only. A whole SDP sent with
      // the wrong content type ends here, on its v= line.
      status =
          Error(Kind::kNotFragmentLine, std::string(1, type) +
                                            "= does not belong in a trickle-ice-sdpfrag body (only a= and m= "
                                            "lines, RFC 8840 §9.2)");
    }
    if (status) return Fail(std::move(*status));
  }
  return std::move(fragment_);
}

FragmentParser::Status FragmentParser::ParseMediaLine(std::string_view value) {
  if (fragment_.media.size() >= kMaxSdpFragmentMediaSections) {
    return Error(Kind::kTooManyMediaSections,
                 "more than " + std::to_string(kMaxSdpFragmentMediaSections) + " m= sections");
  }
  auto tokens = text::Tokens(value);
  if (tokens.empty() || !text::IsToken(tokens[0])) {
    return Error(Kind::kBadMedia, "m= needs a media type such as audio, found " + Quote(value));
  }
  FragmentMedia section;
  section.media_line = std::string(value);
  fragment_.media.push_back(std::move(section));
  media_ = &fragment_.media.back();
  return {};
}

FragmentParser::Status FragmentParser::ParseAttribute(std::string_view name,
                                                      std::optional<std::string_view> value) {
  return media_ ? ParseMediaAttribute(name, value) : ParseSessionAttribute(name, value);
}

FragmentParser::Status FragmentParser::ParseCredential(std::string_view name,
                                                       std::optional<std::string_view> value,
                                                       std::optional<std::string>& field) {
  if (!value) return Bad(name, "needs a value");
  if (field) return Duplicate(name);
  // RFC 8839 §5.4: ice-char only, at most 256; the same rule as a full SDP (SdpParser), since
  // the ufrag ends up in STUN USERNAME next to ':'.
  if (value->size() > 256 || !text::IsIceChars(*value)) {
    return Bad(name,
               "value " + Quote(*value) + " must be 1-256 characters of A-Z a-z 0-9 + / (RFC 8839 §5.4)");
  }
  field = std::string(*value);
  return {};
}

FragmentParser::Status FragmentParser::ParseSessionAttribute(std::string_view name,
                                                             std::optional<std::string_view> value) {
  SdpFragment& f = fragment_;
  if (name == "ice-ufrag") return ParseCredential(name, value, f.ice_ufrag);
  if (name == "ice-pwd") return ParseCredential(name, value, f.ice_pwd);
  if (name == "ice-lite" || name == "end-of-candidates") {
    if (value) return Bad(name, "takes no value");
    (name == "ice-lite" ? f.ice_lite : f.end_of_candidates) = true;
    return {};
  }
  if (name == "ice-options") {
    auto tokens = text::Tokens(value.value_or(""));
    if (tokens.empty()) return Bad(name, "needs at least one option");
    for (auto option : tokens) f.ice_options.emplace_back(option);
    return {};
  }
  if (name == "group") {
    // RFC 5888 §5: a=group:<semantics> *(SP <identification-tag>)
    auto tokens = text::Tokens(value.value_or(""));
    if (tokens.empty() || !text::IsToken(tokens[0]))
      return Bad(name, "needs a semantics token such as BUNDLE");
    Group group;
    group.semantics = tokens[0];
    for (size_t i = 1; i < tokens.size(); ++i) group.mids.emplace_back(tokens[i]);
    f.groups.push_back(std::move(group));
    return {};
  }
  if (name == "candidate" || name == "mid") {
    return Error(Kind::kMisplaced, "a=" + std::string(name) +
                                       " before any m= line: it belongs to a media section (RFC 8840 §9.2)");
  }
  f.other_attributes.push_back(
      Attribute{std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
  return {};
}

FragmentParser::Status FragmentParser::ParseMediaAttribute(std::string_view name,
                                                           std::optional<std::string_view> value) {
  FragmentMedia& m = *media_;
  if (name == "ice-ufrag") return ParseCredential(name, value, m.ice_ufrag);
  if (name == "ice-pwd") return ParseCredential(name, value, m.ice_pwd);
  if (name == "end-of-candidates") {
    if (value) return Bad(name, "takes no value");
    m.end_of_candidates = true;
    return {};
  }
  if (name == "mid") {
    // RFC 5888 §4: one identification-tag; two sections naming the same one are ambiguous.
    if (!value || value->empty() || value->find(' ') != std::string_view::npos) {
      return Bad(name, "value " + Quote(value.value_or("")) + " must be one non-empty token");
    }
    if (m.mid) return Duplicate(name);
    for (const auto& other : fragment_.media) {
      if (other.mid && *other.mid == *value) {
        return Error(Kind::kDuplicate, "a=mid:" + std::string(*value) + " names two m= sections");
      }
    }
    m.mid = std::string(*value);
    return {};
  }
  if (name == "candidate") {
    if (!value) return Bad(name, "needs a value");
    if (candidates_ >= kMaxSdpFragmentCandidates) {
      return Error(Kind::kTooManyCandidates,
                   "more than " + std::to_string(kMaxSdpFragmentCandidates) + " candidates in one body");
    }
    // Fields are separated by single spaces (RFC 8839 §5.1). A tab would be kept inside a
    // field, and FormatCandidate moves raddr/rport ahead of the extensions, so a tab could end
    // up at the end of the line, where the next parse trims it: refuse it here.
    if (value->find('\t') != std::string_view::npos) return Bad(name, "tab character in the value");
    auto candidate = ParseCandidate(*value);
    if (!candidate) return Error(Kind::kBadAttribute, candidate.error());
    m.candidates.push_back(std::move(*candidate));
    ++candidates_;
    return {};
  }
  if (name == "ice-lite" || name == "ice-options" || name == "group") {
    return Error(Kind::kMisplaced, "a=" + std::string(name) +
                                       " after an m= line: it is a session-level attribute (RFC 8839 §5)");
  }
  m.other_attributes.push_back(
      Attribute{std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
  return {};
}

}  // namespace

base::Result<SdpFragment, SdpFragmentError> ParseSdpFragment(std::string_view text) {
  return FragmentParser(text).Run();
}

std::string SerializeSdpFragment(const SdpFragment& f) {
  std::string out;
  out.reserve(256 + 160 * f.CandidateCount());
  text::LineWriter w(out);
  if (f.ice_lite) w.Attr("ice-lite");
  if (!f.ice_options.empty()) w.Attr("ice-options", text::Join(f.ice_options, " "));
  if (f.ice_ufrag) w.Attr("ice-ufrag", *f.ice_ufrag);
  if (f.ice_pwd) w.Attr("ice-pwd", *f.ice_pwd);
  for (const auto& group : f.groups) {
    std::string value = group.semantics;
    for (const auto& mid : group.mids) {
      value += ' ';
      value += mid;
    }
    w.Attr("group", value);
  }
  if (f.end_of_candidates) w.Attr("end-of-candidates");
  w.Others(f.other_attributes);
  for (const auto& m : f.media) {
    w.Line('m', m.media_line);
    if (m.mid) w.Attr("mid", *m.mid);
    if (m.ice_ufrag) w.Attr("ice-ufrag", *m.ice_ufrag);
    if (m.ice_pwd) w.Attr("ice-pwd", *m.ice_pwd);
    for (const auto& candidate : m.candidates) w.Attr("candidate", FormatCandidate(candidate));
    if (m.end_of_candidates) w.Attr("end-of-candidates");
    w.Others(m.other_attributes);
  }
  return out;
}

}  // namespace cascade::sdp
