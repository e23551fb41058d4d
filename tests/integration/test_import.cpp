// `dicomlake import`: a generated fleet loaded through DICOMweb (Orthanc) into one warehouse and
// from its files into another gives the same rows; a file that is not DICOM is named in the
// summary and is not fatal; a second import skips the unchanged studies.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kFrom = "2024-09-02";
constexpr const char* kTo = "2024-09-04";

// Every row of every warehouse table, as text, sorted, without what depends on the run or on
// where the study came from (study.source: "dicomweb:..." against "files:..."), and without the
// sealed values (encrypted with a fresh nonce each time: equal keys are compared instead).
std::string all_rows(const std::string& db) {
    const std::vector<std::string> tables = {"study",         "series",        "acquisition_activity",
                                             "dose_study",    "dose_event",    "activity_contribution",
                                             "activity_cell", "activity_day",  "activity_weekhour",
                                             "activity_week"};
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::string out;
    for (const auto& table : tables) {
        std::string cols;
        for (const auto& r : tx.exec_params(
                 "SELECT column_name FROM information_schema.columns WHERE table_schema = 'dicomlake' AND "
                 "table_name = $1 AND column_name NOT IN ('loaded_at', 'run_id', 'updated_at', 'sealed') AND NOT "
                 "(table_name = 'study' AND column_name = 'source') ORDER BY ordinal_position",
                 table)) {
            if (!cols.empty()) cols += ", ";
            cols += tx.quote_name(r[0].as<std::string>());
        }
        if (cols.empty()) continue;  // a table this schema version does not have
        std::vector<std::string> rows;
        for (const auto& r : tx.exec("SELECT t::text FROM (SELECT " + cols + " FROM dicomlake." + table + ") t"))
            rows.push_back(r[0].as<std::string>());
        std::sort(rows.begin(), rows.end());
        out += "-- " + table + " (" + cols + "): " + std::to_string(rows.size()) + " row(s)\n";
        for (const auto& row : rows) out += row + "\n";
    }
    return out;
}

long count(const std::string& db, const std::string& sql) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    return tx.exec1(sql)[0].as<long>();
}

// The first line where two dumps differ, with its neighbour, for a readable failure.
std::string first_difference(const std::string& a, const std::string& b) {
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    size_t start = a.rfind('\n', i);
    start = start == std::string::npos ? 0 : start + 1;
    return "DICOMweb: " + a.substr(start, 400) + "\nfiles:    " + b.substr(start, 400);
}

class Import : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        fleet_ = lab.dir() + "/import-fleet";
        generate_fleet(fleet_, std::string("--seed 301 --scanners 3 --studies 12 --fail-studies 0 --from ") + kFrom +
                                   " --to " + kTo);
        lab.seed({fleet_ + "/dicom"}, false);
        // After seeding (Orthanc is not asked to take it): a file that is not DICOM.
        std::ofstream(fleet_ + "/dicom/README.txt") << "exported by the modality; not DICOM\n";

        web_db_ = lab.fresh_database("import_web");
        files_db_ = lab.fresh_database("import_files");
        web_migrate_ = lab.dicomlake("migrate", env(web_db_));
        files_migrate_ = lab.dicomlake("migrate", env(files_db_));
        web_ = lab.dicomlake(std::string("backfill --from ") + kFrom + " --to " + kTo, env(web_db_));
        first_ = lab.dicomlake("import " + shell_quote(fleet_ + "/dicom"), env(files_db_));
        rows_after_first_ = all_rows(files_db_);
        second_ = lab.dicomlake("import " + shell_quote(fleet_ + "/dicom"), env(files_db_));
    }

    // The Fleet suite's profile (institution names in Latin-1 check the character sets).
    static std::map<std::string, std::string> env(const std::string& db) {
        return {{"DICOMLAKE_DB_URL", db},
                {"DICOMLAKE_DEID_OPTIONS",
                 "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,"
                 "clean-descriptors,clean-structured-content,retain-institution-identity"}};
    }

    static inline std::string fleet_, web_db_, files_db_, rows_after_first_;
    static inline CommandResult web_migrate_, files_migrate_, web_, first_, second_;
};

TEST_F(Import, BothWarehousesLoad) {
    ASSERT_EQ(web_migrate_.exit_code, 0) << web_migrate_.output;
    ASSERT_EQ(files_migrate_.exit_code, 0) << files_migrate_.output;
    EXPECT_EQ(web_.exit_code, 0) << web_.output;
    EXPECT_EQ(first_.exit_code, 0) << first_.output;
    EXPECT_EQ(count(web_db_, "SELECT count(*) FROM dicomlake.study"), 12);
    EXPECT_EQ(count(files_db_, "SELECT count(*) FROM dicomlake.study"), 12);
}

