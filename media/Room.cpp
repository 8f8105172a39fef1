#include "media/Room.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/base/Bytes.hpp"
#include "core/base/Clock.hpp"
#include "core/codecs/PayloadInspector.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/NtpTime.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/ReceiverReport.hpp"
#include "core/rtcp/Remb.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "core/srtp/SrtpSession.hpp"

namespace cascade::media {
namespace {

// The SSRC our own feedback carries: RFC 3550 wants a sender SSRC even for pure receivers.
constexpr uint32_t kFeedbackSsrc = 1;
// A layer that sent nothing for this long is gone (the publisher's encoder paused it).
constexpr uint64_t kLayerTimeoutUs = 1'500'000;
constexpr size_t kMaxSources = 16;

bool Connected(transport::WebRtcTransport& transport) {
  return transport.state() == transport::TransportState::kConnected;
}

uint32_t NowMid32() {
  return rtcp::NtpTime::Mid32(rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs())));
}

}  // namespace

rtp::NackResponder& Room::Child::ResponderFor(uint32_t mesh_ssrc) {
  for (auto& [ssrc, responder] : responders) {
    if (ssrc == mesh_ssrc) return *responder;
  }
  return *responders.emplace_back(mesh_ssrc, std::make_unique<rtp::NackResponder>()).second;
}

Room::Room(std::string name, Options options, RoomCounters& counters, SsrcAllocator allocate_ssrc)
    : name_(std::move(name)),
      options_(options),
      counters_(counters),
      allocate_ssrc_(std::move(allocate_ssrc)) {}

bool Room::HasChild(const Link* link) const {
  return std::any_of(children_.begin(), children_.end(), [link](const Child& c) { return c.link == link; });
}

void Room::ClearSources() {
  for (const auto& source : sources_) {
    for (auto& child : children_) child.link->Send(StreamWithdraw{name_, source.mesh_ssrc});
  }
  sources_.clear();
  for (auto& child : children_) child.responders.clear();
  for (auto* viewer : viewers_) {
    viewer->video().source_ssrc = 0;
    viewer->video().pending_source_ssrc = 0;
    viewer->audio().source_ssrc = 0;
  }
}

void Room::SetPublisher(ClientSession* session) {
  ClearSources();
  publisher_ = session;
  upstream_extensions_.fill(rtp::ExtensionUri::kUnknown);
  if (publisher_) upstream_extensions_ = publisher_->negotiated().extension_by_id;
  for (auto* viewer : viewers_) MapExtensions(*viewer);
}

void Room::SetParent(Link* link) {
  if (parent_ == link) return;
  ClearSources();
  parent_ = link;
  upstream_extensions_.fill(rtp::ExtensionUri::kUnknown);
  for (auto* viewer : viewers_) MapExtensions(*viewer);
}

void Room::AddViewer(ClientSession* session) {
  viewers_.push_back(session);
  MapExtensions(*session);
}

void Room::OnViewerConnected(ClientSession* session, uint64_t now_us) {
  uint32_t best = BestVideoSource(now_us);
  if (best == 0) return;
  session->video().pending_source_ssrc = best;
  if (Source* source = FindSource(best)) RequestKeyframe(*source, now_us);
}

void Room::AddChild(Link* link) {
  if (HasChild(link)) return;
  children_.push_back(Child{link, {}});
  for (const auto& source : sources_) link->Send(AnnounceOf(source));
}

void Room::RemoveChild(Link* link) {
  std::erase_if(children_, [link](const Child& c) { return c.link == link; });
}

void Room::Remove(ClientSession* session) {
  if (publisher_ == session) {
    ClearSources();
    publisher_ = nullptr;
  }
  std::erase(viewers_, session);
}

void Room::MapExtensions(ClientSession& viewer) {
  auto& map = viewer.extension_map();
  map.fill(0);
  const auto& to = viewer.negotiated();
  for (size_t id = 1; id < upstream_extensions_.size(); ++id) {
    auto uri = upstream_extensions_[id];
    // Only what the viewer negotiated survives; mid/rid describe the publisher's stream and go.
    if (uri == rtp::ExtensionUri::kUnknown || uri == rtp::ExtensionUri::kMid ||
        uri == rtp::ExtensionUri::kRid || uri == rtp::ExtensionUri::kRepairedRid) {
      continue;
    }
    map[id] = to.id_by_extension[static_cast<size_t>(uri)];
  }
}

