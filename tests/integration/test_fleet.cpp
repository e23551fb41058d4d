// End to end on a generated fleet: fleet generator -> Orthanc -> dicomlake backfill ->
// PostgreSQL, checked against the generator's ground truth.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "util/dates.hpp"
#include "warehouse/ledger.hpp"
#include "fleet_fixture.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

TEST_F(Fleet, MigrateSucceeds) {
    EXPECT_EQ(migrate_.exit_code, 0) << migrate_.output;
    auto again = Lab::instance().dicomlake("migrate");
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("schema is current"), std::string::npos) << again.output;
}

TEST_F(Fleet, BackfillReportsPartialBecauseOfThePlantedFailure) {
    EXPECT_EQ(first_.exit_code, 3) << first_.output;  // partial
    auto r = query("SELECT outcome, exit_code, studies_failed FROM dicomlake.run ORDER BY run_id LIMIT 1");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0][0].as<std::string>(), "partial");
    EXPECT_EQ(r[0][1].as<int>(), 3);
    EXPECT_EQ(r[0][2].as<int>(), 1);
}

TEST_F(Fleet, EverySeriesLoadedExactlyOnceWithTruthValues) {
    std::map<std::string, pqxx::row> rows;
    auto r = query(
        "SELECT series_key, study_key, modality, instances, nex, tr_ms, te_ms, ctdivol_mgy, device_serial,"
        " series_description, study_date::text FROM dicomlake.v_series");
    for (const auto& row : r) rows.emplace(row[0].as<std::string>(), row);

    size_t expected = 0;
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>()) continue;
        for (const auto& s : study["series"]) {
            ++expected;
            std::string key = pseudo(s["series_uid"].get<std::string>());
            auto it = rows.find(key);
            ASSERT_NE(it, rows.end()) << "series missing: " << s["series_description"];
            const auto& row = it->second;
            EXPECT_EQ(row[1].as<std::string>(), pseudo(study["study_uid"].get<std::string>()));
            EXPECT_EQ(row[2].as<std::string>(), s["modality"].get<std::string>());
            EXPECT_EQ(row[3].as<long>(), s["instances"].get<long>()) << s["series_description"];
            EXPECT_EQ(row[8].as<std::string>(), study["device_serial"].get<std::string>());
            EXPECT_EQ(row[9].as<std::string>(), s["series_description"].get<std::string>());
            EXPECT_EQ(row[10].as<std::string>(), shifted(study, study["study_date"].get<std::string>()));
            EXPECT_NE(row[10].as<std::string>(), study["study_date"].get<std::string>());
            auto check = [&](int col, const char* field) {
                if (s[field].is_null()) {
                    EXPECT_TRUE(row[col].is_null()) << field << " of " << s["series_description"];
                } else {
                    ASSERT_FALSE(row[col].is_null()) << field << " of " << s["series_description"];
                    EXPECT_NEAR(row[col].as<double>(), s[field].get<double>(), 1e-6)
                        << field << " of " << s["series_description"];
                }
            };
            check(4, "nex");
            check(5, "tr_ms");
            check(6, "te_ms");
            check(7, "ctdivol_mgy");
        }
    }
    EXPECT_EQ(rows.size(), expected);  // nothing extra, nothing twice
    EXPECT_GT(expected, 200u);
}

TEST_F(Fleet, EnhancedMrNexComesFromFunctionalGroups) {
    size_t checked = 0;
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>()) continue;
        for (const auto& s : study["series"]) {
            if (!s["enhanced"].get<bool>()) continue;
            auto r = query("SELECT nex, te_ms, instances FROM dicomlake.series WHERE series_key = '" +
                           pseudo(s["series_uid"].get<std::string>()) + "'");
            ASSERT_EQ(r.size(), 1u);
            ASSERT_FALSE(r[0][0].is_null());
            EXPECT_DOUBLE_EQ(r[0][0].as<double>(), s["nex"].get<double>());
            EXPECT_DOUBLE_EQ(r[0][1].as<double>(), s["te_ms"].get<double>());
            EXPECT_EQ(r[0][2].as<long>(), 1);
            ++checked;
        }
    }
    EXPECT_GT(checked, 0u) << "the fleet should contain enhanced MR series";
}

