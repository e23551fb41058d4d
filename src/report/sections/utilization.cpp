// Utilization: studies and busy minutes per scanner per real day (v_scanner_day, published
// days only), the weekday x hour heat map (v_scanner_weekhour), clock problems.
#include <map>

#include "report/sections/sections.hpp"
#include "util/dates.hpp"

namespace dicomlake::report::sections {

namespace {

const char* const kPeriod = " WHERE day BETWEEN $1::date AND $2::date";

Table scanner_days(Context& c, bool suspect_only) {
    Table t{suspect_only ? "clock_suspect_days" : "scanner_days",
            suspect_only ? "Days whose clock looks wrong" : "Studies and busy minutes per scanner and day",
            "dicomlake.v_scanner_day",
            suspect_only ? "Scanner-days in the future or with most studies outside opening hours "
                           "(analysis_setting opening_hour, closing_hour): check the scanner's clock."
                         : "Published scanner-days (at least analysis_setting min_cell_studies studies) of the period.",
            {text_column("device_serial", "Scanner"), date_column("day", "Day"), count_column("studies", "Studies"),
             number_column("busy_minutes", "Busy minutes", "min", 0), bool_column("clock_suspect", "Clock suspect")},
            {}};
    return table_from(c.tx.exec_params(std::string("SELECT device_serial, day::text AS day, studies, busy_minutes,"
                                                   " clock_suspect FROM dicomlake.v_scanner_day") +
                                           kPeriod + (suspect_only ? " AND clock_suspect" : "") +
                                           " ORDER BY device_serial, day",
                                       c.first_day, c.options.date),
                      std::move(t));
}

// One line per scanner of `column` per day.
Chart per_day(const Table& days, const std::string& id, const std::string& column, chart::Axis y,
              const std::string& title, const std::string& description) {
    std::map<std::string, chart::Series> by_scanner;
    for (std::size_t i = 0; i < days.rows.size(); ++i) {
        auto day = parse_iso_date(text_at(days, i, "day"));
        auto v = number_at(days, i, column);
        if (!day || !v) continue;
        by_scanner[text_at(days, i, "device_serial")].points.push_back({static_cast<double>(*day), *v});
    }
    chart::Line line;
    line.title = title;
    line.description = description;
    line.x = {"Day (real)", "", true, std::nullopt, std::nullopt};
    line.y = std::move(y);
    line.series = named_series(std::move(by_scanner));
    return Chart{id, false, days.source, std::move(line)};
}

// Studies started per weekday and hour, every scanner together.
std::optional<Chart> weekhour(Context& c) {
    auto r = c.tx.exec("SELECT weekday, hour, sum(studies) FROM dicomlake.v_scanner_weekhour GROUP BY 1, 2");
    if (r.empty()) return std::nullopt;
    chart::HeatMap map;
    map.title = "Studies by weekday and hour";
    map.description = "Studies started in each hour of each weekday, every scanner together, over every loaded "
                      "study (weekday and hour are the same in real and stored time).";
    map.rows = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    for (int h = 0; h < 24; ++h) map.columns.push_back((h < 10 ? "0" : "") + std::to_string(h));
    map.values.assign(7, std::vector<std::optional<double>>(24));
    for (const auto& row : r) {
        int weekday = row[0].as<int>(), hour = row[1].as<int>();
        if (weekday >= 1 && weekday <= 7 && hour >= 0 && hour < 24) map.values[weekday - 1][hour] = row[2].as<double>();
    }
    map.unit = "studies";
    return Chart{"utilization_weekhour", true, "dicomlake.v_scanner_weekhour", std::move(map)};
}

}  // namespace

Section utilization(Context& c) {
    Section s;
    s.id = "utilization";
    s.title = "Utilization";
    s.meaning = "How busy each scanner was, day by day and over the week, and whether its clock can be trusted.";
    s.period = c.real_period() + "; the weekday x hour map: all loaded studies";
    long min_cell = static_cast<long>(setting(c.tx, "min_cell_studies").value_or(5));
    s.clock = "real days from the utilization aggregates (never shifted); days with fewer than " +
              std::to_string(min_cell) + " studies on a scanner are not published";
    Table days = scanner_days(c, false);
    auto map = weekhour(c);
    if (days.rows.empty() && !map) {
        s.empty_reason = "no scanner-day of the period is published (none loaded, or each had fewer than " +
                         std::to_string(min_cell) + " studies)";
        return s;
    }
    double studies = 0, minutes = 0;
    std::map<std::string, int> scanners;
    for (std::size_t i = 0; i < days.rows.size(); ++i) {
        studies += number_at(days, i, "studies").value_or(0);
        minutes += number_at(days, i, "busy_minutes").value_or(0);
        scanners[text_at(days, i, "device_serial")]++;
    }
    s.facts.push_back(plural(static_cast<long>(days.rows.size()), "published scanner-day", "published scanner-days") +
                      " on " + plural(static_cast<long>(scanners.size()), "scanner", "scanners") + ": " +
                      format_number(studies, 0) + " studies, " + format_number(minutes / 60.0, 0) + " busy hours");
    Table suspect = scanner_days(c, true);
    s.facts.push_back(plural(static_cast<long>(suspect.rows.size()), "day has", "days have") +
                      " a suspect clock");
    if (map) s.charts.push_back(std::move(*map));
    if (!days.rows.empty()) {
        s.charts.push_back(per_day(days, "utilization_studies", "studies", {"Studies", "", false, 0.0, std::nullopt},
                                   "Studies per scanner and day", "Studies per published real day, one line per scanner."));
        s.charts.push_back(per_day(days, "utilization_busy", "busy_minutes",
                                   {"Busy minutes", "min", false, 0.0, std::nullopt}, "Busy minutes per scanner and day",
                                   "Sum of study durations per published real day (rounded to 5 minutes), one line per scanner."));
    }
    if (!suspect.rows.empty()) s.tables.push_back(std::move(suspect));
    s.tables.push_back(std::move(days));
    return s;
}

}  // namespace dicomlake::report::sections