Room::Source* Room::FindSource(uint32_t ssrc) {
  for (auto& source : sources_) {
    if (source.ssrc == ssrc) return &source;
  }
  return nullptr;
}

Room::Source* Room::FindMeshSource(uint32_t mesh_ssrc) {
  for (auto& source : sources_) {
    if (source.mesh_ssrc == mesh_ssrc) return &source;
  }
  return nullptr;
}

StreamAnnounce Room::AnnounceOf(const Source& source) const {
  StreamAnnounce announce{name_, source.mesh_ssrc, source.kind, source.codec, source.clock_rate,
                          {},    source.layer};
  for (size_t id = 1; id < upstream_extensions_.size(); ++id) {
    if (upstream_extensions_[id] != rtp::ExtensionUri::kUnknown) {
      announce.extensions.emplace_back(static_cast<uint8_t>(id), upstream_extensions_[id]);
    }
  }
  return announce;
}

Room::Source* Room::LearnPublisherSource(const rtp::RtpPacket& packet) {
  const auto& pt = publisher_->negotiated().payload_types[packet.payload_type()];
  // Padding-only probes and payload types we did not negotiate (e.g. RTX) start nothing.
  if (!pt.valid || sources_.size() >= kMaxSources) return nullptr;
  Source source(options_);  // allocates its packet cache: once per publisher stream
  source.ssrc = packet.ssrc();
  source.mesh_ssrc = allocate_ssrc_();  // this node is the origin: the stream's mesh identity
  source.kind = pt.kind;
  source.codec = pt.codec;
  source.clock_rate = pt.clock_rate;
  const uint8_t rid_id =
      publisher_->negotiated().id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kRid)];
  if (rid_id != 0) {
    if (auto rid = rtp::ReadSdesString(packet.FindExtension(rid_id))) source.layer = std::string(*rid);
  }
  sources_.push_back(std::move(source));
  for (auto& child : children_) child.link->Send(AnnounceOf(sources_.back()));
  return &sources_.back();
}

bool Room::OnAnnounce(const StreamAnnounce& announce) {
  Source* source = FindSource(announce.ssrc);
  if (!source && sources_.size() >= kMaxSources) return false;
  upstream_extensions_.fill(rtp::ExtensionUri::kUnknown);
  for (const auto& [id, uri] : announce.extensions) upstream_extensions_[id] = uri;
  for (auto* viewer : viewers_) MapExtensions(*viewer);
  const bool created = !source;
  if (created) {
    sources_.emplace_back(options_);
    source = &sources_.back();
    source->ssrc = announce.ssrc;
    source->mesh_ssrc = announce.ssrc;
  }
  source->kind = announce.kind;
  source->codec = announce.codec;
  source->clock_rate = announce.clock_rate;
  source->layer = announce.layer;
  // A stream new to a room that already has receivers (this node just joined the tree, or
  // replaced a failed parent below them): they can start only at a keyframe, so ask at once
  // rather than when their own decoders time out.
  if (created && source->kind == TrackKind::kVideo && (!children_.empty() || !viewers_.empty())) {
    source->keyframe_wanted = true;
  }
  for (auto& child : children_) child.link->Send(announce);
  return true;
}

void Room::OnWithdraw(uint32_t ssrc) {
  auto it =
      std::find_if(sources_.begin(), sources_.end(), [ssrc](const Source& s) { return s.ssrc == ssrc; });
  if (it == sources_.end()) return;
  for (auto* viewer : viewers_) {
    for (ViewerTrack* track : {&viewer->audio(), &viewer->video()}) {
      if (track->source_ssrc == ssrc) track->source_ssrc = 0;
      if (track->pending_source_ssrc == ssrc) track->pending_source_ssrc = 0;
    }
  }
  for (auto& child : children_) {
    child.link->Send(StreamWithdraw{name_, it->mesh_ssrc});
    std::erase_if(child.responders, [&](const auto& entry) { return entry.first == it->mesh_ssrc; });
  }
  sources_.erase(it);
}