TEST_F(Fleet, PlantedNexPairsStandOut) {
    ASSERT_FALSE(truth_["planted_nex"].empty());
    std::map<std::pair<std::string, std::string>, std::string> description_of;  // (serial, protocol) -> description
    for (const auto& study : truth_["studies"])
        for (const auto& s : study["series"])
            description_of[{study["device_serial"].get<std::string>(), s["protocol"].get<std::string>()}] =
                s["series_description"].get<std::string>();
    for (const auto& p : truth_["planted_nex"]) {
        std::string serial = p["device_serial"].get<std::string>();
        auto d = description_of.find({serial, p["protocol"].get<std::string>()});
        if (d == description_of.end()) continue;  // the protocol was never scheduled on that scanner
        auto r = query("SELECT avg(nex), count(*) FROM dicomlake.v_series WHERE device_serial = '" + serial +
                       "' AND series_description = '" + d->second + "'");
        ASSERT_GT(r[0][1].as<long>(), 0);
        EXPECT_DOUBLE_EQ(r[0][0].as<double>(), p["nex"].get<double>()) << serial << " " << d->second;
        EXPECT_GT(p["nex"].get<double>(), p["normal_nex"].get<double>());
    }
}

TEST_F(Fleet, FailedStudyIsRecordedWithAReasonAndNoIdentifier) {
    std::set<std::string> failing;
    for (const auto& study : truth_["studies"])
        if (study["fails"].get<bool>()) failing.insert(pseudo(study["study_uid"].get<std::string>()));
    ASSERT_EQ(failing.size(), 1u);
    auto r = query("SELECT ledger_key, state, reason, attempts, sealed FROM dicomlake.study_status"
                   " WHERE state = 'failed'");
    ASSERT_EQ(r.size(), 1u);
    // Named by its ledger pseudonym (no join to study_key); its real day only sealed.
    deid::Pseudonymizer p(Lab::instance().key(), 1);
    EXPECT_EQ(r[0][0].as<std::string>(), warehouse::ledger_key(p, *failing.begin()));
    auto entry = warehouse::open_entry(p, r[0][4].as<std::string>());
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->study_key, *failing.begin());
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>()) {
            EXPECT_EQ(entry->day, study["study_date"].get<std::string>());
        }
    }
    std::string reason = r[0][2].as<std::string>();
    EXPECT_NE(reason.find("not_found"), std::string::npos) << reason;
    for (const auto& study : truth_["studies"])
        EXPECT_EQ(reason.find(study["study_uid"].get<std::string>()), std::string::npos);
    // The failed study loaded nothing (never half-loaded).
    auto rows = query("SELECT count(*) FROM dicomlake.series WHERE study_key = '" + *failing.begin() + "'");
    EXPECT_EQ(rows[0][0].as<long>(), 0);
}

TEST_F(Fleet, SecondBackfillChangesNothing) {
    EXPECT_EQ(second_.exit_code, 3) << second_.output;  // the planted failure fails again
    EXPECT_GT(before_.series, 0);
    EXPECT_GT(before_.weeks, 0);
    EXPECT_TRUE(before_ == after_) << "rows changed on a re-run: studies " << before_.studies << " -> "
                                   << after_.studies << ", series " << before_.series << " -> " << after_.series
                                   << ", scanner weeks " << before_.weeks << " -> " << after_.weeks;
    auto r = query("SELECT studies_unchanged, studies_loaded FROM dicomlake.run ORDER BY run_id DESC LIMIT 1");
    EXPECT_EQ(r[0][1].as<long>(), 0);
    EXPECT_EQ(r[0][0].as<long>(), static_cast<long>(truth_["studies"].size()) - 1);
}

