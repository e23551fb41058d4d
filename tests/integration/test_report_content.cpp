// The report's content (report::build) against the generated fleet's truth, on the Fleet
// suite's warehouse (loaded once for both files), and on an empty warehouse.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "report/build.hpp"
#include "fleet_fixture.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

report::Report build_report(const std::string& db_url, int max_attempts = 5) {
    pqxx::connection c(db_url);
    report::Options o;
    o.date = "2025-06-07";
    o.days = 90;
    o.max_attempts = max_attempts;
    o.version = "test";
    o.generated_at = "2025-06-08T06:00:00Z";
    return report::build(c, o);
}

const report::Section& section(const report::Report& r, const std::string& id) {
    for (const auto& s : r.sections)
        if (s.id == id) return s;
    throw std::runtime_error("no section " + id);
}

const report::Table* table(const report::Section& s, const std::string& id) {
    for (const auto& t : s.tables)
        if (t.id == id) return &t;
    return nullptr;
}

std::size_t column(const report::Table& t, const std::string& name) {
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].name == name) return i;
    ADD_FAILURE() << t.id << " has no column " << name;
    return 0;
}

// percentile_cont: linear interpolation between the closest ranks.
double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    double at = p * static_cast<double>(v.size() - 1);
    auto lo = static_cast<std::size_t>(at);
    std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (at - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

TEST_F(Fleet, ReportMrSectionListsExactlyThePlantedNexPairs) {
    auto report = build_report(Lab::instance().db_url());
    const auto& mr = section(report, "mr");
    ASSERT_TRUE(mr.empty_reason.empty()) << mr.empty_reason;
    const auto* outliers = table(mr, "mr_nex_outliers");
    ASSERT_NE(outliers, nullptr);
    EXPECT_EQ(outliers->source, "dicomlake.v_protocol_nex_outliers");
    std::set<std::pair<std::string, std::string>> shown, planted;
    for (const auto& row : outliers->rows)
        shown.insert({*row[column(*outliers, "device_serial")].text, *row[column(*outliers, "protocol")].text});
    for (const auto& p : truth_["planted_nex"])
        planted.insert({p["device_serial"].get<std::string>(), p["protocol"].get<std::string>()});
    ASSERT_FALSE(planted.empty());
    EXPECT_EQ(shown, planted);
    // The key chart has one bar per pair, largest saving first.
    auto chart = std::find_if(mr.charts.begin(), mr.charts.end(), [](const auto& c) { return c.id == "mr_minutes_saved"; });
    ASSERT_NE(chart, mr.charts.end());
    EXPECT_TRUE(chart->key);
    const auto& bars = std::get<report::chart::Bars>(chart->spec);
    ASSERT_EQ(bars.categories.size(), planted.size());
    for (std::size_t i = 1; i < bars.values[0].size(); ++i) EXPECT_GE(*bars.values[0][i - 1], *bars.values[0][i]);
}

TEST_F(Fleet, ReportCtMediansAndLocalReferenceEqualTheTruth) {
    // Independently of the views: group the truth's CT studies by scanner and main target region
    // (the region of the event with the largest DLP), median of their DLP totals.
    std::map<std::pair<std::string, std::string>, std::vector<double>> dlp;  // (region, serial) -> DLPs
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>() || study["dlp_total_mgycm"].is_null()) continue;
        const nlohmann::json* main = nullptr;
        for (const auto& e : study["ct_events"])
            if (!main || e["dlp_mgycm"].get<double>() > (*main)["dlp_mgycm"].get<double>()) main = &e;
        ASSERT_NE(main, nullptr);
        dlp[{(*main)["target_region"].get<std::string>(), study["device_serial"].get<std::string>()}].push_back(
            study["dlp_total_mgycm"].get<double>());
    }
    ASSERT_GT(dlp.size(), 2u);
    std::map<std::string, std::vector<double>> medians;  // region -> scanners' medians
    for (const auto& [key, values] : dlp) medians[key.first].push_back(percentile(values, 0.5));

    auto report = build_report(Lab::instance().db_url());
    const auto& ct = section(report, "ct");
    ASSERT_TRUE(ct.empty_reason.empty()) << ct.empty_reason;
    const auto* ref = table(ct, "ct_dose_reference");
    ASSERT_NE(ref, nullptr);
    ASSERT_EQ(ref->rows.size(), dlp.size());
    for (const auto& row : ref->rows) {
        std::string region = *row[column(*ref, "protocol")].text, serial = *row[column(*ref, "device_serial")].text;
        auto it = dlp.find({region, serial});
        ASSERT_NE(it, dlp.end()) << region << " " << serial;
        EXPECT_NEAR(*row[column(*ref, "median_dlp_mgycm")].number, percentile(it->second, 0.5), 0.011)
            << region << " " << serial;
        EXPECT_EQ(*row[column(*ref, "studies")].number, static_cast<double>(it->second.size()));
        EXPECT_NEAR(*row[column(*ref, "local_reference_dlp_mgycm")].number, percentile(medians[region], 0.75), 0.011)
            << region;
        EXPECT_TRUE(row[column(*ref, "national_drl_dlp_mgycm")].is_null()) << "drl is empty by default";
    }
    // A box plot per region, one box per scanner, with the local reference drawn.
    std::size_t boxes = 0;
    for (const auto& chart : ct.charts)
        if (const auto* plot = std::get_if<report::chart::BoxPlot>(&chart.spec)) {
            boxes += plot->boxes.size();
            ASSERT_FALSE(plot->references.empty()) << chart.id;
        }
    EXPECT_EQ(boxes, dlp.size());
}