uint32_t Room::BestVideoSource(uint64_t now_us) const {
  const Source* best = nullptr;
  for (const auto& source : sources_) {
    if (source.kind != TrackKind::kVideo || now_us - source.last_packet_us > kLayerTimeoutUs) continue;
    if (!best || source.bitrate_bps > best->bitrate_bps) best = &source;
  }
  return best ? best->ssrc : 0;
}

transport::WebRtcTransport* Room::UpstreamTransport() {
  transport::WebRtcTransport* transport = nullptr;
  if (publisher_ && publisher_->has_transport()) transport = &publisher_->transport();
  if (parent_) transport = &parent_->transport();
  return transport && Connected(*transport) ? transport : nullptr;
}

uint64_t Room::UpstreamRttUs() const { return parent_ ? parent_->rtt_us() : options_.publisher_rtt_us; }

void Room::RequestKeyframe(Source& source, uint64_t now_us) {
  // Coalesced: however many receivers ask, upstream hears at most one per interval; a
  // request during the interval goes out when it ends (polled on packets and ticks).
  source.keyframes.OnRequest(now_us);
  SendKeyframeRequestIfDue(source, now_us);
}

void Room::RequestKeyframes(uint64_t now_us) {
  for (auto& source : sources_) {
    if (source.kind != TrackKind::kVideo) continue;
    source.keyframe_wanted = true;
    RequestKeyframe(source, now_us);
  }
}

void Room::SendKeyframeRequestIfDue(Source& source, uint64_t now_us) {
  if (!source.keyframes.Due(now_us, UpstreamRttUs())) return;
  auto* transport = UpstreamTransport();
  if (!transport) return;
  auto out = transport->BeginSend();
  if (out.size() < 64 + srtp::SrtpSession::kMaxRtcpOverhead) return;
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  if (!rtcp::Pli::Build(kFeedbackSsrc, source.ssrc, writer).ok()) return;
  if (transport->CommitRtcp(writer.size())) {
    source.keyframes.OnSent(now_us);
    ++counters_.keyframe_requests_sent;
    if (parent_) ++parent_->counters().keyframe_requests_sent;
  }
}

void Room::SendUpstreamNacks(Source& source, uint64_t now_us) {
  auto* transport = UpstreamTransport();
  if (!transport) return;
  std::array<uint16_t, 64> seqs{};  // one NACK of at most 64 entries; the rest stays due
  const size_t count = source.nacks.Collect(now_us, UpstreamRttUs(), seqs);
  if (count == 0) return;
  auto out = transport->BeginSend();
  if (out.size() < 512) return;  // these numbers are asked for again at the next retry
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  if (!rtcp::Nack::Build(kFeedbackSsrc, source.ssrc, std::span<const uint16_t>(seqs.data(), count), writer)
           .ok())
    return;
  if (transport->CommitRtcp(writer.size())) {
    ++counters_.nacks_sent;
    counters_.nack_seqs_requested += count;
    if (parent_) {
      ++parent_->counters().nacks_sent;
      parent_->counters().nack_seqs_sent += count;
    }
  }
}

void Room::OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us) {
  if (!publisher_) return;
  Source* source = FindSource(packet.ssrc());
  if (!source) source = LearnPublisherSource(packet);
  if (source) OnUpstreamRtp(*source, packet, now_us);
}

void Room::OnParentRtp(rtp::RtpPacket& packet, uint64_t now_us) {
  if (!parent_) return;
  auto& link_counters = parent_->counters();
  ++link_counters.rtp_packets_received;
  link_counters.rtp_bytes_received += packet.size();
  // Only announced streams: the announce says what the payload is.
  Source* source = FindSource(packet.ssrc());
  if (!source) {
    ++link_counters.unannounced_packets;
    return;
  }
  OnUpstreamRtp(*source, packet, now_us);
}