TEST_F(Fleet, NonAsciiTextArrivesAsUtf8) {
    // The generator writes InstitutionName "Klinikum Süd" as ISO_IR 100 (Latin-1) bytes.
    auto r = query("SELECT count(*) FROM dicomlake.series WHERE institution = 'Klinikum Süd'");
    EXPECT_GT(r[0][0].as<long>(), 0);
    auto bad = query("SELECT count(*) FROM dicomlake.series WHERE institution LIKE 'Klinikum S%d' AND institution <> 'Klinikum Süd'");
    EXPECT_EQ(bad[0][0].as<long>(), 0);
}

TEST_F(Fleet, NoPatientIdentifierInTheWarehouseOrTheLogs) {
    auto dump = run_shell("pg_dump --data-only --dbname=" + shell_quote(Lab::instance().db_url()));
    ASSERT_EQ(dump.exit_code, 0) << dump.output;
    ASSERT_GT(dump.output.size(), 10000u);
    for (const auto& study : truth_["studies"]) {
        for (const char* field : {"patient_id", "accession", "study_uid", "other_patient_id"}) {
            std::string value = study[field].get<std::string>();
            ASSERT_GE(value.size(), 4u);
            EXPECT_EQ(dump.output.find(value), std::string::npos) << field << " leaked into the warehouse";
            EXPECT_EQ(first_.output.find(value), std::string::npos) << field << " leaked into the log";
        }
        std::string birth = study["patient_birth_date"].get<std::string>();
        std::string birth_iso = birth.substr(0, 4) + "-" + birth.substr(4, 2) + "-" + birth.substr(6, 2);
        EXPECT_EQ(dump.output.find(birth_iso), std::string::npos) << "a birth date leaked into the warehouse";
        // The real study date sits in the warehouse only in the utilization table.
        std::string name = study["patient_name"].get<std::string>();
        std::string family = name.substr(0, name.find('^'));
        if (family.size() >= 4) {
            EXPECT_EQ(dump.output.find(family), std::string::npos) << "patient name leaked into the warehouse";
        }
        for (const auto& s : study["series"])
            EXPECT_EQ(dump.output.find(s["series_uid"].get<std::string>()), std::string::npos);
    }
}

// Seconds of the day of "YYYY-MM-DDTHH:MM:SS[.f]".
double seconds_of_day(const std::string& ts) {
    return std::stoi(ts.substr(11, 2)) * 3600.0 + std::stoi(ts.substr(14, 2)) * 60.0 + std::stod(ts.substr(17));
}

TEST_F(Fleet, ScannerWeekHoursCountTheScheduledStudiesWithoutKeys) {
    // Utilization by weekday and hour of the real first acquisition, over the whole fleet.
    std::map<std::string, std::pair<long, double>> expected, actual;  // "serial weekday hour" -> (studies, minutes)
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>()) continue;
        std::string first = study["first_acquired"].get<std::string>(), last = study["last_acquired"].get<std::string>();
        long days = *parse_iso_date(first.substr(0, 10));
        long weekday = (days + 3) % 7 + 1;  // 1970-01-01 was a Thursday (ISO 4)
        auto& e = expected[study["device_serial"].get<std::string>() + " " + std::to_string(weekday) + " " +
                           std::to_string(std::stoi(first.substr(11, 2)))];
        e.first++;
        e.second += (seconds_of_day(last) - seconds_of_day(first)) / 60.0;
    }
    for (const auto& r : query("SELECT device_serial, weekday, hour, studies, busy_minutes FROM dicomlake.v_scanner_weekhour"))
        actual[r[0].as<std::string>() + " " + r[1].as<std::string>() + " " + r[2].as<std::string>()] = {
            r[3].as<long>(), r[4].as<double>()};
    ASSERT_EQ(actual.size(), expected.size());
    for (const auto& [cell, e] : expected) {
        ASSERT_TRUE(actual.count(cell)) << cell;
        EXPECT_EQ(actual[cell].first, e.first) << cell;
        EXPECT_NEAR(actual[cell].second, e.second, 0.05) << cell;
    }
    // Nothing in the utilization tables joins to a study or a patient.
    auto joined = query("SELECT count(*) FROM dicomlake.activity_contribution a JOIN dicomlake.study s"
                        " ON a.activity_key IN (s.study_key, s.patient_key, s.accession_key)");
    EXPECT_EQ(joined[0][0].as<long>(), 0);
}

