// Bad answers from the PACS: a study whose metadata is malformed or refused is recorded as
// failed with its reason, the others load, the exit code says "partial", and a later clean
// run loads the failed studies.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "deid/pseudonym.hpp"
#include "warehouse/ledger.hpp"
#include "fault_proxy.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

TEST(Faults, MalformedAndFailingStudiesAreRecordedWhileTheRestLoad) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("faults");
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/faults", "--seed 21 --scanners 4 --studies 8 --from 2025-09-01 --to 2025-09-02")));
    lab.seed({lab.dir() + "/faults/dicom"}, false);
    const auto& studies = truth["studies"];
    ASSERT_GE(studies.size(), 4u);

    FaultProxy proxy(lab.pacs_origin());
    std::string truncated = studies[0]["study_uid"].get<std::string>();
    std::string erroring = studies[1]["study_uid"].get<std::string>();
    std::string html = studies[2]["study_uid"].get<std::string>();
    proxy.add_fault(truncated + "/metadata", Fault::truncated());
    proxy.add_fault(erroring + "/metadata", Fault::answer(503));
    proxy.add_fault(html + "/metadata", Fault::garbage());
    std::string wrapped = studies[3]["study_uid"].get<std::string>();
    proxy.add_fault(wrapped + "/metadata", Fault::as_multipart());

    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db},
                                              {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    auto r = lab.dicomlake("backfill --from 2025-09-01 --to 2025-09-02 --pacs-retries 1", env);
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_GE(proxy.faults_served(), 4);  // the 503 was retried once

    deid::Pseudonymizer pseudo(lab.key(), 1);
    pqxx::connection c(db);
    auto reason_of = [&](const std::string& uid) { return study_status(db, uid); };
    EXPECT_NE(reason_of(truncated).find("failed: malformed"), std::string::npos) << reason_of(truncated);
    EXPECT_NE(reason_of(erroring).find("failed: server_error"), std::string::npos) << reason_of(erroring);
    EXPECT_NE(reason_of(html).find("failed: malformed"), std::string::npos) << reason_of(html);
    for (const auto& uid : {truncated, erroring, html}) EXPECT_EQ(reason_of(uid).find(uid), std::string::npos);
    EXPECT_EQ(reason_of(wrapped), "loaded: ") << "a multipart/related answer must load like a plain one";
    {
        pqxx::work tx(c);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<size_t>(), studies.size() - 3);
        // Nothing of a failed study was loaded.
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM dicomlake.series WHERE study_key = $1",
                                  pseudo.uid(truncated))[0]
                      .as<long>(),
                  0);
    }

    // The PACS recovers: the same backfill, straight to Orthanc, completes the warehouse.
    auto again = lab.dicomlake("backfill --from 2025-09-01 --to 2025-09-02", {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<size_t>(), studies.size());
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study_status WHERE state = 'failed'")[0].as<long>(), 0);
    size_t series = 0;
    for (const auto& s : studies) series += s["series"].size();
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.series")[0].as<size_t>(), series);
}

}  // namespace
}  // namespace dicomlake::testing