void Room::OnUpstreamRtp(Source& source, rtp::RtpPacket& packet, uint64_t now_us) {
  source.bytes_in_period += packet.size();
  source.last_packet_us = now_us;
  source.last_rtp_timestamp = packet.timestamp();
  ++source.packets_received;
  source.octets_received += static_cast<uint32_t>(packet.payload_size());
  source.stats.OnPacket(packet.sequence_number());
  // Per-hop loss repair: keep the packet as received for NACKs from below, and NACK
  // upstream for what this link lost (at most once per retry interval per packet).
  source.cache.Insert(packet.sequence_number(), packet.data(), now_us);
  if (source.nacks.OnPacket(packet.sequence_number(), now_us)) ++counters_.nack_recovered;
  if (source.nacks.Due(now_us)) SendUpstreamNacks(source, now_us);
  bool keyframe_start = false;
  if (source.kind == TrackKind::kVideo && packet.payload_size() > 0) {
    auto info = codecs::InspectPayload(source.codec, packet.payload());
    keyframe_start = info.ok() && info->is_keyframe && info->begins_frame;
    if (keyframe_start) {
      source.keyframes.OnKeyframe();
      source.keyframe_wanted = false;
    }
  }
  if (source.keyframe_wanted && !source.keyframes.pending()) source.keyframes.OnRequest(now_us);
  SendKeyframeRequestIfDue(source, now_us);
  // Children get every packet, padding included, so that their sequence numbers have no
  // gaps they would NACK; the stream keeps its mesh-wide SSRC and everything else.
  for (auto& child : children_) {
    if (SendToLink(*child.link, packet.data(), source.mesh_ssrc)) {
      ++counters_.link_packets_forwarded;
      counters_.link_bytes_forwarded += packet.size();
    }
  }
  if (packet.payload_size() == 0) {
    // Padding-only bandwidth probes are not forwarded to viewers; close the gap they
    // leave so that viewers do not see (and NACK) a loss that never happened. A probe
    // repaired late already has its number among what viewers got: it fills that hole.
    for (auto* viewer : viewers_) {
      ViewerTrack& track = viewer->track(source.kind);
      if (track.source_ssrc != source.ssrc || track.rewriter.Skip(packet)) continue;
      if (!viewer->has_transport() || !Connected(viewer->transport())) continue;
      const uint8_t payload_type = viewer->negotiated().PayloadTypeFor(source.codec);
      if (payload_type != 0xff) ForwardTo(*viewer, track, packet, payload_type, now_us);
    }
    return;
  }

  for (auto* viewer : viewers_) {
    if (!viewer->has_transport() || !Connected(viewer->transport())) continue;
    ViewerTrack& track = viewer->track(source.kind);
    if (source.kind == TrackKind::kVideo) {
      if (track.pending_source_ssrc == source.ssrc && keyframe_start) {
        track.source_ssrc = source.ssrc;  // the rewriter starts a new segment on the new SSRC
        track.pending_source_ssrc = 0;
      }
      if (track.source_ssrc != source.ssrc) continue;
    } else if (track.source_ssrc != source.ssrc) {
      track.source_ssrc = source.ssrc;
    }
    uint8_t payload_type = viewer->negotiated().PayloadTypeFor(source.codec);
    if (payload_type == 0xff) {
      ++counters_.packets_not_forwarded;
      continue;
    }
    ForwardTo(*viewer, track, packet, payload_type, now_us);
  }
}

bool Room::SendToLink(Link& link, std::span<const uint8_t> packet, uint32_t mesh_ssrc) {
  auto& counters = link.counters();
  if (!link.connected()) {
    ++counters.packets_not_sent;
    return false;
  }
  auto& transport = link.transport();
  auto out = transport.BeginSend();
  if (out.size() < packet.size() + srtp::SrtpSession::kMaxRtpOverhead) {
    ++counters.packets_not_sent;
    return false;
  }
  std::memcpy(out.data(), packet.data(), packet.size());
  auto copy = rtp::RtpPacket::Parse(out.first(packet.size()));
  if (!copy.ok()) return false;
  if (copy->ssrc() != mesh_ssrc) copy->SetSsrc(mesh_ssrc);
  if (!transport.CommitRtp(packet.size())) {
    ++counters.packets_not_sent;
    return false;
  }
  ++counters.rtp_packets_sent;
  counters.rtp_bytes_sent += packet.size();
  return true;
}