TEST_F(Fleet, ReportLastNightShowsThePlantedFailure) {
    long failing = 0;
    for (const auto& study : truth_["studies"]) failing += study["fails"].get<bool>();
    ASSERT_EQ(failing, 1);
    // Two backfills have tried the planted failure twice.
    auto report = build_report(Lab::instance().db_url(), 2);
    const auto& night = section(report, "last-night");
    ASSERT_TRUE(night.empty_reason.empty()) << night.empty_reason;
    bool counts = false;
    for (const auto& f : night.facts)
        counts |= f.find("unchanged " + std::to_string(truth_["studies"].size() - 1) + ", failed 1") != std::string::npos;
    EXPECT_TRUE(counts) << "the counts of the latest backfill";
    const auto* reasons = table(night, "run_failure_reasons");
    ASSERT_NE(reasons, nullptr);
    ASSERT_EQ(reasons->rows.size(), 1u);
    EXPECT_EQ(*reasons->rows[0][0].text, "not_found");  // the kind, without the per-study part
    EXPECT_EQ(*reasons->rows[0][1].number, 1.0);
    const auto* waiting = table(night, "failed_waiting");
    ASSERT_NE(waiting, nullptr);
    EXPECT_EQ(*waiting->rows.at(0)[column(*waiting, "studies")].number, 1.0);
    // At three attempts it is still retried: nobody needs to act.
    auto later = build_report(Lab::instance().db_url(), 3);
    EXPECT_EQ(table(section(later, "last-night"), "failed_waiting"), nullptr);
}