TEST_F(Import, FilesGiveTheSameRowsAsDicomweb) {
    std::string web = all_rows(web_db_);
    std::string files = all_rows(files_db_);
    EXPECT_GT(count(files_db_, "SELECT count(*) FROM dicomlake.series"), 12);
    EXPECT_TRUE(web == files) << first_difference(web, files);
    if (const char* keep = std::getenv("DICOMLAKE_KEEP_DUMPS"); keep != nullptr && web != files) {
        std::ofstream(std::string(keep) + "/web.rows") << web;
        std::ofstream(std::string(keep) + "/files.rows") << files;
    }
}

TEST_F(Import, StudyRowsRecordTheFilesSource) {
    EXPECT_EQ(count(files_db_, "SELECT count(*) FROM dicomlake.study WHERE source LIKE 'files:%'"), 12);
}

TEST_F(Import, FileThatIsNotDicomIsNamedInTheSummaryAndIsNotFatal) {
    EXPECT_EQ(first_.exit_code, 0) << first_.output;
    EXPECT_NE(first_.output.find("1 file(s) not loaded"), std::string::npos) << first_.output;
    EXPECT_NE(first_.output.find(fleet_ + "/dicom/README.txt"), std::string::npos) << first_.output;
}

TEST_F(Import, SecondImportSkipsTheUnchangedStudies) {
    EXPECT_EQ(second_.exit_code, 0) << second_.output;
    EXPECT_NE(second_.output.find("12 studies found, 0 loaded (0 series), 12 unchanged, 0 failed"), std::string::npos)
        << second_.output;
    EXPECT_TRUE(all_rows(files_db_) == rows_after_first_);
}

TEST_F(Import, DryRunCountsStudiesAndWritesNothing) {
    Lab& lab = Lab::instance();
    auto dry = lab.dicomlake("import --dry-run " + shell_quote(fleet_ + "/dicom"),
                             {{"DICOMLAKE_DB_URL", "postgresql://nobody@127.0.0.1:1/none"}});
    EXPECT_EQ(dry.exit_code, 0) << dry.output;
    EXPECT_NE(dry.output.find("in 12 stud(ies)"), std::string::npos) << dry.output;
    EXPECT_NE(dry.output.find("README.txt"), std::string::npos) << dry.output;
}

TEST_F(Import, MissingPathIsAConfigurationError) {
    auto r = Lab::instance().dicomlake("import " + shell_quote(fleet_ + "/no-such-folder"), env(files_db_));
    EXPECT_EQ(r.exit_code, 2) << r.output;
}

// anonymization.keep_text decides which unlisted free text is kept, in `import` as everywhere:
// SequenceName (kept by default) goes when the list leaves it out; Manufacturer, listed, stays.
TEST_F(Import, TheKeepTextSettingDecidesWhichUnlistedTextIsKept) {
    Lab& lab = Lab::instance();
    const std::string db = lab.fresh_database("import_keep_text");
    auto settings = env(db);
    ASSERT_EQ(lab.dicomlake("migrate", settings).exit_code, 0);
    settings["DICOMLAKE_KEEP_TEXT"] = "Manufacturer";
    auto r = lab.dicomlake("import " + shell_quote(fleet_ + "/dicom"), settings);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string mr = "SELECT count(*) FROM dicomlake.series WHERE modality = 'MR'";
    ASSERT_GT(count(files_db_, mr + " AND attributes ? 'SequenceName'"), 0) << "the default keeps it";
    EXPECT_EQ(count(db, mr + " AND attributes ? 'SequenceName'"), 0);
    EXPECT_EQ(count(db, mr + " AND manufacturer IS NOT NULL"), count(db, mr));
}

// Last (it rewrites the files warehouse): --source-name replaces the path in the rows.
TEST_F(Import, ASourceNameReplacesThePathInTheRows) {
    auto r = Lab::instance().dicomlake("import --force --source-name site-export " + shell_quote(fleet_ + "/dicom"),
                                       env(files_db_));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(count(files_db_, "SELECT count(*) FROM dicomlake.study WHERE source = 'site-export'"), 12);
    EXPECT_EQ(count(files_db_, "SELECT count(*) FROM dicomlake.run WHERE command = 'import' AND source = 'site-export'"), 1);
    EXPECT_EQ(count(files_db_, "SELECT count(*) FROM dicomlake.study WHERE source LIKE '%" + fleet_ + "%'"), 0);
}

}  // namespace
}  // namespace dicomlake::testing