void Room::ForwardTo(ClientSession& viewer, ViewerTrack& track, const rtp::RtpPacket& packet,
                     uint8_t payload_type, uint64_t now_us) {
  auto& transport = viewer.transport();
  auto out = transport.BeginSend();
  size_t length = packet.size();
  if (out.size() < length + srtp::SrtpSession::kMaxRtpOverhead) {
    ++counters_.packets_not_forwarded;
    return;
  }
  std::memcpy(out.data(), packet.data().data(), length);
  auto copy = rtp::RtpPacket::Parse(out.first(length));
  if (!copy.ok()) return;
  copy->SetPayloadType(payload_type);
  copy->RemapExtensionIds(viewer.extension_map());
  if (!track.rewriter.Rewrite(*copy, now_us)) {
    ++counters_.packets_not_forwarded;
    return;
  }
  if (!transport.CommitRtp(length)) {
    ++counters_.packets_not_forwarded;
    return;
  }
  ++track.packets_sent;
  track.octets_sent += static_cast<uint32_t>(copy->payload_size());
  track.last_sent_us = now_us;
  if (viewer.first_media_sent_us == 0) viewer.first_media_sent_us = now_us;
  ++counters_.packets_forwarded;
  counters_.bytes_forwarded += length;
}

void Room::ResendTo(ClientSession& viewer, ViewerTrack& track, std::span<const uint8_t> cached,
                    uint8_t payload_type) {
  // Same per-viewer rewrite as ForwardTo, but the packet keeps the output number it was
  // first sent with and the rewriter's state does not move.
  auto& transport = viewer.transport();
  auto out = transport.BeginSend();
  const size_t length = cached.size();
  if (out.size() < length + srtp::SrtpSession::kMaxRtpOverhead) return;
  std::memcpy(out.data(), cached.data(), length);
  auto copy = rtp::RtpPacket::Parse(out.first(length));
  if (!copy.ok()) return;
  copy->SetPayloadType(payload_type);
  copy->RemapExtensionIds(viewer.extension_map());
  if (!track.rewriter.RewriteRetransmission(*copy)) return;
  if (!transport.CommitRtp(length)) return;
  ++counters_.nack_packets_resent;
  counters_.bytes_forwarded += length;
}

void Room::OnViewerNack(ClientSession& viewer, const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto nack = rtcp::Nack::Parse(packet);
  if (!nack.ok()) return;
  ++counters_.nacks_received;
  ViewerTrack* track = nullptr;
  if (nack->media_ssrc() == viewer.video().ssrc) track = &viewer.video();
  if (nack->media_ssrc() == viewer.audio().ssrc) track = &viewer.audio();
  if (!track || !viewer.has_transport()) return;
  Source* source = FindSource(track->rewriter.source_ssrc());
  const uint8_t payload_type = source ? viewer.negotiated().PayloadTypeFor(source->codec) : 0xff;
  track->nack_responder.OnNackReceived();
  auto seqs = nack->seqs();
  uint16_t out_seq = 0;
  // A NACK names at most 17 numbers per 4-byte entry; bound the work one packet can cause.
  for (size_t budget = 256; budget > 0 && seqs.Next(out_seq); --budget) {
    std::optional<uint16_t> source_seq;
    if (source && payload_type != 0xff) source_seq = track->rewriter.SourceSequenceFor(out_seq);
    std::span<const uint8_t> cached;
    if (source_seq) cached = source->cache.Find(*source_seq, now_us);
    switch (track->nack_responder.Decide(out_seq, !cached.empty(), track->rtt_us, now_us)) {
      case rtp::NackResponder::Decision::kResend: ResendTo(viewer, *track, cached, payload_type); break;
      case rtp::NackResponder::Decision::kSuppressed: ++counters_.nack_suppressed; break;
      case rtp::NackResponder::Decision::kNotInCache:
        // Lost upstream too: this node's own NACK already asks for it, and the viewer's
        // retry will find it once it arrives.
        if (source_seq && source->nacks.IsMissing(*source_seq)) {
          ++counters_.nack_already_requested;
        } else {
          ++counters_.nack_not_in_cache;
        }
        break;
    }
  }
}

