// The DIMSE source against the lab Orthanc's own DICOM port (AE title LABPACS): the same fleet
// backfilled through DICOMweb and through DIMSE (C-GET, C-MOVE, a find cap forcing splits) must
// give the same warehouse rows; a called AE title Orthanc refuses is a clear PACS error; an
// accession list through C-FIND reports the lines that matched nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <fstream>
#include <map>
#include <string>

#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kFrom = "2024-03-04";
constexpr const char* kTo = "2024-03-06";

// Every loaded row, as warehouse_rows, without what says where or when it was loaded (source
// names differ between a DICOMweb and a DIMSE load of the same PACS).
std::string rows_without_source(const std::string& db) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::string out;
    for (const auto& [table, order] :
         std::vector<std::pair<std::string, std::string>>{{"study", "study_key"},
                                                          {"series", "study_key, series_key"},
                                                          {"activity_day", "device_serial, day"},
                                                          {"activity_weekhour", "device_serial, weekday, hour"},
                                                          {"activity_week", "device_serial, week"}}) {
        std::string cols;
        for (const auto& r : tx.exec_params("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                            "'dicomlake' AND table_name = $1 AND column_name NOT IN ('loaded_at', "
                                            "'run_id') AND column_name NOT LIKE 'source%' ORDER BY ordinal_position",
                                            table)) {
            if (!cols.empty()) cols += ", ";
            cols += tx.quote_name(r[0].as<std::string>());
        }
        out += "-- " + table + " (" + cols + ")\n";
        for (const auto& r :
             tx.exec("SELECT t::text FROM (SELECT " + cols + " FROM dicomlake." + table + " ORDER BY " + order + ") t"))
            out += r[0].as<std::string>() + "\n";
    }
    return out;
}

long count_rows(const std::string& db, const std::string& table) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    return tx.exec1("SELECT count(*) FROM dicomlake." + table)[0].as<long>();
}

class Dimse : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/dimse-fleet",
            std::string("--seed 31 --scanners 3 --studies 24 --fail-studies 0 --from ") + kFrom + " --to " + kTo)));
        lab.seed({lab.dir() + "/dimse-fleet/dicom"}, false);
        web_db_ = migrated("dimse_reference");
        web_ = lab.dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, {{"DICOMLAKE_DB_URL", web_db_}});
    }

    static std::string migrated(const std::string& name) {
        std::string db = Lab::instance().fresh_database(name);
        auto m = Lab::instance().dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
        EXPECT_EQ(m.exit_code, 0) << m.output;
        return db;
    }

    // The lab environment pointed at Orthanc's DIMSE port, plus `extra`.
    static std::map<std::string, std::string> dimse_env(const std::string& db,
                                                        std::map<std::string, std::string> extra = {}) {
        extra.emplace("DICOMLAKE_DB_URL", db);
        extra.emplace("DICOMLAKE_PACS_URL", Lab::instance().dimse_url());
        return extra;
    }

    static CommandResult backfill(const std::map<std::string, std::string>& env) {
        return Lab::instance().dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, env);
    }

    static inline nlohmann::json truth_;
    static inline std::string web_db_;
    static inline CommandResult web_;
};

TEST_F(Dimse, TheDicomwebReferenceLoadsTheFleet) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    EXPECT_EQ(count_rows(web_db_, "study"), static_cast<long>(truth_["studies"].size()));
}

TEST_F(Dimse, CGetBackfillLoadsTheSameRowsAsDicomweb) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated("dimse_get");
    auto r = backfill(dimse_env(db));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(rows_without_source(db), rows_without_source(web_db_));
    EXPECT_GT(count_rows(db, "series"), static_cast<long>(truth_["studies"].size()));
}

TEST_F(Dimse, CMoveBackfillLoadsTheSameRowsAsDicomweb) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated("dimse_move");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_RETRIEVE", "move"},
                                     {"DICOMLAKE_PACS_STORE_PORT", std::to_string(Lab::instance().store_port())}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(rows_without_source(db), rows_without_source(web_db_));
}

TEST_F(Dimse, AFindCapForcesSplitsAndStillListsEveryStudy) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated("dimse_cap");
    // 24 studies over 3 days: a cap of 4 makes the window, each day and some half-days split.
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_FIND_CAP", "4"}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("narrower queries"), std::string::npos) << r.output;
    EXPECT_EQ(rows_without_source(db), rows_without_source(web_db_));
}

TEST_F(Dimse, AFindCapOfOneCannotBeListedCompletely) {
    std::string db = migrated("dimse_cap1");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_FIND_CAP", "1"}}));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("cannot be listed completely"), std::string::npos) << r.output;
}

TEST_F(Dimse, AWrongCalledAeTitleIsAClearPacsError) {
    std::string db = migrated("dimse_wrong_aet");
    std::string url = Lab::instance().dimse_url();
    url.replace(url.find("LABPACS"), 7, "NOTLABPACS");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_URL", url}}));
    EXPECT_EQ(r.exit_code, 4) << r.output;  // the PACS exit code
    EXPECT_NE(r.output.find("rejected the association"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("NOTLABPACS"), std::string::npos) << r.output;
}

TEST_F(Dimse, ANonDimsePortIsUnreachable) {
    std::string db = migrated("dimse_no_port");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_URL", "dicom://LABPACS@127.0.0.1:1"},
                                     {"DICOMLAKE_PACS_RETRIES", "0"},
                                     {"DICOMLAKE_PACS_CONNECT_TIMEOUT", "2"}}));
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("C-ECHO"), std::string::npos) << r.output;
}

TEST_F(Dimse, AnAccessionListThroughCFindReportsTheLinesThatMatchNothing) {
    Lab& lab = Lab::instance();
    std::string list = lab.dir() + "/dimse-fleet/accessions.txt";
    {
        std::ofstream out(list);
        out << truth_["studies"][0]["accession"].get<std::string>() << "\n"
            << "ACC-NOT-THERE-77\n"
            << truth_["studies"][1]["accession"].get<std::string>() << "\n";
    }
    std::string db = migrated("dimse_acc");
    auto r = lab.dicomlake("backfill --accessions " + shell_quote(list), dimse_env(db));
    EXPECT_EQ(r.exit_code, 3) << r.output;  // partial: one line matched nothing
    EXPECT_EQ(count_rows(db, "study"), 2);
    EXPECT_NE(r.output.find("line 2 of the list matched no study"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("ACC-NOT-THERE-77"), std::string::npos) << "a list entry was logged";
}

TEST_F(Dimse, OnlyTheFirstInstancesOfImageSeriesWhenSampling) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated("dimse_sample");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_INSTANCES_PER_SERIES", "1"}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Every series is there, sampled or not.
    EXPECT_EQ(count_rows(db, "series"), count_rows(web_db_, "series"));
    EXPECT_EQ(count_rows(db, "study"), count_rows(web_db_, "study"));
}

}  // namespace
}  // namespace dicomlake::testing
