// Unattended runs that stop half-way: a second run is locked out; SIGTERM stops cleanly; kill -9
// leaves nothing half-loaded; re-running the same command ends with exactly the warehouse a
// clean run produces.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

#include "fault_proxy.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kBackfill = "backfill --from 2025-12-01 --to 2025-12-02";

class Resume : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/resume", "--seed 41 --scanners 4 --studies 12 --from 2025-12-01 --to 2025-12-02")));
        lab.seed({lab.dir() + "/resume/dicom"}, false);
        clean_ = lab.fresh_database("resume_clean");
        EXPECT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", clean_}}).exit_code, 0);
        auto r = lab.dicomlake(kBackfill, {{"DICOMLAKE_DB_URL", clean_}});
        EXPECT_EQ(r.exit_code, 0) << r.output;
    }

    // Starts the backfill through a proxy that slows every metadata answer, stops it with
    // `sig` after `after_ms`, and returns its exit code.
    static int interrupted_backfill(const std::string& db, int sig, int after_ms, std::string* log_text) {
        Lab& lab = Lab::instance();
        FaultProxy proxy(lab.pacs_origin());
        proxy.add_fault("/metadata", Fault::delayed(300));
        auto bg = lab.dicomlake_background(
            std::string(kBackfill) + " --pacs-concurrency 1 --batch-studies 2",
            lab.dir() + "/resume/" + std::to_string(sig) + ".log",
            {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
        std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
        bg.signal(sig);
        int code = bg.wait();
        if (log_text != nullptr) *log_text = read_file(bg.log);
        return code;
    }

    // A fresh, migrated warehouse.
    static std::string migrated(const std::string& name) {
        Lab& lab = Lab::instance();
        std::string db = lab.fresh_database(name);
        auto m = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
        EXPECT_EQ(m.exit_code, 0) << m.output;
        return db;
    }

    // Studies whose series are not all there: must always be 0 (a study loads whole or not).
    static long half_loaded(const std::string& db) {
        return count(db, "SELECT count(*) FROM dicomlake.study s WHERE s.series_count <>"
                         " (SELECT count(*) FROM dicomlake.series x WHERE x.study_key = s.study_key)");
    }

    // The same backfill again, straight to the PACS: it ends with the clean run's warehouse and
    // no run left "running" in the ledger.
    static void rerun_gives_the_clean_warehouse(const std::string& db) {
        auto again = Lab::instance().dicomlake(kBackfill, {{"DICOMLAKE_DB_URL", db}});
        EXPECT_EQ(again.exit_code, 0) << again.output;
        EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
        EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.run WHERE outcome = 'running'"), 0);
    }

    static long count(const std::string& db, const std::string& sql) {
        pqxx::connection c(db);
        pqxx::work tx(c);
        return tx.exec1(sql)[0].as<long>();
    }

    static inline nlohmann::json truth_;
    static inline std::string clean_;
};

TEST_F(Resume, ASecondRunIsLockedOutWithItsOwnExitCode) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_locked");
    {
        pqxx::connection holder(db);
        pqxx::nontransaction tx(holder);
        tx.exec("SELECT pg_advisory_lock(hashtext('dicomlake.extraction'))");
        tx.exec("INSERT INTO dicomlake.run (command, outcome, host) VALUES ('run', 'running', 'elsewhere')");
        auto r = lab.dicomlake(kBackfill, {{"DICOMLAKE_DB_URL", db}});
        EXPECT_EQ(r.exit_code, 6) << r.output;
        EXPECT_NE(r.output.find("holds the warehouse lock"), std::string::npos) << r.output;
        EXPECT_NE(r.output.find("elsewhere"), std::string::npos) << "the message should name the holder";
        auto run = lab.dicomlake("run", {{"DICOMLAKE_DB_URL", db}});
        EXPECT_EQ(run.exit_code, 6) << run.output;
    }  // the holder's connection ends: so does its lock (as when a run is killed)
    auto r = lab.dicomlake(kBackfill, {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // The dead run's ledger row is closed, not left "running" forever.
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.run WHERE outcome = 'running'"), 0);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.run WHERE host = 'elsewhere' AND outcome = 'failed'"
                        " AND message LIKE 'interrupted%'"),
              1);
}