void Room::OnChildNack(Child& child, const rtcp::RtcpPacket& packet, uint64_t now_us) {
  auto nack = rtcp::Nack::Parse(packet);
  if (!nack.ok()) return;
  ++counters_.nacks_received;
  auto& link_counters = child.link->counters();
  ++link_counters.nacks_received;
  Source* source = FindMeshSource(nack->media_ssrc());
  if (!source) return;
  // A child numbers packets as this node received them: no mapping, straight from the cache.
  auto& responder = child.ResponderFor(source->mesh_ssrc);
  responder.OnNackReceived();
  auto seqs = nack->seqs();
  uint16_t seq = 0;
  for (size_t budget = 256; budget > 0 && seqs.Next(seq); --budget) {
    auto cached = source->cache.Find(seq, now_us);
    switch (responder.Decide(seq, !cached.empty(), child.link->rtt_us(), now_us)) {
      case rtp::NackResponder::Decision::kResend:
        if (SendToLink(*child.link, cached, source->mesh_ssrc)) {
          ++counters_.nack_packets_resent;
          ++link_counters.packets_resent;
        }
        break;
      case rtp::NackResponder::Decision::kSuppressed:
        ++counters_.nack_suppressed;
        ++link_counters.nack_suppressed;
        break;
      case rtp::NackResponder::Decision::kNotInCache:
        ++link_counters.nack_not_in_cache;
        if (source->nacks.IsMissing(seq)) {
          ++counters_.nack_already_requested;
        } else {
          ++counters_.nack_not_in_cache;
        }
        break;
    }
  }
}

void Room::OnChildReceiverReport(Child& child, const rtcp::RtcpPacket& packet) {
  // Our sender reports come back as LSR/DLSR: the link's RTT paces resends to this child.
  auto rr = rtcp::ReceiverReport::Parse(packet);
  if (!rr.ok()) return;
  const uint32_t arrival = NowMid32();
  for (size_t i = 0; i < rr->report_count(); ++i) {
    const auto block = rr->report(i);
    if (!FindMeshSource(block.ssrc)) continue;
    if (auto rtt = rtcp::NtpTime::RttMicros(arrival, block.last_sr, block.delay_since_sr)) {
      child.link->set_report_rtt_us(static_cast<uint64_t>(std::clamp<int64_t>(*rtt, 1, 2'000'000)));
    }
  }
}

void Room::OnViewerReceiverReport(ClientSession& viewer, const rtcp::RtcpPacket& packet) {
  // RFC 3550 §6.4.1: our sender reports come back as LSR/DLSR, giving the viewer's RTT,
  // which paces how often one packet is resent to it.
  auto rr = rtcp::ReceiverReport::Parse(packet);
  if (!rr.ok()) return;
  const uint32_t arrival =
      rtcp::NtpTime::Mid32(rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs())));
  for (size_t i = 0; i < rr->report_count(); ++i) {
    const auto block = rr->report(i);
    ViewerTrack* track = block.ssrc == viewer.video().ssrc   ? &viewer.video()
                         : block.ssrc == viewer.audio().ssrc ? &viewer.audio()
                                                             : nullptr;
    if (!track) continue;
    if (auto rtt = rtcp::NtpTime::RttMicros(arrival, block.last_sr, block.delay_since_sr)) {
      track->rtt_us = static_cast<uint64_t>(std::min<int64_t>(*rtt, 2'000'000));
    }
  }
}

void Room::OnParentRtcp(std::span<const uint8_t> compound, uint64_t now_us) {
  // The parent's sender reports are echoed (LSR/DLSR) in our receiver reports, which gives
  // the parent this link's RTT.
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  while (reader.Next(packet)) {
    if (packet.Kind() != rtcp::PacketKind::kSenderReport) continue;
    auto sr = rtcp::SenderReport::Parse(packet);
    if (!sr.ok()) continue;
    if (Source* source = FindSource(sr->sender_ssrc())) {
      source->last_sr_mid32 = rtcp::NtpTime::Mid32(sr->ntp_timestamp());
      source->last_sr_arrival_us = now_us;
    }
  }
}

void Room::OnViewerRtcp(ClientSession* viewer, std::span<const uint8_t> compound, uint64_t now_us) {
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  bool wants_keyframe = false;
  while (reader.Next(packet)) {
    auto kind = packet.Kind();
    if (kind == rtcp::PacketKind::kPli || kind == rtcp::PacketKind::kFir) wants_keyframe = true;
    if (kind == rtcp::PacketKind::kNack) OnViewerNack(*viewer, packet, now_us);
    if (kind == rtcp::PacketKind::kReceiverReport) OnViewerReceiverReport(*viewer, packet);
  }
  if (!wants_keyframe) return;
  ++counters_.keyframe_requests_received;
  auto& video = viewer->video();
  uint32_t ssrc = video.pending_source_ssrc ? video.pending_source_ssrc : video.source_ssrc;
  if (Source* source = FindSource(ssrc)) RequestKeyframe(*source, now_us);
}

