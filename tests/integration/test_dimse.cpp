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

constexpr const char* kFrom = "2024-11-04";  // after the real samples (RealFiles lists up to 2024-05-30)
constexpr const char* kTo = "2024-11-06";

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
            std::string("--seed 331 --scanners 3 --studies 24 --fail-studies 0 --from ") + kFrom + " --to " + kTo)));
        lab.seed({lab.dir() + "/dimse-fleet/dicom"}, false);
        web_db_ = migrated_database("dimse_reference");
        web_ = lab.dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, {{"DICOMLAKE_DB_URL", web_db_}});
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

// The third source on the same fleet: the files the PACS was sent, imported, give the rows the
// DICOMweb backfill loaded (with the C-GET and C-MOVE tests: three sources, one warehouse).
TEST_F(Dimse, ImportingTheFleetsFilesLoadsTheSameRowsAsDicomweb) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated_database("dimse_files");
    auto r = Lab::instance().dicomlake("import " + shell_quote(Lab::instance().dir() + "/dimse-fleet/dicom"),
                                       {{"DICOMLAKE_DB_URL", db}});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(web_db_));
}

TEST_F(Dimse, CGetBackfillLoadsTheSameRowsAsDicomweb) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated_database("dimse_get");
    auto r = backfill(dimse_env(db));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(web_db_));
    EXPECT_GT(count_rows(db, "series"), static_cast<long>(truth_["studies"].size()));
}

TEST_F(Dimse, CMoveBackfillLoadsTheSameRowsAsDicomweb) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated_database("dimse_move");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_RETRIEVE", "move"},
                                     {"DICOMLAKE_PACS_STORE_PORT", std::to_string(Lab::instance().store_port())}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(web_db_));
}

TEST_F(Dimse, AFindCapForcesSplitsAndStillListsEveryStudy) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated_database("dimse_cap");
    // 24 studies over 3 days: a cap of 4 makes the window, each day and some half-days split.
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_FIND_CAP", "4"}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("narrower queries"), std::string::npos) << r.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(web_db_));
}

TEST_F(Dimse, AFindCapOfOneCannotBeListedCompletely) {
    std::string db = migrated_database("dimse_cap1");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_FIND_CAP", "1"}}));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("cannot be listed completely"), std::string::npos) << r.output;
}

TEST_F(Dimse, AWrongCalledAeTitleIsAClearPacsError) {
    std::string db = migrated_database("dimse_wrong_aet");
    std::string url = Lab::instance().dimse_url();
    url.replace(url.find("LABPACS"), 7, "NOTLABPACS");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_URL", url}}));
    EXPECT_EQ(r.exit_code, 4) << r.output;  // the PACS exit code
    EXPECT_NE(r.output.find("rejected the association"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("NOTLABPACS"), std::string::npos) << r.output;
}

TEST_F(Dimse, ANonDimsePortIsUnreachable) {
    std::string db = migrated_database("dimse_no_port");
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
    std::string db = migrated_database("dimse_acc");
    auto r = lab.dicomlake("backfill --accessions " + shell_quote(list), dimse_env(db));
    EXPECT_EQ(r.exit_code, 3) << r.output;  // partial: one line matched nothing
    EXPECT_EQ(count_rows(db, "study"), 2);
    EXPECT_NE(r.output.find("line 2 of the list matched no study"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("ACC-NOT-THERE-77"), std::string::npos) << "a list entry was logged";
}

TEST_F(Dimse, OnlyTheFirstInstancesOfImageSeriesWhenSampling) {
    ASSERT_EQ(web_.exit_code, 0) << web_.output;
    std::string db = migrated_database("dimse_sample");
    auto r = backfill(dimse_env(db, {{"DICOMLAKE_PACS_INSTANCES_PER_SERIES", "1"}}));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Every series is there, sampled or not.
    EXPECT_EQ(count_rows(db, "series"), count_rows(web_db_, "series"));
    EXPECT_EQ(count_rows(db, "study"), count_rows(web_db_, "study"));
    // Image series of more than one instance were read one instance each, and their rows say
    // how many the PACS has: the count DICOMweb read whole.
    pqxx::connection sampled(db), whole(web_db_);
    pqxx::work ts(sampled), tw(whole);
    std::map<std::string, long> whole_counts;
    for (const auto& row : tw.exec("SELECT series_key, instances FROM dicomlake.series"))
        whole_counts[row[0].as<std::string>()] = row[1].as<long>();
    long sampled_series = 0;
    for (const auto& row : ts.exec("SELECT series_key, instances, instances_on_pacs, modality FROM dicomlake.series")) {
        long on_pacs = whole_counts.at(row[0].as<std::string>());
        if (row[2].is_null()) {
            EXPECT_EQ(row[1].as<long>(), on_pacs) << "a series read whole holds every instance";
            continue;
        }
        ++sampled_series;
        EXPECT_EQ(row[1].as<long>(), 1) << row[3].c_str();
        EXPECT_EQ(row[2].as<long>(), on_pacs) << row[3].c_str();
    }
    EXPECT_GT(sampled_series, 0) << "the fleet has image series of several instances";
}

}  // namespace
}  // namespace dicomlake::testing
