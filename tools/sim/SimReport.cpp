#include "tools/sim/SimReport.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace cascade::sim {
namespace {

const char* kColours[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};

std::ofstream Open(const std::string& dir, const std::string& name) {
  std::ofstream out(dir + "/" + name);
  if (!out) throw std::runtime_error("cannot write " + dir + "/" + name);
  return out;
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
};

// A plain line chart: axes, ticks, a legend; enough to read a CDF or a time series.
std::string LineChart(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<Series>& series) {
  constexpr double kW = 720, kH = 420, kL = 70, kR = 20, kT = 40, kB = 50;
  double x_max = 0, y_max = 0;
  for (const auto& s : series) {
    for (const auto& [x, y] : s.points) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
    }
  }
  x_max = x_max > 0 ? x_max * 1.05 : 1;
  y_max = y_max > 0 ? y_max * 1.05 : 1;
  const auto px = [&](double x) { return kL + x / x_max * (kW - kL - kR); };
  const auto py = [&](double y) { return kH - kB - y / y_max * (kH - kT - kB); };
  std::ostringstream svg;
  svg << std::fixed << std::setprecision(1);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kW << "' height='" << kH
      << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  svg << "<text x='" << kW / 2 << "' y='22' text-anchor='middle' font-size='15'>" << title << "</text>\n";
  svg << "<line x1='" << kL << "' y1='" << py(0) << "' x2='" << kW - kR << "' y2='" << py(0)
      << "' stroke='black'/>\n";
  svg << "<line x1='" << kL << "' y1='" << py(0) << "' x2='" << kL << "' y2='" << kT
      << "' stroke='black'/>\n";
  for (int i = 0; i <= 5; ++i) {
    const double xv = x_max * i / 5, yv = y_max * i / 5;
    svg << "<text x='" << px(xv) << "' y='" << kH - kB + 16 << "' text-anchor='middle'>"
        << std::setprecision(xv < 10 ? 2 : 0) << xv << "</text>\n";
    svg << "<text x='" << kL - 6 << "' y='" << py(yv) + 4 << "' text-anchor='end'>"
        << std::setprecision(yv < 10 ? 2 : 0) << yv << "</text>\n";
    svg << std::setprecision(1) << "<line x1='" << kL << "' y1='" << py(yv) << "' x2='" << kW - kR << "' y2='"
        << py(yv) << "' stroke='#eee'/>\n";
  }
  svg << "<text x='" << (kL + kW - kR) / 2 << "' y='" << kH - 12 << "' text-anchor='middle'>" << x_label
      << "</text>\n";
  svg << "<text x='16' y='" << (kT + kH - kB) / 2 << "' text-anchor='middle' transform='rotate(-90 16 "
      << (kT + kH - kB) / 2 << ")'>" << y_label << "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const char* colour = kColours[i % 5];
    svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
    for (const auto& [x, y] : series[i].points) svg << px(x) << "," << py(y) << " ";
    svg << "'/>\n<rect x='" << kW - kR - 170 << "' y='" << kT + 8 + 18 * i
        << "' width='12' height='12' fill='" << colour << "'/><text x='" << kW - kR - 152 << "' y='"
        << kT + 18 + 18 * i << "'>" << series[i].name << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

// Regions on an equirectangular world (graticule only, no coastlines) with stream 0's
// inter-region tree links; the origin in red.
std::string TreeMap(const SimResult& r) {
  constexpr double kW = 900, kH = 450;
  const auto px = [&](double lon) { return (lon + 180) / 360 * kW; };
  const auto py = [&](double lat) { return (90 - lat) / 180 * kH; };
  std::ostringstream svg;
  svg << std::fixed << std::setprecision(1);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kW << "' height='" << kH
      << "' font-family='sans-serif' font-size='10'>\n<rect width='100%' height='100%' fill='#f4f8fb'/>\n";
  for (int lon = -180; lon <= 180; lon += 30) {
    svg << "<line x1='" << px(lon) << "' y1='0' x2='" << px(lon) << "' y2='" << kH << "' stroke='#dde'/>\n";
  }
  for (int lat = -90; lat <= 90; lat += 30) {
    svg << "<line x1='0' y1='" << py(lat) << "' x2='" << kW << "' y2='" << py(lat) << "' stroke='#dde'/>\n";
  }
  const auto known = [&](size_t i) { return !std::isnan(r.region_coords[i].first); };
  for (const TreeLink& l : r.final_tree) {
    if (!known(l.parent_region) || !known(l.child_region)) continue;
    const auto& a = r.region_coords[l.parent_region];
    const auto& b = r.region_coords[l.child_region];
    svg << "<line x1='" << px(a.second) << "' y1='" << py(a.first) << "' x2='" << px(b.second) << "' y2='"
        << py(b.first) << "' stroke='#d62728' stroke-width='1.5' marker-end='url(#a)'/>\n";
  }
  for (size_t i = 0; i < r.region_names.size(); ++i) {
    if (!known(i)) continue;
    const auto& c = r.region_coords[i];
    svg << "<circle cx='" << px(c.second) << "' cy='" << py(c.first) << "' r='3.5' fill='#1f77b4'/><text x='"
        << px(c.second) + 5 << "' y='" << py(c.first) - 4 << "'>" << r.region_names[i] << "</text>\n";
  }
  svg << "<text x='10' y='16' font-size='13'>stream 0 tree between regions at the end of the "
         "run</text>\n</svg>\n";
  return svg.str();
}

}  // namespace