TEST_F(Resume, SigtermStopsCleanlyAndTheSameCommandFinishesTheJob) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_term");
    std::string log;
    int code = interrupted_backfill(db, SIGTERM, 2000, &log);
    EXPECT_EQ(code, 7) << log;
    EXPECT_NE(log.find("stopping after the studies in flight"), std::string::npos) << log;
    long loaded = count(db, "SELECT count(*) FROM dicomlake.study");
    EXPECT_GT(loaded, 0) << log;
    EXPECT_LT(loaded, static_cast<long>(truth_["studies"].size())) << "the stop came too late to test anything";
    // Never half-loaded: every study has all its series.
    EXPECT_EQ(half_loaded(db),
              0);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.run WHERE outcome = 'failed'"
                        " AND message LIKE 'interrupted by a signal%' AND exit_code = 7"),
              1);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.study_status WHERE state = 'failed'"), 0)
        << "studies cut short by the stop must not be recorded as failed";

    auto again = lab.dicomlake(kBackfill, {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
}

TEST_F(Resume, KillDashNineThenReRunGivesTheCleanWarehouse) {
    std::string db = migrated("resume_kill");
    int code = interrupted_backfill(db, SIGKILL, 1500, nullptr);
    EXPECT_EQ(code, 128 + SIGKILL);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.run WHERE outcome = 'running'"), 1);
    EXPECT_EQ(half_loaded(db),
              0);
    rerun_gives_the_clean_warehouse(db);
}

TEST_F(Resume, ADatabaseRestartMidRunFailsCleanlyAndTheReRunCompletes) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_pgrestart");
    FaultProxy proxy(lab.pacs_origin());
    proxy.add_fault("/metadata", Fault::delayed(300));
    auto bg = lab.dicomlake_background(std::string(kBackfill) + " --pacs-concurrency 1 --batch-studies 2",
                                       lab.dir() + "/resume/pgrestart.log",
                                       {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    lab.restart_postgres();
    int code = bg.wait();
    std::string log = read_file(bg.log);
    EXPECT_EQ(code, 5) << log;
    EXPECT_NE(log.find("PostgreSQL"), std::string::npos) << log;
    EXPECT_LT(count(db, "SELECT count(*) FROM dicomlake.study"), static_cast<long>(truth_["studies"].size()));
    EXPECT_EQ(half_loaded(db),
              0);
    rerun_gives_the_clean_warehouse(db);
}

TEST_F(Resume, TwoRealRunsAtOnceOneProceedsTheOtherGetsTheLockCode) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_two");
    FaultProxy proxy(lab.pacs_origin());
    proxy.add_fault("/metadata", Fault::delayed(400));  // ~5 s in all: longer than a new run waits for the lock
    auto first = lab.dicomlake_background(std::string(kBackfill) + " --pacs-concurrency 1",
                                          lab.dir() + "/resume/first.log",
                                          {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    auto second = lab.dicomlake("run", {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(second.exit_code, 6) << second.output;
    EXPECT_NE(second.output.find("(backfill, started"), std::string::npos) << second.output;
    EXPECT_EQ(first.wait(), 0) << read_file(first.log);
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
}

TEST_F(Resume, AStallPastTheTimeoutIsRetried) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_stall");
    FaultProxy proxy(lab.pacs_origin());
    proxy.add_fault("/metadata", Fault::delayed(2500, 1));  // one answer comes too late
    auto r = lab.dicomlake(std::string(kBackfill) + " --pacs-timeout 1 --pacs-retries 2",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(proxy.faults_served(), 1);
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
}

TEST_F(Resume, AConnectionDroppedMidBodyIsRetried) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_reset");
    FaultProxy proxy(lab.pacs_origin());
    proxy.add_fault("/metadata", Fault::reset_mid_body(3));
    auto r = lab.dicomlake(std::string(kBackfill) + " --pacs-retries 2",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(proxy.faults_served(), 3);
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
}

TEST_F(Resume, UnchangedStudiesAreSkippedUnlessForced) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("resume_force");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    ASSERT_EQ(lab.dicomlake(kBackfill, env).exit_code, 0);
    long n = static_cast<long>(truth_["studies"].size());
    auto again = lab.dicomlake(kBackfill, env);
    EXPECT_NE(again.output.find("0 loaded (0 series), " + std::to_string(n) + " unchanged"), std::string::npos)
        << again.output;
    auto forced = lab.dicomlake(std::string(kBackfill) + " --force", env);
    EXPECT_EQ(forced.exit_code, 0) << forced.output;
    EXPECT_NE(forced.output.find(std::to_string(n) + " loaded"), std::string::npos) << forced.output;
    EXPECT_NE(forced.output.find(" 0 unchanged"), std::string::npos) << forced.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
}

TEST_F(Resume, LargeStudiesFetchedSeriesBySeriesGiveTheSameWarehouse) {
    Lab& lab = Lab::instance();
    std::string db = migrated("resume_series");
    FaultProxy proxy(lab.pacs_origin());
    // Every study counts as large: each is fetched through its series' metadata.
    auto r = lab.dicomlake(std::string(kBackfill) + " --pacs-series-threshold 1",
                           {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean_));
    size_t series = 0;
    for (const auto& s : truth_["studies"]) series += s["series"].size();
    EXPECT_GE(proxy.requests(), static_cast<int>(series + truth_["studies"].size()))
        << "one series query per study and one metadata request per series";
}

}  // namespace
}  // namespace dicomlake::testing
