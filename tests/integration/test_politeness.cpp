// Never knock over the PACS: dicomlake keeps to the configured concurrency and request rate,
// and rides out 429/503 answers by waiting as asked (Retry-After) and retrying.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>

#include "fault_proxy.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

class Politeness : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/polite", "--seed 61 --scanners 4 --studies 14 --from 2025-07-07 --to 2025-07-08")));
        lab.seed({lab.dir() + "/polite/dicom"}, false);
    }
    static std::string origin() { return Lab::instance().pacs_origin(); }
    static long studies_in(const std::string& db) {
        pqxx::connection c(db);
        pqxx::work tx(c);
        return tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<long>();
    }
    static inline nlohmann::json truth_;
};

TEST_F(Politeness, ConcurrencyAndRateStayWithinTheConfiguredLimits) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("polite_limits");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    FaultProxy proxy(origin());
    proxy.add_fault("/metadata", Fault::delayed(150));  // slow enough for requests to overlap
    auto r = lab.dicomlake("backfill --from 2025-07-07 --to 2025-07-08 --pacs-concurrency 2 --pacs-max-rps 8",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(studies_in(db), static_cast<long>(truth_["studies"].size()));
    EXPECT_GE(proxy.requests(), static_cast<int>(truth_["studies"].size()));
    EXPECT_LE(proxy.max_in_flight(), 2);
    EXPECT_LE(proxy.max_per_second(), 8 + 1);  // one start may sit on the window's edge
}

TEST_F(Politeness, ThrottlingAndUnavailabilityAreRetriedHonouringRetryAfter) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("polite_retry");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    const auto& studies = truth_["studies"];
    FaultProxy proxy(origin());
    Fault throttled = Fault::answer(429, 2, "1");
    Fault unavailable = Fault::answer(503, 2);
    proxy.add_fault(studies[0]["study_uid"].get<std::string>() + "/metadata", throttled);
    proxy.add_fault(studies[1]["study_uid"].get<std::string>() + "/metadata", unavailable);
    auto t0 = std::chrono::steady_clock::now();
    auto r = lab.dicomlake("backfill --from 2025-07-07 --to 2025-07-08 --pacs-retries 3",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(studies_in(db), static_cast<long>(studies.size()));
    EXPECT_EQ(proxy.faults_served(), 4);
    EXPECT_GE(seconds, 2.0) << "Retry-After: 1 was not honoured twice";
}

TEST_F(Politeness, AFailingPacsGetsPausesInsteadOfFailedStudies) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("polite_breaker");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    FaultProxy proxy(origin());
    proxy.add_fault("/metadata", Fault::answer(503, 8));  // an outage of 8 requests, then fine
    auto r = lab.dicomlake(
        "backfill --from 2025-07-07 --to 2025-07-08 --pacs-concurrency 1 --pacs-retries 2 "
        "--pacs-breaker-threshold 3 --pacs-breaker-pause 0.1",
        {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    // One request at a time and 3 attempts each: without the pauses the outage would use up the
    // attempts of the first two studies and fail them.
    // (Pauses after failures 3 to 8: 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s.)
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(studies_in(db), static_cast<long>(truth_["studies"].size()));
    EXPECT_NE(r.output.find("pausing"), std::string::npos) << r.output;
    EXPECT_EQ(proxy.faults_served(), 8);
}

TEST_F(Politeness, APacsThatNeverRecoversEndsTheRunWithThePacsExitCode) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("polite_down");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    FaultProxy proxy(origin());
    proxy.add_fault("/metadata", Fault::answer(503));
    auto r = lab.dicomlake(
        "backfill --from 2025-07-07 --to 2025-07-08 --pacs-retries 0 --pacs-breaker-threshold 2 "
        "--pacs-breaker-pause 0.1",
        {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_EQ(studies_in(db), 0);
    EXPECT_NE(r.output.find("(6 of 6)"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace dicomlake::testing