TEST_F(Fleet, ProtocolsAreRecognisedFromPhysicsAcrossVendors) {
    std::map<std::string, std::string> protocol;
    std::map<std::string, std::optional<double>> seconds;
    for (const auto& r : query("SELECT series_key, coalesce(protocol, ''), acquisition_s FROM dicomlake.v_series"
                               " WHERE modality = 'MR'")) {
        protocol[r[0].as<std::string>()] = r[1].as<std::string>();
        seconds[r[0].as<std::string>()] = r[2].is_null() ? std::nullopt : std::optional<double>(r[2].as<double>());
    }
    size_t checked = 0;
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>() || study["modality"].get<std::string>() != "MR") continue;
        for (const auto& s : study["series"]) {
            std::string key = pseudo(s["series_uid"].get<std::string>());
            ASSERT_TRUE(protocol.count(key));
            EXPECT_EQ(protocol[key], s["protocol"].get<std::string>()) << s["series_description"];
            if (!s["acquisition_s"].is_null() && s["protocol"].get<std::string>() != "LOCALIZER") {
                ASSERT_TRUE(seconds[key].has_value()) << s["series_description"];
                EXPECT_NEAR(*seconds[key], s["acquisition_s"].get<double>(), 0.02 * s["acquisition_s"].get<double>() + 1.0)
                    << s["series_description"];
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 100u);
}

TEST_F(Fleet, TheFoundingQuestionIsOneSelect) {
    // "Which scanner x protocol pairs use more averages than the fleet, and how much time would we save?"
    std::set<std::pair<std::string, std::string>> flagged, planted;
    for (const auto& r : query("SELECT device_serial, protocol, est_minutes_saved_per_week"
                               " FROM dicomlake.v_protocol_nex_outliers")) {
        flagged.insert({r[0].as<std::string>(), r[1].as<std::string>()});
        EXPECT_GT(r[2].as<double>(), 0.0);
    }
    for (const auto& p : truth_["planted_nex"])
        planted.insert({p["device_serial"].get<std::string>(), p["protocol"].get<std::string>()});
    EXPECT_EQ(flagged, planted);
}

// The fleet was acquired within one real week (kFrom..kTo, Monday to Friday), so every pair's
// series per week is its series count; over stored dates, shifted per patient by up to ten years,
// the rate would be hundreds of times smaller.
TEST_F(Fleet, SeriesPerWeekCountsRealWeeksNotShiftedDates) {
    ASSERT_EQ(days_between(kFrom, kTo).size(), 5u);
    long checked = 0;
    for (const auto& r : query("SELECT n.device_serial, n.protocol, n.series_count, n.series_per_week"
                               " FROM dicomlake.v_protocol_nex n"
                               " WHERE n.device_serial IN (SELECT device_serial FROM dicomlake.v_scanner_day)")) {
        EXPECT_DOUBLE_EQ(r[3].as<double>(), r[2].as<double>()) << r[0].c_str() << " " << r[1].c_str();
        ++checked;
    }
    EXPECT_GT(checked, 0) << "no scanner has a published day";
}

