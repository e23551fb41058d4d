// Complete queries against servers that cap, cut or ignore paging: every study still arrives.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <pqxx/pqxx>

#include "fault_proxy.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

class Queries : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/queries", "--seed 71 --scanners 4 --studies 24 --from 2025-05-05 --to 2025-05-06")));
        lab.seed({lab.dir() + "/queries/dicom"}, false);
    }

    // Backfills through a proxy answering QIDO-RS in `mode`; returns the output, checks it loaded all.
    static std::string backfill_through(QidoMode mode, int n, const std::string& name, const std::string& extra = "") {
        Lab& lab = Lab::instance();
        std::string db = lab.fresh_database(name);
        EXPECT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
        FaultProxy proxy(lab.pacs_origin());
        proxy.set_qido(mode, n);
        auto r = lab.dicomlake("backfill --from 2025-05-05 --to 2025-05-06 " + extra,
                               {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        pqxx::connection c(db);
        pqxx::work tx(c);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<size_t>(), truth_["studies"].size())
            << r.output;
        return r.output;
    }

    static inline nlohmann::json truth_;
};

TEST_F(Queries, PagesShorterThanTheLimitAndNoContentAnswers) {
    // A short page is no proof of the end: the server sends 3 per page and 204 when done.
    backfill_through(QidoMode::page_cap, 3, "queries_pagecap", "--pacs-page-size 10");
}

TEST_F(Queries, AResultCapWithWarning299IsSplitUntilComplete) {
    auto out = backfill_through(QidoMode::total_cap_warning, 5, "queries_cap");
    EXPECT_NE(out.find("splitting it in two"), std::string::npos) << out;
}

TEST_F(Queries, AServerThatIgnoresOffsetIsSplitUntilEachWindowFitsOnePage) {
    backfill_through(QidoMode::ignore_offset, 0, "queries_offset", "--pacs-page-size 4");
}

}  // namespace
}  // namespace dicomlake::testing

namespace dicomlake::testing {
namespace {

std::map<std::string, std::string> fresh(const std::string& name) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database(name);
    EXPECT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    return {{"DICOMLAKE_DB_URL", db}};
}

long studies_in(const std::map<std::string, std::string>& env) {
    pqxx::connection c(env.at("DICOMLAKE_DB_URL"));
    pqxx::work tx(c);
    return tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<long>();
}

TEST(Filters, ModalitiesAndDescriptionPatternsLimitTheListing) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/filters", "--seed 81 --scanners 4 --studies 12 --from 2025-04-07 --to 2025-04-08")));
    lab.seed({lab.dir() + "/filters/dicom"}, false);
    long mr = 0;
    for (const auto& s : truth["studies"]) mr += s["modality"].get<std::string>() == "MR";
    ASSERT_GT(mr, 0);
    ASSERT_LT(mr, static_cast<long>(truth["studies"].size()));

    auto env = fresh("filters_mr");
    auto r = lab.dicomlake("backfill --from 2025-04-07 --to 2025-04-08 --modalities MR", env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(studies_in(env), mr);

    auto env2 = fresh("filters_desc");
    std::string description = truth["studies"][0]["modality"].get<std::string>() == "MR" ? "*LUMBAR*" : "CT*";
    r = lab.dicomlake("backfill --from 2025-04-07 --to 2025-04-08 --study-description '" + description + "'", env2);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_GT(studies_in(env2), 0);
    EXPECT_LT(studies_in(env2), static_cast<long>(truth["studies"].size()));
}

TEST(Filters, AnAccessionListLoadsItsStudiesAndReportsTheLinesThatMatchNothing) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/accessions", "--seed 82 --scanners 4 --studies 6 --from 2025-04-14 --to 2025-04-14")));
    lab.seed({lab.dir() + "/accessions/dicom"}, false);
    std::string list = lab.dir() + "/accessions/list.txt";
    {
        std::ofstream out(list);
        out << "# RIS export\n"
            << truth["studies"][0]["accession"].get<std::string>() << "\n"
            << truth["studies"][1]["accession"].get<std::string>() << "\n"
            << "ACC-NOT-THERE-99\n"
            << truth["studies"][2]["accession"].get<std::string>() << "\n";
    }
    auto env = fresh("filters_acc");
    auto r = lab.dicomlake("backfill --accessions " + shell_quote(list), env);
    EXPECT_EQ(r.exit_code, 3) << r.output;  // one line matched nothing
    EXPECT_EQ(studies_in(env), 3);
    EXPECT_NE(r.output.find("line 4 of the list matched no study"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("ACC-NOT-THERE-99"), std::string::npos) << "a list entry was logged";
    EXPECT_NE(r.output.find("1 accession(s) of the list matched no study"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace dicomlake::testing
