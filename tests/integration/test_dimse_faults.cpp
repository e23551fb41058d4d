// The DIMSE source against a PACS that fails in the middle of a retrieve, which the lab's Orthanc
// cannot be made to do: a fake PACS (fake_dimse_pacs) serving a generated fleet's files. A PACS
// that stops answering, or drops the connection, mid-study fails that study within pacs.timeout
// (recorded in the ledger, retried and loaded by the next run), the others load whole, the exit
// code says partial; and a DIMSE run, finished or killed in the middle of a retrieve, leaves no
// file in TMPDIR or its working directory (objects are read in memory only).
#include <dirent.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deid/pseudonym.hpp"
#include "fake_dimse_pacs.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

// Days and seed no other suite uses (the files never reach the lab's Orthanc, but stay apart).
constexpr const char* kBackfill = "backfill --from 2024-12-09 --to 2024-12-10";
constexpr int kTimeout = 2;  // pacs.timeout of the runs that meet a fault, seconds

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The names in `dir` (dot files included), not descending.
std::vector<std::string> entries_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return {"(cannot open " + dir + ")"};
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") out.push_back(name);
    }
    closedir(d);
    return out;
}

std::string empty_dir(const std::string& name) {
    std::string dir = Lab::instance().dir() + "/" + name;
    run_shell("rm -rf " + shell_quote(dir) + " && mkdir -p " + shell_quote(dir));
    return dir;
}

// Series rows (by series key) and their instance counts.
std::map<std::string, long> loaded_series(const std::string& db) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::map<std::string, long> out;
    for (const auto& row : tx.exec("SELECT series_key, instances FROM dicomlake.series"))
        out[row[0].as<std::string>()] = row[1].as<long>();
    return out;
}

long count(const std::string& db, const std::string& sql, const std::string& param) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    return tx.exec_params1(sql, param)[0].as<long>();
}

class DimseFaults : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/dimse-faults",
            "--seed 351 --scanners 2 --studies 4 --fail-studies 0 --from 2024-12-09 --to 2024-12-10")));
        list_files(lab.dir() + "/dimse-faults/dicom", files_);
    }

    void SetUp() override {
        pacs_ = std::make_unique<FakeDimsePacs>(files_);
        store_port_ = free_port();
        pacs_->add_destination("DICOMLAKE", store_port_);
    }

    void TearDown() override { pacs_.reset(); }


    // A DIMSE backfill through the fake PACS, retrieving by `mode` (get or move).
    std::map<std::string, std::string> env(const std::string& db, const std::string& mode, int timeout_s) const {
        return {{"DICOMLAKE_DB_URL", db},
                {"DICOMLAKE_PACS_URL", pacs_->url()},
                {"DICOMLAKE_PACS_RETRIEVE", mode},
                {"DICOMLAKE_PACS_STORE_PORT", std::to_string(store_port_)},
                {"DICOMLAKE_PACS_TIMEOUT", std::to_string(timeout_s)}};
    }

    // The study the faults hit: the first whose first series has several instances, so a fault
    // after one object leaves part of it received.
    static std::string victim() {
        for (const auto& st : truth_["studies"])
            for (const auto& se : st["series"])
                if (se["instances"].get<int>() >= 2) return st["study_uid"].get<std::string>();
        ADD_FAILURE() << "the fleet has no series of several instances";
        return {};
    }

    // Series keys and their instance counts from the truth, without `except_study`'s.
    static std::map<std::string, long> expected_series(const std::string& except_study = {}) {
        deid::Pseudonymizer pseudo(Lab::instance().key(), 1);
        std::map<std::string, long> out;
        for (const auto& st : truth_["studies"]) {
            if (st["study_uid"] == except_study) continue;
            for (const auto& se : st["series"])
                out[pseudo.uid(se["series_uid"].get<std::string>())] = se["instances"].get<long>();
        }
        return out;
    }
    void expect_partial_then_recovery(const std::string& db, const std::string& victim, const std::string& reason,
                                      const std::map<std::string, std::string>& env);
    void a_silent_pacs_fails_the_study_within_pacs_timeout(const std::string& mode);
    void a_dropped_connection_fails_the_study(const std::string& mode);
    void a_killed_run_leaves_no_file(const std::string& mode);

    static inline nlohmann::json truth_;
    static inline std::vector<std::string> files_;
    std::unique_ptr<FakeDimsePacs> pacs_;
    int store_port_ = 0;
};

// What every run that met a fault must leave: the victim failed for `reason` (and not named by
// UID), no row of it, every other study whole; then the PACS answers again and the same backfill
// loads it.
void DimseFaults::expect_partial_then_recovery(const std::string& db, const std::string& victim,
                                               const std::string& reason,
                                               const std::map<std::string, std::string>& env) {
    const std::string status = study_status(db, victim);
    EXPECT_EQ(status.rfind("failed: " + reason, 0), 0u) << status;
    EXPECT_EQ(status.find(victim), std::string::npos) << "the ledger names the study by UID";
    const std::string key = deid::Pseudonymizer(Lab::instance().key(), 1).uid(victim);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.study WHERE study_key = $1", key), 0);
    EXPECT_EQ(loaded_series(db), expected_series(victim)) << "the others load whole, nothing of the failed one";
    pacs_->set_fault(victim, RetrieveFault::none);
    auto again = Lab::instance().dicomlake(kBackfill, env);
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(study_status(db, victim), "loaded: ");
    EXPECT_EQ(loaded_series(db), expected_series());
}

