// CT dose: per protocol (target region) and scanner against the local reference and the
// national DRLs, studies above notification values, the DLP spread and its weekly trend.
#include <map>
#include <set>

#include "report/sections/sections.hpp"

namespace dicomlake::report::sections {

namespace {

Table reference(Context& c) {
    Table t{"ct_dose_reference", "CT dose per protocol and scanner", "dicomlake.v_ct_dose_reference",
            "Median CTDIvol and DLP of each scanner per protocol, against the local reference (75th percentile "
            "of the scanners' medians) and the national DRL the site configured.",
            {text_column("protocol", "Protocol"), text_column("device_serial", "Scanner"),
             count_column("studies", "Studies"), number_column("median_ctdivol_mgy", "Median CTDIvol", "mGy", 1),
             number_column("median_dlp_mgycm", "Median DLP", "mGy.cm", 0),
             number_column("local_reference_dlp_mgycm", "Local reference DLP", "mGy.cm", 0),
             number_column("local_reference_ctdivol_mgy", "Local reference CTDIvol", "mGy", 1),
             number_column("national_drl_dlp_mgycm", "National DRL DLP", "mGy.cm", 0),
             number_column("national_drl_ctdivol_mgy", "National DRL CTDIvol", "mGy", 1),
             bool_column("above_local_reference", "Above local reference"),
             bool_column("above_national_drl", "Above national DRL")},
            {}};
    return query_table(c.tx, "SELECT * FROM dicomlake.v_ct_dose_reference ORDER BY protocol, device_serial",
                       std::move(t));
}

Table notifications(Context& c) {
    Table t{"ct_dose_notification", "CT studies above notification values", "dicomlake.v_ct_dose_notification",
            "Studies with a scan whose CTDIvol exceeds the notification value of its region (table "
            "dose_notification, AAPM Dose Check values by default), or a DLP above the region's DLP value.",
            {text_column("study_key", "Study (pseudonym)"), text_column("device_serial", "Scanner"),
             text_column("protocol", "Protocol"), number_column("ctdivol_max_mgy", "Highest CTDIvol", "mGy", 1),
             number_column("notification_ctdivol_mgy", "Notification CTDIvol", "mGy", 0),
             number_column("dlp_total_mgycm", "DLP total", "mGy.cm", 0),
             number_column("notification_dlp_mgycm", "Notification DLP", "mGy.cm", 0),
             count_column("events_above_ctdivol", "Scans above"), bool_column("above_dlp", "DLP above")},
            {}};
    return query_table(c.tx,
                       "SELECT * FROM dicomlake.v_ct_dose_notification"
                       " ORDER BY ctdivol_max_mgy DESC NULLS LAST, study_key",
                       std::move(t));
}

// [a-z0-9_] of a region name, at most 20 characters: "Chest, abdomen" -> "chest_abdomen".
std::string slug(const std::string& name) {
    std::string out;
    for (char ch : name) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (keep) out += ch;
        else if (!out.empty() && out.back() != '_') out += '_';
        if (out.size() >= 20) break;
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "region" : out;
}

// One box plot of study DLP per protocol, a box per scanner, with the protocol's references.
std::vector<Chart> dlp_boxes(Context& c, const Table& ref) {
    auto r = c.tx.exec(
        "SELECT protocol, coalesce(device_serial, '(no serial)'), count(*),"
        " percentile_cont(0.05) WITHIN GROUP (ORDER BY dlp_total_mgycm),"
        " percentile_cont(0.25) WITHIN GROUP (ORDER BY dlp_total_mgycm),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY dlp_total_mgycm),"
        " percentile_cont(0.75) WITHIN GROUP (ORDER BY dlp_total_mgycm),"
        " percentile_cont(0.95) WITHIN GROUP (ORDER BY dlp_total_mgycm)"
        " FROM dicomlake.v_ct_dose_study WHERE protocol IS NOT NULL AND dlp_total_mgycm IS NOT NULL"
        " GROUP BY 1, 2 ORDER BY 1, 2");
    std::map<std::string, chart::BoxPlot> by_protocol;
    std::map<std::string, long> studies;
    for (const auto& row : r) {
        std::string protocol = row[0].as<std::string>();
        chart::Box box{row[1].as<std::string>(), row[3].as<double>(), row[4].as<double>(), row[5].as<double>(),
                       row[6].as<double>(),      row[7].as<double>(), row[2].as<long>()};
        by_protocol[protocol].boxes.push_back(box);
        studies[protocol] += box.n;
    }
    std::string busiest;
    for (const auto& [protocol, n] : studies)
        if (busiest.empty() || n > studies[busiest]) busiest = protocol;
    std::vector<Chart> charts;
    std::set<std::string> ids;
    for (auto& [protocol, plot] : by_protocol) {
        plot.title = "DLP per study, " + protocol;
        plot.description = "Study DLP of " + protocol + " CT studies per scanner: box from the 25th to the 75th "
                           "percentile, line at the median, whiskers at the 5th and 95th percentiles.";
        plot.value = {"DLP", "mGy.cm", false, 0.0, std::nullopt};
        for (std::size_t i = 0; i < ref.rows.size(); ++i) {
            if (text_at(ref, i, "protocol") != protocol) continue;
            if (auto v = number_at(ref, i, "local_reference_dlp_mgycm"))
                plot.references = {{"local reference (P75 of scanner medians)", *v}};
            if (auto v = number_at(ref, i, "national_drl_dlp_mgycm")) plot.references.push_back({"national DRL", *v});
            break;
        }
        std::string id = "ct_dlp_" + slug(protocol);
        if (!ids.insert(id).second) id += "_" + std::to_string(charts.size());  // two regions that slug alike
        ids.insert(id);
        charts.push_back(Chart{id, protocol == busiest, "dicomlake.v_ct_dose_study", std::move(plot)});
    }
    return charts;
}

long count_true(const Table& t, const std::string& column) {
    long n = 0;
    for (std::size_t i = 0; i < t.rows.size(); ++i) n += text_at(t, i, column) == "true";
    return n;
}

}  // namespace

Section ct(Context& c) {
    Section s;
    s.id = "ct";
    s.title = "CT dose";
    s.meaning = "Which scanners give more dose than the others for the same protocol, and which studies crossed "
                "a notification value.";
    s.period = std::string(kAllStudies) + "; the weekly trend: " + c.real_period();
    s.clock = std::string(kStoredClock) + "; the weekly trend is on real weeks from the aggregates";
    long studies = count_of(c.tx, "SELECT count(*) FROM dicomlake.v_ct_dose_study");
    if (studies == 0) {
        s.empty_reason = "no CT study with dose information is loaded";
        return s;
    }
    Table ref = reference(c);
    Table notes = notifications(c);
    long drl_regions = count_of(c.tx, "SELECT count(*) FROM dicomlake.drl");
    s.facts.push_back(plural(studies, "CT study", "CT studies") + " with dose information");
    s.facts.push_back(plural(count_true(ref, "above_local_reference"), "scanner x protocol pair has",
                             "scanner x protocol pairs have") +
                      " a median DLP above the local reference");
    s.facts.push_back(drl_regions == 0
                          ? std::string("No national DRL configured (fill table dicomlake.drl to compare)")
                          : plural(count_true(ref, "above_national_drl"), "pair is", "pairs are") +
                                " above the national DRL");
    s.facts.push_back(plural(static_cast<long>(notes.rows.size()), "study is", "studies are") +
                      " above a notification value");
    for (auto& chart : dlp_boxes(c, ref)) s.charts.push_back(std::move(chart));
    chart::Line trend;
    trend.title = "Mean DLP per scanner, by week";
    trend.description = "Mean DLP total of the CT studies of each scanner, per real week.";
    trend.y = {"Mean DLP", "mGy.cm", false, std::nullopt, std::nullopt};
    if (auto chart = weekly_trend(c, "ct_dlp_trend", "mean_dlp_mgycm", "ct_studies > 0", std::move(trend)))
        s.charts.push_back(std::move(*chart));
    else
        s.facts.push_back("No weekly DLP trend: no real week of the period is published");
    s.tables.push_back(std::move(ref));
    s.tables.push_back(std::move(notes));
    return s;
}

}  // namespace dicomlake::report::sections