void Room::OnChildRtcp(Link* link, std::span<const uint8_t> compound, uint64_t now_us) {
  auto it =
      std::find_if(children_.begin(), children_.end(), [link](const Child& c) { return c.link == link; });
  if (it == children_.end()) return;
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  while (reader.Next(packet)) {
    switch (packet.Kind()) {
      case rtcp::PacketKind::kNack: OnChildNack(*it, packet, now_us); break;
      case rtcp::PacketKind::kReceiverReport: OnChildReceiverReport(*it, packet); break;
      case rtcp::PacketKind::kPli: {
        auto pli = rtcp::Pli::Parse(packet);
        Source* source = pli.ok() ? FindMeshSource(pli->media_ssrc()) : nullptr;
        if (!source) break;
        ++counters_.keyframe_requests_received;
        ++link->counters().keyframe_requests_received;
        RequestKeyframe(*source, now_us);
        break;
      }
      default: break;
    }
  }
}

void Room::OnChat(ClientSession* from_session, Link* from_link, std::string_view text) {
  ++counters_.chat_messages;
  auto bytes = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  auto send = [&](ClientSession* to) {
    if (to == from_session || !to->chat_stream || !to->has_transport()) return;
    to->transport().SendDataChannelMessage(*to->chat_stream, sctp::DataChannelMessageType::kText, bytes);
  };
  if (publisher_) send(publisher_);
  for (auto* viewer : viewers_) send(viewer);
  // Flooding the tree minus the link it came from reaches every node exactly once, and
  // each link's ordered channel keeps one sender's messages in order.
  LinkChat chat{name_, std::string(text)};
  if (parent_ && parent_ != from_link) parent_->Send(chat);
  for (auto& child : children_) {
    if (child.link != from_link) child.link->Send(chat);
  }
}

void Room::OnTick(uint64_t now_us) {
  uint64_t elapsed_us = last_tick_us_ ? now_us - last_tick_us_ : 0;
  last_tick_us_ = now_us;
  if (elapsed_us > 0) {
    for (auto& source : sources_) {
      source.bitrate_bps = source.bytes_in_period * 8 * 1'000'000 / elapsed_us;
      source.bytes_in_period = 0;
    }
  }
  // Each viewer gets the best live layer; a change waits for that layer's keyframe.
  uint32_t best = BestVideoSource(now_us);
  for (auto* viewer : viewers_) {
    auto& video = viewer->video();
    if (!viewer->has_transport() || !Connected(viewer->transport())) continue;
    if (best != 0 && video.source_ssrc != best) video.pending_source_ssrc = best;
    // Keep asking while anyone waits: a keyframe that came before a viewer started waiting
    // does not help it, and the publisher sends none unasked. RequestKeyframe coalesces.
    if (video.pending_source_ssrc != 0) {
      if (Source* source = FindSource(video.pending_source_ssrc)) RequestKeyframe(*source, now_us);
    }
  }
  for (auto& source : sources_) {
    if (source.keyframe_wanted) source.keyframes.OnRequest(now_us);  // sent once the last one is overdue
    SendKeyframeRequestIfDue(source, now_us);  // a pending request when upstream went quiet
    if (source.nacks.Due(now_us)) SendUpstreamNacks(source, now_us);
    const auto& nack_counters = source.nacks.counters();
    counters_.nack_given_up += nack_counters.given_up - source.given_up_counted;
    if (parent_) {
      parent_->counters().lost_before_repair += nack_counters.missing - source.missing_counted;
      parent_->counters().lost_after_repair += nack_counters.given_up - source.given_up_counted;
    }
    source.missing_counted = nack_counters.missing;
    source.given_up_counted = nack_counters.given_up;
  }
  SendUpstreamFeedback(now_us);
  SendSenderReports(now_us);
  SendChildSenderReports(now_us);
}