void WriteReport(const SimResult& r, const std::string& dir) {
  std::filesystem::create_directories(dir);
  {
    auto out = Open(dir, "summary.csv");
    out << "strategy,p50_ms,p95_ms,p99_ms,max_ms,ratio_p50,ratio_p95,ratio_p99,mean_interdc_gbps,peak_"
           "interdc_gbps,"
           "peak_node_egress_gbps,node_links,rejected\n";
    for (const auto& s : r.strategies) {
      out << s.name << ',' << s.p50_ms << ',' << s.p95_ms << ',' << s.p99_ms << ',' << s.max_ms << ','
          << s.ratio_p50 << ',' << s.ratio_p95 << ',' << s.ratio_p99 << ',' << s.mean_interdc_gbps << ','
          << s.peak_interdc_gbps << ',' << s.peak_node_egress_gbps << ',' << s.node_links << ',' << s.rejected
          << '\n';
    }
  }
  {
    auto out = Open(dir, "latency_cdf.csv");
    out << "strategy,latency_ms,fraction\n";
    for (const auto& s : r.strategies) {
      for (const auto& [ms, f] : s.cdf) out << s.name << ',' << ms << ',' << f << '\n';
    }
  }
  {
    auto out = Open(dir, "interdc.csv");
    out << "time_s,viewers,tree_gbps,star_gbps,mesh_gbps,single_gbps,relays_used,edges_used\n";
    for (const auto& s : r.samples) {
      out << s.time_s << ',' << s.viewers << ',' << s.interdc_gbps[0] << ',' << s.interdc_gbps[1] << ','
          << s.interdc_gbps[2] << ',' << s.interdc_gbps[3] << ',' << s.relays_used << ',' << s.edges_used
          << '\n';
    }
  }
  {
    auto out = Open(dir, "load.csv");
    out << "time_s,node,region,role,viewers,children,egress_gbps\n";
    for (const auto& l : r.load) {
      out << l.time_s << ',' << l.node << ',' << r.region_names[l.region] << ','
          << (l.relay ? "relay" : "edge") << ',' << l.viewers << ',' << l.children << ',' << l.egress_gbps
          << '\n';
    }
  }
  {
    auto out = Open(dir, "failures.csv");
    out << "time_s,target,node,links_changed,viewers_affected,viewers_replaced,edges_cut_off,compute_us,"
           "reparent_ms\n";
    for (const auto& f : r.failures) {
      out << f.time_s << ',' << f.target << ',' << f.node << ',' << f.links_changed << ','
          << f.viewers_affected << ',' << f.viewers_replaced << ',' << f.edges_cut_off << ',' << f.compute_us
          << ',' << f.reparent_ms << '\n';
    }
  }
  std::vector<Series> cdf;
  for (const auto& s : r.strategies) {
    Series line{s.name, {}};
    for (const auto& [ms, f] : s.cdf) line.points.emplace_back(ms, f);
    cdf.push_back(std::move(line));
  }
  Open(dir, "latency_cdf.svg") << LineChart("Publisher to viewer latency", "one-way ms",
                                            "fraction of viewers", cdf);
  std::vector<Series> load(5);
  const char* names[] = {"cascade-tree", "star", "full-mesh", "single-server"};
  for (int k = 0; k < 4; ++k) load[static_cast<size_t>(k)].name = std::string(names[k]) + " inter-DC Gb/s";
  load[4].name = "viewers / 10k";
  for (const auto& s : r.samples) {
    for (size_t k = 0; k < 4; ++k) load[k].points.emplace_back(s.time_s, s.interdc_gbps[k]);
    load[4].points.emplace_back(s.time_s, static_cast<double>(s.viewers) / 1e4);
  }
  Open(dir, "interdc.svg") << LineChart("Inter-data-center bandwidth over time", "time s", "Gb/s", load);
  Open(dir, "tree_map.svg") << TreeMap(r);
}

