#include "core/sdp/SdpSerializer.hpp"

#include "core/sdp/SdpText.hpp"

namespace cascade::sdp {
namespace {

// Appends two pieces without building a temporary `"lit" + str` (which also trips a GCC 12
// -Wrestrict false positive at -O3).
void Append(std::string& out, std::string_view a, std::string_view b) {
  out += a;
  out += b;
}

using Writer = text::LineWriter;

std::string FormatConnection(const Connection& c) {
  return c.net_type + " " + c.address_type + " " + c.address;
}

std::string FormatExtmap(const Extmap& e) {
  std::string v = std::to_string(e.id);
  if (e.direction) {
    v += '/';
    v += ToString(*e.direction);
  }
  v += ' ';
  v += e.uri;
  if (!e.attributes.empty()) {
    v += ' ';
    v += e.attributes;
  }
  return v;
}

std::string FormatSimulcastList(const std::vector<SimulcastStream>& streams) {
  std::string out;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i) out += ';';
    for (size_t j = 0; j < streams[i].size(); ++j) {
      if (j) out += ',';
      if (streams[i][j].paused) out += '~';
      out += streams[i][j].rid;
    }
  }
  return out;
}

void WriteMedia(Writer& w, const MediaDescription& m) {
  // RFC 8866 §5: m= i= c= b= k= a=
  std::string header = m.media + " " + std::to_string(m.port);
  if (m.port_count) Append(header, "/", std::to_string(*m.port_count));
  Append(header, " ", m.proto);
  for (const auto& f : m.formats) Append(header, " ", f);
  w.Line('m', header);
  if (m.information) w.Line('i', *m.information);
  if (m.connection) w.Line('c', FormatConnection(*m.connection));
  for (const auto& b : m.bandwidths) w.Line('b', b.type + ":" + std::to_string(b.value));
  if (m.key) w.Line('k', *m.key);

  if (m.rtcp) {
    std::string v = std::to_string(m.rtcp->port);
    if (m.rtcp->connection) Append(v, " ", FormatConnection(*m.rtcp->connection));
    w.Attr("rtcp", v);
  }
  for (const auto& c : m.candidates) w.Attr("candidate", FormatCandidate(c));
  if (m.end_of_candidates) w.Attr("end-of-candidates");
  if (m.ice_ufrag) w.Attr("ice-ufrag", *m.ice_ufrag);
  if (m.ice_pwd) w.Attr("ice-pwd", *m.ice_pwd);
  if (!m.ice_options.empty()) w.Attr("ice-options", text::Join(m.ice_options, " "));
  for (const auto& f : m.fingerprints) w.Attr("fingerprint", f.algorithm + " " + f.value);
  if (m.setup) w.Attr("setup", ToString(*m.setup));
  if (m.mid) w.Attr("mid", *m.mid);
  for (const auto& e : m.extmaps) w.Attr("extmap", FormatExtmap(e));
  if (m.extmap_allow_mixed) w.Attr("extmap-allow-mixed");
  if (m.direction) w.Attr(ToString(*m.direction));
  for (const auto& msid : m.msids) {
    w.Attr("msid", msid.track_id.empty() ? msid.stream_id : msid.stream_id + " " + msid.track_id);
  }
  if (m.rtcp_mux) w.Attr("rtcp-mux");
  if (m.rtcp_mux_only) w.Attr("rtcp-mux-only");
  if (m.rtcp_rsize) w.Attr("rtcp-rsize");
  if (m.bundle_only) w.Attr("bundle-only");
  // rtpmap, rtcp-fb and fmtp each in their stored order (answers we build list them per
  // codec already), so that re-parsing yields the same lists.
  for (const auto& r : m.rtpmaps) {
    std::string v = std::to_string(r.payload_type) + " " + r.encoding;
    if (r.clock_rate != 0 || r.channels != 0) Append(v, "/", std::to_string(r.clock_rate));
    if (r.channels != 0) Append(v, "/", std::to_string(r.channels));
    w.Attr("rtpmap", v);
  }
  for (const auto& fb : m.rtcp_fbs) {
    std::string v = fb.payload_type ? std::to_string(*fb.payload_type) : std::string("*");
    Append(v, " ", fb.type);
    if (!fb.parameter.empty()) Append(v, " ", fb.parameter);
    w.Attr("rtcp-fb", v);
  }
  for (const auto& f : m.fmtps) {
    std::string v = std::to_string(f.payload_type);
    for (size_t i = 0; i < f.params.size(); ++i) {
      v += i == 0 ? " " : ";";
      v += f.params[i].key;
      if (f.params[i].value) Append(v, "=", *f.params[i].value);
    }
    w.Attr("fmtp", v);
  }
  for (const auto& g : m.ssrc_groups) {
    std::string v = g.semantics;
    for (auto s : g.ssrcs) Append(v, " ", std::to_string(s));
    w.Attr("ssrc-group", v);
  }
  for (const auto& s : m.ssrcs) {
    std::string v = std::to_string(s.ssrc) + " " + s.attribute;
    if (s.value) Append(v, ":", *s.value);
    w.Attr("ssrc", v);
  }
  for (const auto& r : m.rids) {
    std::string v = r.id + " " + ToString(r.direction);
    std::string params;
    if (!r.payload_types.empty()) {
      params = "pt=";
      for (size_t i = 0; i < r.payload_types.size(); ++i) {
        if (i) params += ',';
        params += std::to_string(r.payload_types[i]);
      }
    }
    for (const auto& restriction : r.restrictions) {
      if (!params.empty()) params += ';';
      params += restriction.key;
      if (restriction.value) Append(params, "=", *restriction.value);
    }
    if (!params.empty()) Append(v, " ", params);
    w.Attr("rid", v);
  }
  if (m.simulcast) {
    std::string v;
    if (!m.simulcast->send.empty()) v = "send " + FormatSimulcastList(m.simulcast->send);
    if (!m.simulcast->recv.empty()) {
      if (!v.empty()) v += ' ';
      Append(v, "recv ", FormatSimulcastList(m.simulcast->recv));
    }
    w.Attr("simulcast", v);
  }
  if (m.sctp_port) w.Attr("sctp-port", std::to_string(*m.sctp_port));
  if (m.sctpmap) {
    std::string v = std::to_string(m.sctpmap->port) + " " + m.sctpmap->app;
    if (m.sctpmap->streams) Append(v, " ", std::to_string(*m.sctpmap->streams));
    w.Attr("sctpmap", v);
  }
  if (m.max_message_size) w.Attr("max-message-size", std::to_string(*m.max_message_size));
  w.Others(m.other_attributes);
  for (const auto& l : m.other_lines) w.Line(l.type, l.value);
}

}  // namespace

