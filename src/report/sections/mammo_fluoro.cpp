// Mammography and fluoroscopy: average glandular dose against compressed thickness, and the
// fluoroscopy high-dose alerts over a rolling window per patient (v_fluoro_alert).
#include <map>

#include "report/sections/sections.hpp"

namespace dicomlake::report::sections {

namespace {

// A scatter of thousands of views says no more than one of a few thousand; the sample is
// deterministic (ordered by a hash of the keys) so the same warehouse draws the same chart.
constexpr long kMaxPoints = 4000;

Table mammo_summary(Context& c) {
    Table t{"mammo_agd", "Mammography dose per device and view", "dicomlake.v_mammo_dose_view",
            "Average glandular dose and compressed thickness per device and view position.",
            {text_column("device_serial", "Device"), text_column("view_position", "View"),
             count_column("views", "Views"), number_column("median_agd_mgy", "Median AGD", "mGy", 2),
             number_column("median_compression_thickness_mm", "Median thickness", "mm", 0)},
            {}};
    return query_table(c.tx,
                       "SELECT device_serial, view_position, count(*) AS views,"
                       " percentile_cont(0.5) WITHIN GROUP (ORDER BY agd_mgy) AS median_agd_mgy,"
                       " percentile_cont(0.5) WITHIN GROUP (ORDER BY compression_thickness_mm)"
                       "   AS median_compression_thickness_mm"
                       " FROM dicomlake.v_mammo_dose_view GROUP BY 1, 2 ORDER BY 1, 2",
                       std::move(t));
}

Chart agd_scatter(Context& c, long views) {
    auto r = c.tx.exec(
        "SELECT coalesce(device_serial, '(no serial)'), compression_thickness_mm, agd_mgy"
        " FROM dicomlake.v_mammo_dose_view WHERE agd_mgy IS NOT NULL AND compression_thickness_mm IS NOT NULL"
        " ORDER BY md5(coalesce(series_key, '') || study_key), agd_mgy LIMIT " + std::to_string(kMaxPoints));
    std::map<std::string, chart::Series> by_device;
    for (const auto& row : r) by_device[row[0].as<std::string>()].points.push_back({row[1].as<double>(), row[2].as<double>()});
    chart::Scatter scatter;
    scatter.title = "Average glandular dose against compressed thickness";
    scatter.description = "One point per mammography view, one colour per device" +
                          std::string(views > kMaxPoints ? " (a fixed sample of " + std::to_string(kMaxPoints) +
                                                               " of " + std::to_string(views) + " views)"
                                                         : "") + ".";
    scatter.x = {"Compressed thickness", "mm", false, std::nullopt, std::nullopt};
    scatter.y = {"AGD", "mGy", false, 0.0, std::nullopt};
    scatter.series = named_series(std::move(by_device));
    return Chart{"mammo_agd_thickness", false, "dicomlake.v_mammo_dose_view", std::move(scatter)};
}

Table fluoro_alerts(Context& c) {
    Table t{"fluoro_alerts", "Fluoroscopy high-dose alerts", "dicomlake.v_fluoro_alert",
            "Studies at which a patient's total DAP or dose at the reference point over the rolling window reached "
            "an alert level (analysis_setting fluoro_alert_*).",
            {text_column("study_key", "Study (pseudonym)"), text_column("device_serial", "Device"),
             number_column("dap_total_gym2", "Study DAP", "Gy.m2", 3),
             number_column("dose_rp_total_gy", "Study dose at RP", "Gy", 3),
             count_column("window_weeks", "Window", "weeks"), count_column("window_studies", "Studies in window"),
             number_column("window_dap_total_gym2", "Window DAP", "Gy.m2", 3),
             number_column("window_dose_rp_total_gy", "Window dose at RP", "Gy", 3),
             bool_column("alert_dap", "DAP alert"), bool_column("alert_dose_rp", "Dose at RP alert")},
            {}};
    return query_table(c.tx,
                       "SELECT * FROM dicomlake.v_fluoro_alert"
                       " ORDER BY window_dose_rp_total_gy DESC NULLS LAST, window_dap_total_gym2 DESC NULLS LAST,"
                       " study_key",
                       std::move(t));
}

std::string thresholds(Context& c) {
    return "alert levels: total DAP " + format_number(setting(c.tx, "fluoro_alert_dap_gym2").value_or(2), 2) +
           " Gy.m2, total dose at the reference point " +
           format_number(setting(c.tx, "fluoro_alert_dose_rp_gy").value_or(2), 2) + " Gy, over " +
           format_number(setting(c.tx, "fluoro_alert_weeks").value_or(12), 0) + " weeks per patient";
}

}  // namespace

Section mammo_fluoro(Context& c) {
    Section s;
    s.id = "mammo-fluoro";
    s.title = "Mammography and fluoroscopy";
    s.meaning = "How mammography dose follows breast thickness, and which patients' fluoroscopy dose over the "
                "last weeks reached an alert level.";
    s.period = std::string(kAllStudies) + " (alert windows are measured between one patient's studies, "
                                          "whose intervals are true)";
    s.clock = kStoredClock;
    long views = count_of(c.tx, "SELECT count(*) FROM dicomlake.v_mammo_dose_view"
                                " WHERE agd_mgy IS NOT NULL AND compression_thickness_mm IS NOT NULL");
    long xray = count_of(c.tx, "SELECT count(*) FROM dicomlake.v_xray_dose_study");
    if (views == 0 && xray == 0) {
        s.empty_reason = "no mammography view with dose and thickness, and no projection X-ray or fluoroscopy "
                         "dose report is loaded";
        return s;
    }
    if (views > 0) {
        s.facts.push_back(plural(views, "mammography view", "mammography views") + " with dose and thickness");
        s.charts.push_back(agd_scatter(c, views));
        s.tables.push_back(mammo_summary(c));
    } else {
        s.facts.push_back("No mammography view with dose and thickness is loaded");
    }
    if (xray > 0) {
        Table alerts = fluoro_alerts(c);
        s.facts.push_back(plural(xray, "projection X-ray or fluoroscopy study", "projection X-ray or fluoroscopy studies") +
                          " with a dose report; " + plural(static_cast<long>(alerts.rows.size()), "alert", "alerts") +
                          " (" + thresholds(c) + ")");
        s.tables.push_back(std::move(alerts));
    } else {
        s.facts.push_back("No projection X-ray or fluoroscopy dose report is loaded");
    }
    return s;
}

}  // namespace dicomlake::report::sections
