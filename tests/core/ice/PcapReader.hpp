#pragma once
// Test helper: the UDP payloads of a classic little-endian pcap file with Ethernet framing
// (enough for the zeek traces in tests/data). Test-only: no bounds promises beyond these files.
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cascade::test {

struct PcapUdpPacket {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  std::vector<uint8_t> src_ip;  // 4 or 16 bytes
  std::vector<uint8_t> dst_ip;
  std::vector<uint8_t> payload;
};

inline std::vector<PcapUdpPacket> ReadPcapUdp(const std::vector<uint8_t>& file) {
  auto le32 = [&](size_t at) {
    if (at + 4 > file.size()) throw std::runtime_error("pcap truncated");
    return static_cast<uint32_t>(file[at]) | static_cast<uint32_t>(file[at + 1]) << 8 |
           static_cast<uint32_t>(file[at + 2]) << 16 | static_cast<uint32_t>(file[at + 3]) << 24;
  };
  if (le32(0) != 0xa1b2c3d4 || le32(20) != 1) throw std::runtime_error("not a LE Ethernet pcap");
  std::vector<PcapUdpPacket> out;
  size_t off = 24;
  while (off + 16 <= file.size()) {
    const size_t caplen = le32(off + 8);
    off += 16;
    if (off + caplen > file.size()) throw std::runtime_error("pcap record truncated");
    const uint8_t* p = file.data() + off;
    off += caplen;
    if (caplen < 14) continue;
    const unsigned ethertype = p[12] << 8 | p[13];
    const uint8_t* ip = p + 14;
    const size_t ip_len = caplen - 14;
    PcapUdpPacket pkt;
    const uint8_t* udp = nullptr;
    if (ethertype == 0x0800 && ip_len >= 20 && ip[9] == 17) {
      const size_t ihl = (ip[0] & 0x0F) * 4u;
      pkt.src_ip.assign(ip + 12, ip + 16);
      pkt.dst_ip.assign(ip + 16, ip + 20);
      if (ip_len < ihl + 8) continue;
      udp = ip + ihl;
    } else if (ethertype == 0x86DD && ip_len >= 48 && ip[6] == 17) {
      pkt.src_ip.assign(ip + 8, ip + 24);
      pkt.dst_ip.assign(ip + 24, ip + 40);
      udp = ip + 40;
    } else {
      continue;
    }
    pkt.src_port = static_cast<uint16_t>(udp[0] << 8 | udp[1]);
    pkt.dst_port = static_cast<uint16_t>(udp[2] << 8 | udp[3]);
    const size_t udp_len = static_cast<size_t>(udp[4] << 8 | udp[5]);
    const size_t available = caplen - static_cast<size_t>(udp - p);
    if (udp_len < 8 || udp_len > available) continue;
    pkt.payload.assign(udp + 8, udp + udp_len);
    out.push_back(std::move(pkt));
  }
  return out;
}

}  // namespace cascade::test
