#include "control/client/ControlCodec.hpp"

#include "control/control_generated.h"

namespace cascade::control {
namespace fb = cascade::control::fbs;

namespace {

// Verifier limits: a control message is small; deep or wide ones are hostile.
constexpr uint32_t kMaxDepth = 16;
constexpr uint32_t kMaxTables = 10000;

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

flatbuffers::Offset<fb::Address> WriteAddress(flatbuffers::FlatBufferBuilder& b, const NodeAddress& a) {
  return fb::CreateAddressDirect(b, a.ip.c_str(), a.port, a.transport.c_str());
}

NodeAddress ReadAddress(const fb::Address* a) {
  NodeAddress out;
  if (a->ip()) out.ip = a->ip()->str();
  out.port = a->port();
  if (a->transport()) out.transport = a->transport()->str();
  return out;
}

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

flatbuffers::Offset<fb::LinkCredentials> WriteLink(flatbuffers::FlatBufferBuilder& b,
                                                   const LinkCredentials& l) {
  return fb::CreateLinkCredentialsDirect(b, l.parent_ufrag.c_str(), l.child_ufrag.c_str(),
                                         l.password.c_str());
}

LinkCredentials ReadLink(const fb::LinkCredentials* l) {
  if (!l) return {};
  return {Str(l->parent_ufrag()), Str(l->child_ufrag()), Str(l->password())};
}

}  // namespace

const char* ToString(NodeRole role) { return role == NodeRole::kEdge ? "edge" : "relay"; }

const char* ToString(ControlDecodeError error) {
  switch (error) {
    case ControlDecodeError::kUnverifiable: return "unverifiable";
    case ControlDecodeError::kNoBody: return "no_body";
    case ControlDecodeError::kMissingField: return "missing_field";
    case ControlDecodeError::kCount: break;
  }
  return "?";
}

std::vector<uint8_t> EncodeControlMessage(const ControlMessage& message) {
  flatbuffers::FlatBufferBuilder b(256);
  fb::Body type = fb::Body::NONE;
  flatbuffers::Offset<void> body;
  std::visit(
      Overloaded{
          [&](const NodeHello& h) {
            std::vector<flatbuffers::Offset<fb::Address>> addresses;
            for (const auto& a : h.media_addresses) addresses.push_back(WriteAddress(b, a));
            auto capacity = fb::CreateCapacity(b, h.capacity.max_sessions, h.capacity.max_users,
                                               h.capacity.egress_bps, h.capacity.cores);
            body = fb::CreateNodeHelloDirect(
                       b, h.node_id.c_str(),
                       h.role == NodeRole::kEdge ? fb::NodeRole::Edge : fb::NodeRole::Relay, h.region.c_str(),
                       &addresses, h.http_url.c_str(), capacity, h.certificate_fingerprint.c_str(),
                       h.version.c_str(), h.proof.c_str(), h.ssrc_range_start)
                       .Union();
            type = fb::Body::NodeHello;
          },
          [&](const HelloAck& a) {
            body = fb::CreateHelloAckDirect(b, a.accepted, a.reason.c_str(), a.heartbeat_interval_ms,
                                            a.ssrc_range_start, a.ssrc_range_size, a.retry_after_ms)
                       .Union();
            type = fb::Body::HelloAck;
          },
          [&](const Heartbeat& h) {
            auto load = fb::CreateLoad(b, h.load.sessions, h.load.users, h.load.cpu_percent,
                                       h.load.egress_bps, h.load.packets_per_second, h.load.rss_bytes);
            std::vector<flatbuffers::Offset<fb::RoomReport>> rooms;
            rooms.reserve(h.rooms.size());
            for (const auto& r : h.rooms) {
              rooms.push_back(
                  fb::CreateRoomReportDirect(b, r.name.c_str(), r.publisher, r.viewers, r.parent.c_str()));
            }
            body = fb::CreateHeartbeatDirect(b, h.seq, load, &rooms).Union();
            type = fb::Body::Heartbeat;
          },
          [&](const AttachStream& c) {
            auto address = c.parent_address ? WriteAddress(b, *c.parent_address) : 0;
            auto link = WriteLink(b, c.link);
            body = fb::CreateAttachStreamDirect(b, c.stream_id.c_str(), c.parent_node_id.c_str(), address,
                                                c.parent_fingerprint.c_str(), link)
                       .Union();
            type = fb::Body::AttachStream;
          },
          [&](const DetachStream& c) {
            body = fb::CreateDetachStreamDirect(b, c.stream_id.c_str(), c.child_node_id.c_str()).Union();
            type = fb::Body::DetachStream;
          },
          [&](const ServeChild& c) {
            auto address = c.child_address ? WriteAddress(b, *c.child_address) : 0;
            auto link = WriteLink(b, c.link);
            body = fb::CreateServeChildDirect(b, c.stream_id.c_str(), c.child_node_id.c_str(), address,
                                              c.child_fingerprint.c_str(), link)
                       .Union();
            type = fb::Body::ServeChild;
          },
          [&](const CommandResult& r) {
            body = fb::CreateCommandResultDirect(b, r.ok, r.error.c_str()).Union();
            type = fb::Body::CommandResult;
          },
          [&](const ParentLost& p) {
            body = fb::CreateParentLostDirect(b, p.parent_node_id.c_str(), p.silent_ms).Union();
            type = fb::Body::ParentLost;
          },
          [&](const Ping&) {
            body = fb::CreatePing(b).Union();
            type = fb::Body::Ping;
          },
      },
      message.body);
  b.FinishSizePrefixed(fb::CreateMessage(b, message.id, type, body));
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

base::Result<ControlMessage, ControlDecodeError> DecodeControlMessage(std::span<const uint8_t> frame) {
  flatbuffers::Verifier verifier(frame.data(), frame.size(), kMaxDepth, kMaxTables);
  if (!fb::VerifySizePrefixedMessageBuffer(verifier)) return base::Fail(ControlDecodeError::kUnverifiable);
  const fb::Message* m = fb::GetSizePrefixedMessage(frame.data());
  // The verifier accepts a union whose type is set but whose table is absent (it verifies
  // a null table as fine), so body_as_X() can be null: check before reading.
  if (m->body() == nullptr) return base::Fail(ControlDecodeError::kNoBody);
  ControlMessage out;
  out.id = m->id();
  switch (m->body_type()) {
    case fb::Body::NodeHello: {
      const auto* h = m->body_as_NodeHello();
      NodeHello hello;
      hello.node_id = h->node_id()->str();  // required: the verifier checked it is present
      hello.role = h->role() == fb::NodeRole::Edge ? NodeRole::kEdge : NodeRole::kRelay;
      hello.region = Str(h->region());
      if (h->media_addresses()) {
        for (const auto* a : *h->media_addresses()) hello.media_addresses.push_back(ReadAddress(a));
      }
      hello.http_url = Str(h->http_url());
      if (const auto* c = h->capacity()) {
        hello.capacity = {c->max_sessions(), c->max_users(), c->egress_bps(), c->cores()};
      }
      hello.certificate_fingerprint = Str(h->certificate_fingerprint());
      hello.version = Str(h->version());
      hello.proof = Str(h->proof());
      hello.ssrc_range_start = h->ssrc_range_start();
      out.body = std::move(hello);
      break;
    }
    case fb::Body::HelloAck: {
      const auto* a = m->body_as_HelloAck();
      out.body = HelloAck{a->accepted(),         Str(a->reason()),     a->heartbeat_interval_ms(),
                          a->ssrc_range_start(), a->ssrc_range_size(), a->retry_after_ms()};
      break;
    }
    case fb::Body::Heartbeat: {
      const auto* h = m->body_as_Heartbeat();
      Heartbeat beat;
      beat.seq = h->seq();
      if (const auto* l = h->load()) {
        beat.load = {l->sessions(),           l->users(),    l->cpu_percent(), l->egress_bps(),
                     l->packets_per_second(), l->rss_bytes()};
      }
      if (const auto* rooms = h->rooms()) {
        beat.rooms.reserve(rooms->size());
        for (const auto* r : *rooms) {
          beat.rooms.push_back({r->name()->str(), r->publisher(), r->viewers(), Str(r->parent())});
        }
      }
      out.body = beat;
      break;
    }
    case fb::Body::AttachStream: {
      const auto* c = m->body_as_AttachStream();
      AttachStream cmd{c->stream_id()->str(), Str(c->parent_node_id()), std::nullopt,
                       Str(c->parent_fingerprint()), ReadLink(c->link())};
      if (c->parent_address()) cmd.parent_address = ReadAddress(c->parent_address());
      out.body = std::move(cmd);
      break;
    }
    case fb::Body::DetachStream: {
      const auto* c = m->body_as_DetachStream();
      out.body = DetachStream{c->stream_id()->str(), Str(c->child_node_id())};
      break;
    }
    case fb::Body::ServeChild: {
      const auto* c = m->body_as_ServeChild();
      ServeChild cmd{c->stream_id()->str(), c->child_node_id()->str(), std::nullopt,
                     Str(c->child_fingerprint()), ReadLink(c->link())};
      if (c->child_address()) cmd.child_address = ReadAddress(c->child_address());
      out.body = std::move(cmd);
      break;
    }
    case fb::Body::CommandResult: {
      const auto* r = m->body_as_CommandResult();
      out.body = CommandResult{r->ok(), Str(r->error())};
      break;
    }
    case fb::Body::ParentLost: {
      const auto* p = m->body_as_ParentLost();
      out.body = ParentLost{p->parent_node_id()->str(), p->silent_ms()};
      break;
    }
    case fb::Body::Ping: out.body = Ping{}; break;
    default: return base::Fail(ControlDecodeError::kNoBody);
  }
  return out;
}

}  // namespace cascade::control