void PrintSummary(const SimResult& r, std::ostream& out) {
  out << std::fixed << std::setprecision(2);
  out << "regions " << r.region_names.size() << ", joins " << r.joins << ", leaves " << r.leaves
      << ", peak viewers " << r.peak_viewers << ", rejected " << r.rejected << "\n";
  out << "tree: origin->edge p50/p95/p99 " << r.edge_p50_ms << "/" << r.edge_p95_ms << "/" << r.edge_p99_ms
      << " ms; peak relays " << r.peak_relays << ", edges " << r.peak_edges << "; rebalance moves "
      << r.rebalance_moves << "\nhops:";
  for (size_t h = 0; h < r.hops.size(); ++h) {
    if (r.hops[h]) out << " " << h << "=" << r.hops[h];
  }
  out << "\n"
      << std::left << std::setw(15) << "strategy" << std::right << std::setw(22) << "p50/p95/p99 ms"
      << std::setw(20) << "ratio p50/p95/p99" << std::setw(12) << "interDC" << std::setw(12) << "peak"
      << std::setw(12) << "node max" << std::setw(10) << "links" << std::setw(10) << "rejected\n";
  for (const auto& s : r.strategies) {
    std::ostringstream lat, ratio;
    lat << std::fixed << std::setprecision(1) << s.p50_ms << "/" << s.p95_ms << "/" << s.p99_ms;
    ratio << std::fixed << std::setprecision(2) << s.ratio_p50 << "/" << s.ratio_p95 << "/" << s.ratio_p99;
    out << std::left << std::setw(15) << s.name << std::right << std::setw(22) << lat.str() << std::setw(20)
        << ratio.str() << std::setw(12) << s.mean_interdc_gbps << std::setw(12) << s.peak_interdc_gbps
        << std::setw(12) << s.peak_node_egress_gbps << std::setw(10) << s.node_links << std::setw(10)
        << s.rejected << "\n";
  }
  out << "(interDC = mean Gb/s between data centers, peak = its maximum, node max = busiest node's egress "
         "Gb/s)\n";
  for (const auto& f : r.failures) {
    out << "failure t=" << f.time_s << "s " << f.target << " node " << f.node << ": " << f.viewers_affected
        << " viewers below it, " << f.links_changed << " links changed, " << f.edges_cut_off
        << " edges cut off, " << f.viewers_replaced << " viewers re-placed, compute " << f.compute_us
        << " us, re-parented in " << f.reparent_ms << " ms\n";
  }
  const double pps = r.placement_s > 0 ? static_cast<double>(r.placements) / r.placement_s : 0;
  out << "wall " << r.wall_s << " s, placements " << r.placements << " (" << std::setprecision(0) << pps
      << "/s), peak RSS " << std::setprecision(1) << static_cast<double>(r.peak_rss_kb) / 1024 << " MiB\n";
}

}  // namespace cascade::sim