void Room::SendUpstreamFeedback(uint64_t now_us) {
  // Receiver reports let the publisher's loss-based estimator ramp up (REMB caps it) and,
  // echoing the parent's sender reports, give the parent this link's RTT.
  auto* transport = UpstreamTransport();
  if (!transport) return;
  auto out = transport->BeginSend();
  if (out.size() < 512) return;
  base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
  std::array<rtcp::ReportBlock, kMaxSources> blocks{};
  std::array<uint32_t, kMaxSources> video_ssrcs{};
  size_t block_count = 0;
  size_t video_count = 0;
  for (auto& source : sources_) {
    if (!source.stats.started()) continue;
    auto report = source.stats.MakeReport();
    auto& block = blocks[block_count++];
    block.ssrc = source.ssrc;
    block.fraction_lost = report.fraction_lost;
    block.cumulative_lost = report.cumulative_lost;
    block.extended_highest_seq = report.extended_highest_seq;
    if (source.last_sr_arrival_us != 0) {
      block.last_sr = source.last_sr_mid32;
      block.delay_since_sr =
          rtcp::NtpTime::MicrosToQ16(static_cast<int64_t>(now_us - source.last_sr_arrival_us));
    }
    if (source.kind == TrackKind::kVideo) video_ssrcs[video_count++] = source.ssrc;
  }
  rtcp::ReceiverReport::Fields rr;
  rr.sender_ssrc = kFeedbackSsrc;
  rr.reports = std::span<const rtcp::ReportBlock>(blocks.data(), block_count);
  if (!rtcp::ReceiverReport::Build(rr, writer).ok()) return;
  if (publisher_ && video_count > 0) {
    rtcp::Remb::Build(kFeedbackSsrc, options_.publisher_bitrate_cap_bps,
                      std::span<const uint32_t>(video_ssrcs.data(), video_count), writer);
  }
  if (writer.ok()) transport->CommitRtcp(writer.size());
}

void Room::SendChildSenderReports(uint64_t now_us) {
  if (children_.empty() || sources_.empty()) return;
  const uint64_t ntp = rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs()));
  for (auto& child : children_) {
    if (!child.link->connected()) continue;
    auto& transport = child.link->transport();
    auto out = transport.BeginSend();
    if (out.size() < 1024) continue;
    base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
    for (const auto& source : sources_) {
      if (source.packets_received == 0) continue;
      rtcp::SenderReport::Fields sr;
      sr.sender_ssrc = source.mesh_ssrc;
      sr.ntp_timestamp = ntp;
      sr.rtp_timestamp = source.last_rtp_timestamp + static_cast<uint32_t>((now_us - source.last_packet_us) *
                                                                           source.clock_rate / 1'000'000);
      sr.packet_count = source.packets_received;
      sr.octet_count = source.octets_received;
      if (!rtcp::SenderReport::Build(sr, writer).ok()) break;
    }
    if (writer.ok() && writer.size() > 0) transport.CommitRtcp(writer.size());
  }
}

void Room::SendSenderReports(uint64_t now_us) {
  uint64_t ntp = rtcp::NtpTime::FromUnixMicros(static_cast<int64_t>(base::WallClockUs()));
  for (auto* viewer : viewers_) {
    if (!viewer->has_transport() || viewer->transport().state() != transport::TransportState::kConnected)
      continue;
    for (ViewerTrack* track : {&viewer->audio(), &viewer->video()}) {
      if (track->packets_sent == 0) continue;
      auto& transport = viewer->transport();
      auto out = transport.BeginSend();
      if (out.size() < 128) return;
      base::ByteWriter writer(out.first(out.size() - srtp::SrtpSession::kMaxRtcpOverhead));
      rtcp::SenderReport::Fields sr;
      sr.sender_ssrc = track->ssrc;
      sr.ntp_timestamp = ntp;
      // The RTP time of "now" on this viewer's stream, extrapolated from the last packet sent.
      sr.rtp_timestamp =
          track->rewriter.last_timestamp() +
          static_cast<uint32_t>((now_us - track->last_sent_us) * track->clock_rate / 1'000'000);
      sr.packet_count = track->packets_sent;
      sr.octet_count = track->octets_sent;
      if (rtcp::SenderReport::Build(sr, writer).ok()) transport.CommitRtcp(writer.size());
    }
  }
}

}  // namespace cascade::media