TEST_F(Fleet, ScannerDaysCountTheScheduledStudies) {
    std::map<std::pair<std::string, std::string>, long> expected, actual;
    std::map<std::pair<std::string, std::string>, double> expected_busy;
    auto seconds = seconds_of_day;
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>()) continue;
        std::string first = study["first_acquired"].get<std::string>(), last = study["last_acquired"].get<std::string>();
        std::pair<std::string, std::string> key{study["device_serial"].get<std::string>(), first.substr(0, 10)};
        expected[key]++;
        expected_busy[key] += (seconds(last) - seconds(first)) / 60.0;
    }
    for (const auto& r : query("SELECT device_serial, day::text, studies, busy_minutes, clock_suspect FROM dicomlake.v_scanner_day")) {
        std::pair<std::string, std::string> key{r[0].as<std::string>(), r[1].as<std::string>()};
        actual[key] = r[2].as<long>();
        // Rounded to 5 minutes (a day's exact total would fingerprint its studies).
        EXPECT_NEAR(r[3].as<double>(), expected_busy[key], 2.5 + 1e-6) << key.first << " " << key.second;
        EXPECT_EQ(std::fmod(r[3].as<double>(), 5.0), 0.0) << key.first << " " << key.second;
        EXPECT_FALSE(r[4].as<bool>()) << "the generator schedules studies in opening hours";
    }
    // Days with fewer than 5 studies (the documented default of min_cell_studies) are not shown
    // (this fleet spreads its studies evenly: unit tests and the join-attack fleet have small days).
    std::map<std::pair<std::string, std::string>, long> shown;
    for (const auto& [key, n] : expected)
        if (n >= 5) shown[key] = n;
    EXPECT_FALSE(shown.empty());
    EXPECT_EQ(actual, shown);
}

// What one study adds to its scanner's week, from the generator's truth.
struct WeekTruth {
    long studies = 0, mr_studies = 0, mr_series = 0, ct_studies = 0;
    double nex_sum = 0, dlp_sum = 0;
};

