// SendSideBandwidthEstimator on simulated bottlenecks (BweSimulation): every feedback is
// encoded, parsed and matched as on the wire.
#include "core/bwe/SendSideBandwidthEstimator.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/TransportCcEncoder.hpp"
#include "tests/core/bwe/BweSimulation.hpp"

using namespace cascade;
using namespace cascade::bwe;
using cascade::bwe::test::BweSimulation;
using cascade::bwe::test::SimulationOptions;

namespace {

SendSideBandwidthEstimator::Options EstimatorStartingAt(uint64_t bps) {
  SendSideBandwidthEstimator::Options options;
  options.start_bps = bps;
  return options;
}

}  // namespace

TEST_CASE(
    "SendSideBandwidthEstimator: 1 Mbit/s through a 2 Mbit/s link rises and never drops below 1 Mbit/s") {
  SimulationOptions sim;
  sim.capacity = {{0, 2'000'000}};
  sim.fixed_send_bps = 1'000'000;
  BweSimulation run(sim, EstimatorStartingAt(1'000'000));
  run.RunUntil(10'000'000);
  CAPTURE(run.bwe().target_bps());
  CHECK(run.min_target_since(0) >= 1'000'000);
  CHECK(run.bwe().target_bps() > 1'200'000);
  CHECK(run.bwe().counters().overuse_decreases == 0);
  CHECK(run.bwe().state().reason == BweReason::kIncrease);
  CHECK(run.bwe().feedback_counters().lost == 0);
  CHECK(run.bwe().feedback_counters().unknown_seq == 0);
  // The acknowledged rate is what the sender pushed.
  REQUIRE(run.bwe().state().acknowledged_bps);
  CHECK(*run.bwe().state().acknowledged_bps > 900'000);
  CHECK(*run.bwe().state().acknowledged_bps < 1'100'000);
}

TEST_CASE("SendSideBandwidthEstimator: capacity 2 Mbit/s -> 400 kbit/s is below 500 kbit/s within 2 s") {
  SimulationOptions sim;
  sim.capacity = {{0, 2'000'000}, {6'000'000, 400'000}};
  BweSimulation run(sim, EstimatorStartingAt(1'000'000));
  run.RunUntil(6'000'000);
  const uint64_t before = run.bwe().target_bps();
  CAPTURE(before);
  CHECK(before > 1'300'000);
  run.RunUntil(8'000'000);
  CAPTURE(run.bwe().target_bps());
  CHECK(run.bwe().target_bps() < 500'000);
  CHECK(run.bwe().target_bps() > 200'000);  // cut to the acknowledged rate, not to the floor
  CHECK(run.bwe().counters().overuse_decreases > 0);
  // And it stays near the new capacity.
  run.RunUntil(14'000'000);
  CHECK(run.max_target_since(9'000'000) < 600'000);
  CHECK(run.min_target_since(9'000'000) > 200'000);
}

TEST_CASE(
    "SendSideBandwidthEstimator: capacity 400 kbit/s -> 3 Mbit/s with probes is above 1.5 Mbit/s within 10 "
    "s") {
  SimulationOptions sim;
  sim.capacity = {{0, 400'000}, {5'000'000, 3'000'000}};
  sim.wanted_bps = 2'500'000;
  BweSimulation run(sim, EstimatorStartingAt(300'000));
  run.RunUntil(5'000'000);
  CAPTURE(run.bwe().target_bps());
  CHECK(run.bwe().target_bps() < 550'000);
  const uint64_t failed_before = run.bwe().probe_controller().probes_failed();
  run.RunUntil(15'000'000);
  CAPTURE(run.bwe().target_bps());
  CAPTURE(run.bwe().probe_controller().probes_started());
  CHECK(run.max_target_since(5'000'000) > 1'500'000);
  CHECK(run.bwe().target_bps() > 1'500'000);
  CHECK(run.bwe().probe_controller().probes_succeeded() > 0);
  CHECK(failed_before > 0);  // probing behind the 400 kbit/s cap failed and backed off

  // Without probes the climb is the 8 %/s ramp: nowhere near in the same time.
  SimulationOptions no_probes = sim;
  no_probes.wanted_bps = 0;
  BweSimulation slow(no_probes, EstimatorStartingAt(300'000));
  slow.RunUntil(15'000'000);
  CAPTURE(slow.bwe().target_bps());
  CHECK(slow.bwe().target_bps() < 1'500'000);
}

TEST_CASE("SendSideBandwidthEstimator: 10 % random loss lowers the estimate, 1 % does not") {
  SimulationOptions sim;
  sim.capacity = {{0, 20'000'000}};
  sim.max_send_bps = 20'000'000;
  sim.random_loss = 0.10;
  BweSimulation heavy(sim, EstimatorStartingAt(2'000'000));
  heavy.RunUntil(10'000'000);
  CAPTURE(heavy.bwe().target_bps());
  CHECK(heavy.bwe().target_bps() < 1'600'000);
  CHECK(heavy.max_target_since(5'000'000) < heavy.max_target_since(0));
  CHECK(heavy.bwe().counters().loss_decreases >= 3);
  CHECK(heavy.bwe().counters().overuse_decreases == 0);
  CHECK(heavy.bwe().state().reason == BweReason::kLoss);
  CHECK(heavy.bwe().state().loss_fraction > 0.05);

  sim.random_loss = 0.01;
  BweSimulation light(sim, EstimatorStartingAt(2'000'000));
  light.RunUntil(10'000'000);
  CAPTURE(light.bwe().target_bps());
  CHECK(light.bwe().counters().loss_decreases == 0);
  CHECK(light.min_target_since(0) >= 2'000'000);
  CHECK(light.bwe().target_bps() > 2'000'000);
  CHECK(light.bwe().feedback_counters().lost > 0);
}

TEST_CASE("SendSideBandwidthEstimator: reordered arrivals do not read as over-use") {
  SimulationOptions sim;
  sim.capacity = {{0, 3'000'000}};
  sim.fixed_send_bps = 1'000'000;
  sim.reorder_probability = 0.05;
  sim.reorder_extra_us = 30'000;  // overtaken by ~3 packets, often across a feedback
  BweSimulation run(sim, EstimatorStartingAt(1'000'000));
  run.RunUntil(10'000'000);
  CAPTURE(run.bwe().target_bps());
  CHECK(run.bwe().delay_based().inter_arrival().reordered_packets() > 20);
  CHECK_FALSE(run.ever_overusing());
  CHECK(run.bwe().counters().overuse_decreases == 0);
  CHECK(run.min_target_since(0) >= 1'000'000);
  // Late packets reopened earlier ranges: their neighbours came again and were skipped,
  // and the late ones first reported lost counted as received.
  CHECK(run.bwe().feedback_counters().duplicates > 0);
  CHECK(run.bwe().feedback_counters().late > 0);
  CHECK(run.bwe().counters().loss_decreases == 0);
}

TEST_CASE("SendSideBandwidthEstimator: sequence numbers and the feedback reference time wrap") {
  SimulationOptions sim;
  sim.capacity = {{0, 2'000'000}};
  sim.fixed_send_bps = 1'000'000;
  sim.first_seq = 65'000;  // wraps after ~0.5 s
  // The 24-bit reference time (64 ms units) passes its sign bit after ~1 s.
  sim.receiver_clock_us = (int64_t{1} << 23) * 64'000 - 1'000'000;
  BweSimulation run(sim, EstimatorStartingAt(1'000'000));
  run.RunUntil(6'000'000);
  CAPTURE(run.bwe().target_bps());
  CHECK(run.sent_packets() > 600);
  const auto& fb = run.bwe().feedback_counters();
  CHECK(fb.unknown_seq == 0);
  CHECK(fb.expired_seq == 0);
  CHECK(fb.received + 20 > run.sent_packets());  // all but the last feedback interval
  CHECK(run.bwe().counters().overuse_decreases == 0);
  CHECK(run.min_target_since(0) >= 1'000'000);
  CHECK(run.bwe().target_bps() > 1'100'000);
}

TEST_CASE("SendSideBandwidthEstimator: REMB alone is the estimate, REMB and transport-cc take the lower") {
  SendSideBandwidthEstimator bwe(EstimatorStartingAt(300'000));
  CHECK(bwe.target_bps() == 300'000);
  CHECK(bwe.state().reason == BweReason::kStart);
  bwe.OnRemb(800'000, 1'000'000);
  CHECK(bwe.target_bps() == 800'000);
  CHECK(bwe.state().reason == BweReason::kRemb);
  CHECK(std::string(ToString(bwe.state().reason)) == "remb");
  bwe.OnRemb(2'500'000, 2'000'000);
  CHECK(bwe.target_bps() == 2'500'000);
  bwe.OnRemb(400'000, 3'000'000);
  CHECK(bwe.target_bps() == 400'000);
  bwe.OnRemb(100'000'000, 4'000'000);
  CHECK(bwe.target_bps() == 20'000'000);  // max_bps
  CHECK(bwe.state().reason == BweReason::kLimit);
  bwe.OnRemb(1'000'000, 5'000'000);
  // Receiver reports with heavy loss cut below the REMB; with little loss the REMB holds.
  bwe.OnReceiverReport(77, 6'000'000);  // 30 %: x (1 - 0.5 x 77/256)
  CHECK(bwe.target_bps() == static_cast<uint64_t>(1'000'000 * (1 - 0.5 * 77 / 256.0)));
  CHECK(bwe.state().reason == BweReason::kLoss);
  CHECK(bwe.counters().receiver_reports_used == 1);

  // With transport-cc the lower of the two wins.
  SimulationOptions sim;
  sim.capacity = {{0, 2'000'000}};
  sim.fixed_send_bps = 1'000'000;
  BweSimulation run(sim, EstimatorStartingAt(1'000'000));
  run.RunUntil(3'000'000);
  const uint64_t delay_based = run.bwe().target_bps();
  run.bwe().OnRemb(700'000, 4'000'000);
  CHECK(run.bwe().target_bps() == 700'000);
  CHECK(run.bwe().state().reason == BweReason::kRemb);
  run.bwe().OnRemb(50'000'000, 4'000'000);
  CHECK(run.bwe().target_bps() <= delay_based);
  // Receiver reports are ignored once transport-cc reports loss itself.
  run.bwe().OnReceiverReport(128, 4'100'000);
  CHECK(run.bwe().counters().receiver_reports_ignored == 1);
}

TEST_CASE("SendSideBandwidthEstimator counts unknown, duplicate and malformed feedback and ignores it") {
  SendSideBandwidthEstimator bwe(EstimatorStartingAt(1'000'000));
  for (uint16_t seq = 100; seq < 110; ++seq) bwe.OnPacketSent(seq, 1000, 1'000'000 + seq * 1000);

  auto feedback = [](std::vector<rtcp::TccReceived> received, uint16_t base) {
    rtcp::TransportCcEncoder encoder;
    rtcp::TransportCcEncoder::Params params;
    params.base_seq = base;
    std::vector<uint8_t> bytes(1500);
    base::ByteWriter writer(bytes);
    REQUIRE(encoder.Encode(params, received, writer).ok());
    bytes.resize(writer.size());
    return bytes;
  };
  auto deliver = [&bwe](const std::vector<uint8_t>& bytes, uint64_t now) {
    rtcp::CompoundReader reader(bytes);
    rtcp::RtcpPacket packet;
    REQUIRE(reader.Next(packet));
    auto tcc = rtcp::TransportCc::Parse(packet);
    REQUIRE(tcc.ok());
    bwe.OnTransportFeedback(*tcc, now);
  };

  // Sequence numbers 200..204 were never sent.
  deliver(feedback({{200, 5'000'000}, {201, 5'001'000}, {204, 5'004'000}}, 200), 1'200'000);
  CHECK(bwe.feedback_counters().unknown_seq == 5);
  CHECK(bwe.feedback_counters().received == 0);
  CHECK(bwe.target_bps() == 1'000'000);

  // 100..104 received (103 lost), then the same feedback again.
  auto good = feedback({{100, 5'000'000}, {101, 5'001'000}, {102, 5'002'000}, {104, 5'004'000}}, 100);
  deliver(good, 1'200'000);
  CHECK(bwe.feedback_counters().received == 4);
  CHECK(bwe.feedback_counters().lost == 1);
  deliver(good, 1'210'000);
  CHECK(bwe.feedback_counters().received == 4);
  CHECK(bwe.feedback_counters().lost == 1);
  CHECK(bwe.feedback_counters().duplicates == 5);

  // 103 arrives late in the next feedback: received, not lost twice.
  deliver(feedback({{103, 5'020'000}, {105, 5'021'000}}, 103), 1'230'000);
  CHECK(bwe.feedback_counters().received == 6);
  CHECK(bwe.feedback_counters().late == 1);
  CHECK(bwe.feedback_counters().duplicates == 6);  // 104 again

  // Status count 3 with no chunk at all.
  const std::vector<uint8_t> truncated{0x8f, 0xcd, 0x00, 0x04, 0xfa, 0x17, 0xfa, 0x17, 0x00, 0x00,
                                       0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00};
  deliver(truncated, 1'240'000);
  CHECK(bwe.feedback_counters().malformed.Get(rtcp::RtcpError::kTccChunksTruncated) == 1);
  CHECK(bwe.feedback_counters().feedbacks == 4);

  // Feedback for packets sent more than 2 s ago is too old to say anything.
  deliver(feedback({{106, 5'100'000}}, 106), 4'000'000);
  CHECK(bwe.feedback_counters().expired_seq == 1);

  // probe=true without a granted cluster is counted and sent as media.
  bwe.OnPacketSent(110, 500, 4'000'000, true);
  CHECK(bwe.counters().probe_packets_without_cluster == 1);
}
