// Complete queries against servers that cap, cut or ignore paging: every study still arrives.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
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
        std::string pacs = lab.pacs_url();
        FaultProxy proxy(pacs.substr(0, pacs.find('/', pacs.find("://") + 3)));
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