// What every writer relies on: ids that are file names and sheet names, full rows, the source
// of every number, and no date beside a study key.
TEST_F(Fleet, ReportTablesAndChartsAreWellFormed) {
    auto report = build_report(Lab::instance().db_url());
    EXPECT_EQ(report.first_day, "2025-03-10");
    std::set<std::string> table_ids, chart_ids;
    std::regex id("[a-z0-9_]{1,31}");
    pqxx::connection c(Lab::instance().db_url());
    pqxx::work tx(c);
    for (const auto& s : report.sections) {
        EXPECT_FALSE(s.title.empty() || s.meaning.empty() || s.period.empty() || s.clock.empty()) << s.id;
        for (const auto& t : s.tables) {
            EXPECT_TRUE(std::regex_match(t.id, id)) << t.id;
            EXPECT_TRUE(table_ids.insert(t.id).second) << "duplicate table id " << t.id;
            EXPECT_TRUE(tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", t.source)[0].as<bool>()) << t.source;
            bool has_key = false, has_date = false;
            for (const auto& col : t.columns) {
                has_key |= col.name == "study_key";
                has_date |= col.kind == report::Column::Kind::date;
            }
            EXPECT_FALSE(has_key && has_date) << t.id << " puts a date beside a study key";
            for (const auto& row : t.rows) ASSERT_EQ(row.size(), t.columns.size()) << t.id;
        }
        for (const auto& chart : s.charts) {
            EXPECT_TRUE(std::regex_match(chart.id, id)) << chart.id;
            EXPECT_TRUE(chart_ids.insert(chart.id).second) << "duplicate chart id " << chart.id;
            EXPECT_TRUE(tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", chart.source)[0].as<bool>()) << chart.source;
        }
    }
    EXPECT_TRUE(chart_ids.count("utilization_weekhour"));
    EXPECT_FALSE(table_ids.empty());
}

TEST(ReportContent, AnEmptyWarehouseSaysWhyEachSectionIsEmpty) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("report_empty");
    auto migrated = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
    auto report = build_report(db);
    ASSERT_EQ(report.sections.size(), 6u);
    for (const auto& s : report.sections) {
        EXPECT_FALSE(s.empty_reason.empty()) << s.id;
        EXPECT_TRUE(s.charts.empty()) << s.id;
        EXPECT_TRUE(s.tables.empty()) << s.id;
    }
    EXPECT_NE(section(report, "ct").empty_reason.find("no CT study"), std::string::npos);
}

TEST(ReportContent, FluoroscopyAlertsSumOnePatientsStudiesOverTheWindow) {
    // Synthetic dose reports in a scratch warehouse: the view's window rule is under test.
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("report_fluoro");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    {
        pqxx::connection c(db);
        pqxx::work tx(c);
        // (study, patient, stored date, DAP Gy.m2, dose at RP Gy). Defaults: 2 Gy.m2, 2 Gy, 12 weeks.
        const char* rows[][5] = {
            {"A1", "PA", "2030-01-01", "1.2", "0.1"}, {"A2", "PA", "2030-03-22", "1.0", "0.1"},  // 80 days: alert at A2
            {"B1", "PB", "2030-01-01", "1.2", "0.1"}, {"B2", "PB", "2030-04-01", "1.0", "0.1"},  // 90 days: none
            {"C1", "PC", "2030-03-22", "1.0", "0.1"},                                            // not A's patient
            {"D1", "PD", "2030-05-05", "0.1", "2.5"}};                                           // dose at RP alone
        for (const auto& r : rows) {
            tx.exec_params("INSERT INTO dicomlake.study (study_key, patient_key, study_date, study_time, series_count,"
                           " instance_count, content_hash, deid_profile, key_version, source)"
                           " VALUES ($1, $2, $3::date, '10:00', 1, 1, 'h', 'p', 1, 'test')",
                           r[0], r[1], r[2]);
            tx.exec_params("INSERT INTO dicomlake.dose_study (study_key, source, template_id, dap_total_gym2,"
                           " dose_rp_total_gy, event_count) VALUES ($1, 'RDSR', '10001', $2::float8, $3::float8, 1)",
                           r[0], r[3], r[4]);
        }
        tx.commit();
    }
    auto report = build_report(db);
    const auto& s = section(report, "mammo-fluoro");
    ASSERT_TRUE(s.empty_reason.empty()) << s.empty_reason;
    const auto* alerts = table(s, "fluoro_alerts");
    ASSERT_NE(alerts, nullptr);
    std::map<std::string, std::pair<std::string, std::string>> got;  // study -> (alert_dap, alert_dose_rp)
    for (const auto& row : alerts->rows)
        got[*row[column(*alerts, "study_key")].text] = {*row[column(*alerts, "alert_dap")].text,
                                                         *row[column(*alerts, "alert_dose_rp")].text};
    std::map<std::string, std::pair<std::string, std::string>> expected{{"A2", {"true", "false"}},
                                                                       {"D1", {"false", "true"}}};
    EXPECT_EQ(got, expected);
    for (const auto& row : alerts->rows)
        if (*row[column(*alerts, "study_key")].text == "A2") {
            EXPECT_NEAR(*row[column(*alerts, "window_dap_total_gym2")].number, 2.2, 1e-9);
            EXPECT_EQ(*row[column(*alerts, "window_studies")].number, 2.0);
        }
}

}  // namespace
}  // namespace dicomlake::testing