TEST_F(Fleet, WeeklyMeanNexAndDlpPerScannerFollowTheRealWeeks) {
    // The documented rules: days with at least 5 studies (min_cell_studies) make the week; its MR
    // (CT) part is shown when at least 5 of those studies have MR series with a NEX (a CT dose
    // total); localizers do not count; means rounded to 0.01 NEX and 1 mGy.cm.
    std::map<std::pair<std::string, std::string>, std::vector<WeekTruth>> days;  // (serial, real day)
    for (const auto& study : truth_["studies"]) {
        if (study["fails"].get<bool>() || study["first_acquired"].is_null()) continue;
        WeekTruth w;
        w.studies = 1;
        for (const auto& s : study["series"])
            if (s["modality"] == "MR" && !s["nex"].is_null() && s["protocol"] != "LOCALIZER") {
                ++w.mr_series;
                w.nex_sum += s["nex"].get<double>();
            }
        w.mr_studies = w.mr_series > 0 ? 1 : 0;
        if (!study["dlp_total_mgycm"].is_null()) {
            w.ct_studies = 1;
            w.dlp_sum = study["dlp_total_mgycm"].get<double>();
        }
        days[{study["device_serial"].get<std::string>(), study["first_acquired"].get<std::string>().substr(0, 10)}]
            .push_back(w);
    }
    std::map<std::pair<std::string, std::string>, WeekTruth> weeks;  // (serial, Monday)
    for (const auto& [cell, studies] : days) {
        if (studies.size() < 5) continue;
        long d = *parse_iso_date(cell.second);
        auto& w = weeks[{cell.first, format_iso_date(d - (d + 3) % 7)}];  // 1970-01-01 was a Thursday
        for (const auto& s : studies) {
            w.studies += s.studies;
            w.mr_studies += s.mr_studies;
            w.mr_series += s.mr_series;
            w.nex_sum += s.nex_sum;
            w.ct_studies += s.ct_studies;
            w.dlp_sum += s.dlp_sum;
        }
    }
    size_t nex_weeks = 0, dlp_weeks = 0;
    std::set<std::pair<std::string, std::string>> shown;
    for (const auto& r : query("SELECT device_serial, week::text, studies, mr_series, mean_nex, ct_studies,"
                               " mean_dlp_mgycm, extract(isodow FROM week) FROM dicomlake.v_scanner_week")) {
        std::pair<std::string, std::string> key{r[0].as<std::string>(), r[1].as<std::string>()};
        shown.insert(key);
        ASSERT_TRUE(weeks.count(key)) << "a week the truth does not publish: " << key.first << " " << key.second;
        const auto& w = weeks[key];
        EXPECT_EQ(r[7].as<int>(), 1) << "a week starts on Monday";
        EXPECT_EQ(r[2].as<long>(), w.studies) << key.first << " " << key.second;
        if (w.mr_studies >= 5) {
            ASSERT_FALSE(r[4].is_null()) << key.first << " " << key.second;
            EXPECT_EQ(r[3].as<long>(), w.mr_series);
            EXPECT_NEAR(r[4].as<double>(), w.nex_sum / w.mr_series, 0.005 + 1e-9) << key.first << " " << key.second;
            EXPECT_NEAR(r[4].as<double>() * 100, std::round(r[4].as<double>() * 100), 1e-6) << "rounded to 0.01";
            ++nex_weeks;
        } else {
            EXPECT_TRUE(r[3].is_null() && r[4].is_null()) << key.first << " " << key.second;
        }
        if (w.ct_studies >= 5) {
            ASSERT_FALSE(r[6].is_null()) << key.first << " " << key.second;
            EXPECT_EQ(r[5].as<long>(), w.ct_studies);
            EXPECT_NEAR(r[6].as<double>(), w.dlp_sum / w.ct_studies, 0.5 + 1e-6) << key.first << " " << key.second;
            EXPECT_DOUBLE_EQ(r[6].as<double>(), std::round(r[6].as<double>())) << "rounded to 1 mGy.cm";
            ++dlp_weeks;
        } else {
            EXPECT_TRUE(r[5].is_null() && r[6].is_null()) << key.first << " " << key.second;
        }
    }
    EXPECT_EQ(shown.size(), weeks.size());
    EXPECT_GT(nex_weeks, 0u) << "the fleet should have MR weeks to check";
    EXPECT_GT(dlp_weeks, 0u) << "the fleet should have CT weeks to check";
}

TEST_F(Fleet, AScannerWhoseClockIsWrongIsFlagged) {
    // A scanner stamping its studies at night, and one living in the future (synthetic rows in a
    // scratch warehouse: the view's rules, not the loader, are under test).
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("clock");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    pqxx::connection c(db);
    pqxx::work tx(c);
    // (Which studies make a day "mostly off hours" is the loader's rule, unit-tested.)
    tx.exec("INSERT INTO dicomlake.activity_day (device_serial, day, studies, busy_minutes, mostly_off_hours) VALUES"
            " ('NIGHT', '2025-01-06', 3, 80, true),"
            " ('FUTURE', current_date + 400, 5, 30, false),"
            " ('FINE', '2025-01-06', 6, 75, false)");
    auto r = tx.exec("SELECT device_serial, clock_suspect, studies, busy_minutes"
                     " FROM dicomlake.v_scanner_day ORDER BY device_serial");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0][0].as<std::string>(), "FINE");
    EXPECT_FALSE(r[0][1].as<bool>());
    EXPECT_NEAR(r[0][3].as<double>(), 75.0, 1e-9);
    EXPECT_EQ(r[1][0].as<std::string>(), "FUTURE");
    EXPECT_TRUE(r[1][1].as<bool>());
    EXPECT_EQ(r[2][0].as<std::string>(), "NIGHT");
    EXPECT_TRUE(r[2][1].as<bool>());
    EXPECT_EQ(r[2][2].as<long>(), 3);
}

