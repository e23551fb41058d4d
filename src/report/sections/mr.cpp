// MR protocols: the (scanner, protocol) pairs whose NEX exceeds the fleet (the founding study's
// question), the weekly mean NEX per scanner, and the scan time per protocol.
#include <map>

#include "report/sections/sections.hpp"

namespace dicomlake::report::sections {

namespace {

Table outliers(Context& c) {
    Table t{"mr_nex_outliers", "Protocols above the fleet's NEX", "dicomlake.v_protocol_nex_outliers",
            "Scanner x protocol pairs whose median NEX exceeds the fleet median of the protocol, with the scan "
            "time per week that the fleet's NEX would save.",
            {text_column("device_serial", "Scanner"), text_column("model", "Model"),
             text_column("protocol", "Protocol"), number_column("median_nex", "Median NEX", "", 2),
             number_column("fleet_median_nex", "Fleet median NEX", "", 2),
             number_column("series_per_week", "Series per week", "", 1),
             number_column("mean_acquisition_s", "Mean scan time", "s", 0),
             number_column("est_minutes_saved_per_week", "Minutes saved per week", "min", 1)},
            {}};
    return query_table(c.tx,
                       "SELECT * FROM dicomlake.v_protocol_nex_outliers"
                       " ORDER BY est_minutes_saved_per_week DESC NULLS LAST, device_serial, protocol",
                       std::move(t));
}

Table protocols(Context& c) {
    Table t{"mr_protocol_nex", "NEX and scan time per scanner and protocol", "dicomlake.v_protocol_nex",
            "Every MR scanner x protocol pair (localizers and derived series left out) with its NEX against the "
            "fleet and its mean scan time.",
            {text_column("device_serial", "Scanner"), text_column("protocol", "Protocol"),
             count_column("series_count", "Series"), number_column("mean_nex", "Mean NEX", "", 2),
             number_column("median_nex", "Median NEX", "", 2),
             number_column("fleet_median_nex", "Fleet median NEX", "", 2),
             number_column("mean_acquisition_s", "Mean scan time", "s", 0),
             number_column("series_per_week", "Series per week", "", 1)},
            {}};
    return query_table(c.tx, "SELECT * FROM dicomlake.v_protocol_nex ORDER BY protocol, device_serial", std::move(t));
}

Chart minutes_saved(const Table& t) {
    chart::Bars bars;
    bars.title = "Scan time NEX alignment would save";
    bars.description = "Minutes per week each scanner x protocol pair above the fleet's NEX would save at the "
                       "fleet median NEX, largest first.";
    bars.value = {"Minutes saved per week", "min", false, 0.0, std::nullopt};
    bars.groups = {"minutes saved"};
    bars.values.emplace_back();
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        bars.categories.push_back(text_at(t, i, "device_serial") + " " + text_at(t, i, "protocol"));
        bars.values[0].push_back(number_at(t, i, "est_minutes_saved_per_week"));
    }
    return Chart{"mr_minutes_saved", true, t.source, std::move(bars)};
}

// Mean scan time of each protocol, one bar per scanner (minutes).
Chart scan_time(const Table& t) {
    std::map<std::string, std::size_t> protocol_at, scanner_at;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        protocol_at.emplace(text_at(t, i, "protocol"), 0);
        scanner_at.emplace(text_at(t, i, "device_serial"), 0);
    }
    chart::Bars bars;
    bars.title = "Scan time per protocol";
    bars.description = "Mean acquisition time of a series of each MR protocol, one bar per scanner.";
    bars.value = {"Mean scan time", "min", false, 0.0, std::nullopt};
    for (auto& [name, at] : protocol_at) {
        at = bars.categories.size();
        bars.categories.push_back(name);
    }
    for (auto& [name, at] : scanner_at) {
        at = bars.groups.size();
        bars.groups.push_back(name);
    }
    bars.values.assign(bars.groups.size(), std::vector<std::optional<double>>(bars.categories.size()));
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        auto seconds = number_at(t, i, "mean_acquisition_s");
        if (!seconds) continue;
        bars.values[scanner_at[text_at(t, i, "device_serial")]][protocol_at[text_at(t, i, "protocol")]] =
            *seconds / 60.0;
    }
    return Chart{"mr_scan_time", false, t.source, std::move(bars)};
}

double total_minutes(const Table& t) {
    double sum = 0;
    for (std::size_t i = 0; i < t.rows.size(); ++i) sum += number_at(t, i, "est_minutes_saved_per_week").value_or(0);
    return sum;
}

}  // namespace

Section mr(Context& c) {
    Section s;
    s.id = "mr";
    s.title = "MR protocols";
    double margin = setting(c.tx, "nex_outlier_margin").value_or(0.2);
    s.meaning = "Which scanners average more than the fleet on the same protocol (median NEX more than " +
                format_number(margin * 100, 0) + "% above the fleet median), and the scan time it costs.";
    s.period = std::string(kAllStudies) + "; the weekly trend: " + c.real_period();
    s.clock = std::string(kStoredClock) + "; the weekly trend is on real weeks from the aggregates";
    Table all = protocols(c);
    if (all.rows.empty()) {
        s.empty_reason = "no MR series with NEX and a protocol is loaded";
        return s;
    }
    Table pairs = outliers(c);
    s.facts.push_back(plural(static_cast<long>(pairs.rows.size()), "scanner x protocol pair is",
                             "scanner x protocol pairs are") +
                      " above the fleet's NEX, of " + std::to_string(all.rows.size()));
    if (!pairs.rows.empty()) {
        double minutes = total_minutes(pairs);
        s.facts.push_back("Aligning them with the fleet would save about " + format_number(minutes, minutes < 10 ? 1 : 0) +
                          " scanner minutes per week");
        s.charts.push_back(minutes_saved(pairs));
    }
    chart::Line trend;
    trend.title = "Mean NEX per scanner, by week";
    trend.description = "Mean number of averages of the MR series of each scanner, per real week.";
    trend.y = {"Mean NEX", "", false, std::nullopt, std::nullopt};
    if (auto chart = weekly_trend(c, "mr_nex_trend", "mean_nex", "mr_series > 0", std::move(trend)))
        s.charts.push_back(std::move(*chart));
    else
        s.facts.push_back("No weekly NEX trend: no real week of the period is published");
    s.charts.push_back(scan_time(all));
    s.tables.push_back(std::move(pairs));
    s.tables.push_back(std::move(all));
    return s;
}

}  // namespace dicomlake::report::sections