void DimseFaults::a_silent_pacs_fails_the_study_within_pacs_timeout(const std::string& mode) {
    const std::string victim = DimseFaults::victim();
    pacs_->set_fault(victim, RetrieveFault::go_silent, 1);
    const std::string db = migrated_database("dimse_silent_" + mode);
    const auto e = env(db, mode, kTimeout);
    const auto t0 = Clock::now();
    auto r = Lab::instance().dicomlake(kBackfill, e);
    const double took = seconds_since(t0);
    EXPECT_EQ(r.exit_code, 3) << r.output;  // partial
    EXPECT_EQ(pacs_->faults_met(), 1) << "the fault is met once: the retrieve is not repeated in the run";
    // The fake stays silent until it is destroyed: only pacs.timeout ends the wait, and nothing
    // after it may wait for the silent PACS (an A-ABORT makes DCMTK wait 10 s for it to close).
    EXPECT_GE(took, kTimeout);
    EXPECT_LT(took, kTimeout + 8) << r.output;
    const std::string status = study_status(db, victim);
    EXPECT_NE(status.find("stopped answering"), std::string::npos) << status;
    EXPECT_NE(status.find(std::to_string(kTimeout) + " s (pacs.timeout"), std::string::npos) << status;
    expect_partial_then_recovery(db, victim, "timeout: ", e);
}

TEST_F(DimseFaults, CGetFromAPacsThatStopsAnsweringFailsTheStudyWithinPacsTimeout) {
    a_silent_pacs_fails_the_study_within_pacs_timeout("get");
}

TEST_F(DimseFaults, CMoveFromAPacsThatStopsAnsweringFailsTheStudyWithinPacsTimeout) {
    a_silent_pacs_fails_the_study_within_pacs_timeout("move");
}

void DimseFaults::a_dropped_connection_fails_the_study(const std::string& mode) {
    const std::string victim = DimseFaults::victim();
    pacs_->set_fault(victim, RetrieveFault::close_abruptly, 1);
    const std::string db = migrated_database("dimse_dropped_" + mode);
    const auto e = env(db, mode, 30);  // a closed connection needs no timeout to be seen
    const auto t0 = Clock::now();
    auto r = Lab::instance().dicomlake(kBackfill, e);
    EXPECT_LT(seconds_since(t0), 20) << r.output;
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_EQ(pacs_->faults_met(), 1);
    const std::string status = study_status(db, victim);
    EXPECT_NE(status.find("closed the connection"), std::string::npos) << status;
    expect_partial_then_recovery(db, victim, "unreachable: ", e);
}

TEST_F(DimseFaults, CGetFromAPacsThatDropsTheConnectionFailsTheStudy) { a_dropped_connection_fails_the_study("get"); }

TEST_F(DimseFaults, CMoveFromAPacsThatDropsTheConnectionFailsTheStudy) {
    a_dropped_connection_fails_the_study("move");
}

// Killed (SIGKILL) while it waits for the rest of a study, some of whose objects it received.
void DimseFaults::a_killed_run_leaves_no_file(const std::string& mode) {
    Lab& lab = Lab::instance();
    const std::string victim = DimseFaults::victim();
    pacs_->set_fault(victim, RetrieveFault::go_silent, 1);
    const std::string db = migrated_database("dimse_killed_" + mode);
    const std::string tmp = empty_dir("killed-tmp-" + mode), work = empty_dir("killed-work-" + mode);
    auto e = env(db, mode, 60);
    e["TMPDIR"] = tmp;
    auto run = lab.dicomlake_background(kBackfill, lab.dir() + "/killed-" + mode + ".log", e, work);
    const bool stalled = pacs_->wait_for_faults(1, 20);
    run.signal(SIGKILL);
    EXPECT_EQ(run.wait(), 128 + SIGKILL);
    ASSERT_TRUE(stalled) << "the run never reached the silent retrieve:\n" << read_file(run.log);
    EXPECT_EQ(entries_in(tmp), std::vector<std::string>{});
    EXPECT_EQ(entries_in(work), std::vector<std::string>{});
    EXPECT_EQ(study_status(db, victim), "(no status)") << "a killed run recorded the study in flight";
}

TEST_F(DimseFaults, AKilledCGetRunLeavesNoFileInTmpdirOrTheWorkingDirectory) { a_killed_run_leaves_no_file("get"); }

TEST_F(DimseFaults, AKilledCMoveRunLeavesNoFileInTmpdirOrTheWorkingDirectory) {
    a_killed_run_leaves_no_file("move");
}

TEST_F(DimseFaults, CompletedRunsLeaveNoFileInTmpdirOrTheWorkingDirectory) {
    for (const std::string mode : {"get", "move"}) {
        const std::string db = migrated_database("dimse_clean_" + mode);
        const std::string tmp = empty_dir("clean-tmp-" + mode), work = empty_dir("clean-work-" + mode);
        auto e = env(db, mode, 30);
        e["TMPDIR"] = tmp;
        auto r = run_shell("cd " + shell_quote(work) + " && " + Lab::instance().command_line(kBackfill, e));
        EXPECT_EQ(r.exit_code, 0) << mode << ":\n" << r.output;
        EXPECT_EQ(loaded_series(db), expected_series()) << mode;
        EXPECT_EQ(entries_in(tmp), std::vector<std::string>{}) << mode;
        EXPECT_EQ(entries_in(work), std::vector<std::string>{}) << mode;
    }
}

}  // namespace
}  // namespace dicomlake::testing