TEST_F(Fleet, DataQualityShowsNoGapsInTheGeneratedFleet) {
    auto r = query("SELECT coalesce(max(missing_nex), 0), coalesce(max(missing_protocol), 0) FROM dicomlake.v_data_quality"
                   " WHERE modality = 'MR'");
    EXPECT_DOUBLE_EQ(r[0][0].as<double>(), 0.0);
    EXPECT_DOUBLE_EQ(r[0][1].as<double>(), 0.0);
    auto ct = query("SELECT count(*) FROM dicomlake.v_data_quality WHERE modality = 'CT' AND missing_ctdivol = 0");
    EXPECT_GT(ct[0][0].as<long>(), 0);
}

TEST_F(Fleet, CtDoseFromTheDoseReportsEqualsTheGeneratorsTruth) {
    size_t checked = 0;
    for (const auto& study : truth_["studies"]) {
        if (study["dlp_total_mgycm"].is_null()) continue;
        std::string key = pseudo(study["study_uid"].get<std::string>());
        auto r = query("SELECT dlp_total_mgycm, ctdivol_max_mgy, source, event_count, effective_dose_msv"
                       " FROM dicomlake.v_ct_dose_study WHERE study_key = '" + key + "'");
        ASSERT_EQ(r.size(), 1u);
        EXPECT_NEAR(r[0][0].as<double>(), study["dlp_total_mgycm"].get<double>(), 0.011);
        EXPECT_EQ(r[0][2].as<std::string>(), "RDSR");
        EXPECT_EQ(r[0][3].as<size_t>(), study["ct_events"].size());
        double max_ctdi = 0;
        for (const auto& e : study["ct_events"]) max_ctdi = std::max(max_ctdi, e["ctdivol_mgy"].get<double>());
        EXPECT_NEAR(r[0][1].as<double>(), max_ctdi, 1e-6);
        auto events = query("SELECT ctdivol_mgy, dlp_mgycm, target_region FROM dicomlake.v_ct_dose_event"
                            " WHERE study_key = '" + key + "' ORDER BY ordinal");
        ASSERT_EQ(events.size(), study["ct_events"].size());
        for (size_t i = 0; i < events.size(); ++i) {
            EXPECT_NEAR(events[i][0].as<double>(), study["ct_events"][i]["ctdivol_mgy"].get<double>(), 1e-6);
            EXPECT_NEAR(events[i][1].as<double>(), study["ct_events"][i]["dlp_mgycm"].get<double>(), 1e-6);
            EXPECT_EQ(events[i][2].as<std::string>(), study["ct_events"][i]["target_region"].get<std::string>());
        }
        ++checked;
    }
    EXPECT_GT(checked, 10u);
}

TEST_F(Fleet, ViewsAndColumnsAreDocumented) {
    auto r = query(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'dicomlake' AND c.relname = 'v_series' AND a.attnum > 0"
        " AND col_description(c.oid, a.attnum) IS NULL");
    for (const auto& row : r) ADD_FAILURE() << "v_series." << row[0].as<std::string>() << " has no COMMENT";
    auto views = query(
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'dicomlake' AND c.relkind = 'v' AND a.attnum > 0"
        " AND col_description(c.oid, a.attnum) IS NULL");
    for (const auto& row : views)
        ADD_FAILURE() << row[0].as<std::string>() << "." << row[1].as<std::string>() << " has no COMMENT";
    auto cols = query(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'dicomlake' AND table_name = 'v_series'"
        " AND column_name IN ('study_key','series_key','modality','manufacturer','model','device_serial','station',"
        "'series_description','protocol_name','body_part','study_date','nex','tr_ms','te_ms','ti_ms',"
        "'echo_train_length','flip_angle','slice_thickness_mm','field_strength_t','ctdivol_mgy','instances',"
        "'first_acquired','last_acquired')");
    EXPECT_EQ(cols[0][0].as<long>(), 23);
}

}  // namespace
}  // namespace dicomlake::testing