std::string SerializeSdp(const SessionDescription& sd) {
  std::string out;
  out.reserve(1024 + 2048 * sd.media.size());
  Writer w(out);
  // RFC 8866 §5: v o s i u e p c b (t r z)+ k a, then the media descriptions.
  w.Line('v', std::to_string(sd.version));
  const Origin& o = sd.origin;
  w.Line('o', o.username + " " + std::to_string(o.session_id) + " " + std::to_string(o.session_version) +
                  " " + o.net_type + " " + o.address_type + " " + o.address);
  w.Line('s', sd.session_name);
  if (sd.information) w.Line('i', *sd.information);
  if (sd.uri) w.Line('u', *sd.uri);
  for (const auto& e : sd.emails) w.Line('e', e);
  for (const auto& p : sd.phones) w.Line('p', p);
  if (sd.connection) w.Line('c', FormatConnection(*sd.connection));
  for (const auto& b : sd.bandwidths) w.Line('b', b.type + ":" + std::to_string(b.value));
  if (sd.timings.empty()) w.Line('t', "0 0");
  for (const auto& t : sd.timings) {
    w.Line('t', std::to_string(t.start) + " " + std::to_string(t.stop));
    for (const auto& r : t.repeats) w.Line('r', r);
    if (t.zone) w.Line('z', *t.zone);
  }
  if (sd.key) w.Line('k', *sd.key);

  for (const auto& g : sd.groups) {
    w.Attr("group", g.mids.empty() ? g.semantics : g.semantics + " " + text::Join(g.mids, " "));
  }
  if (sd.ice_lite) w.Attr("ice-lite");
  if (sd.ice_ufrag) w.Attr("ice-ufrag", *sd.ice_ufrag);
  if (sd.ice_pwd) w.Attr("ice-pwd", *sd.ice_pwd);
  if (!sd.ice_options.empty()) w.Attr("ice-options", text::Join(sd.ice_options, " "));
  for (const auto& f : sd.fingerprints) w.Attr("fingerprint", f.algorithm + " " + f.value);
  if (sd.setup) w.Attr("setup", ToString(*sd.setup));
  if (sd.direction) w.Attr(ToString(*sd.direction));
  if (sd.msid_semantic) {
    std::string v = sd.msid_semantic->semantic;
    for (const auto& id : sd.msid_semantic->identifiers) Append(v, " ", id);
    w.Attr("msid-semantic", v);
  }
  if (sd.extmap_allow_mixed) w.Attr("extmap-allow-mixed");
  for (const auto& e : sd.extmaps) w.Attr("extmap", FormatExtmap(e));
  w.Others(sd.other_attributes);
  for (const auto& l : sd.other_lines) w.Line(l.type, l.value);

  for (const auto& m : sd.media) WriteMedia(w, m);
  return out;
}

}  // namespace cascade::sdp
