// A hostile or broken PACS: faults, cut bodies and capped pages on every kind of request, a
// listing that stays malformed, short lists, a sequence nested 100,000 deep and a gzip bomb.
// Each costs at most the study (or the day) it touches, never the run, and nothing is loaded
// from an incomplete answer. The fleets use seeds and days no other suite uses (the lab PACS is
// shared; the canary generator takes 2025-10-06).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "deid/pseudonym.hpp"
#include "fault_proxy.hpp"
#include "harness.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::testing {
namespace {

// A gzip body that inflates to `chunks` MiB of spaces, built from one compressed MiB repeated
// (a full flush makes every chunk compress to the same bytes): a few MB, made in well under a
// second, without ever holding the inflated body.
std::shared_ptr<const std::string> gzip_bomb(size_t chunks) {
    const size_t chunk = size_t(1) << 20;
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("zlib");
    std::string in(chunk, ' ');
    auto step = [&](const std::string& data, int flush) {
        std::string out;
        std::string buf(1 << 16, '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        z.avail_in = static_cast<uInt>(data.size());
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf.data());
            z.avail_out = static_cast<uInt>(buf.size());
            deflate(&z, flush);
            out.append(buf.data(), buf.size() - z.avail_out);
        } while (z.avail_out == 0);
        return out;
    };
    std::string first = step(in, Z_FULL_FLUSH), again = step(in, Z_FULL_FLUSH);
    if (step(in, Z_FULL_FLUSH) != again) throw std::runtime_error("deflate output is not repeatable");
    std::string end = step(std::string(), Z_FINISH);
    deflateEnd(&z);
    end.resize(end.size() - 8);  // zlib's trailer counts 3 chunks: write the real one
    auto out = std::make_shared<std::string>(first);
    for (size_t i = 1; i < chunks; ++i) *out += again;
    *out += end;
    uLong one = crc32(0, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(chunk)), crc = one;
    for (size_t i = 1; i < chunks; ++i) crc = crc32_combine(crc, one, static_cast<z_off_t>(chunk));
    auto size = static_cast<uint32_t>(chunk * chunks);  // ISIZE: the size modulo 2^32
    for (int i = 0; i < 4; ++i) *out += static_cast<char>((crc >> (8 * i)) & 0xFF);
    for (int i = 0; i < 4; ++i) *out += static_cast<char>((size >> (8 * i)) & 0xFF);
    return out;
}

// One instance whose ContentSequence nests `depth` levels deep.
std::shared_ptr<const std::string> deeply_nested(int depth) {
    auto body = std::make_shared<std::string>(R"([{"00100020":{"vr":"LO","Value":["P1"]},"00080060":{"vr":"CS","Value":["SR"]},)");
    for (int i = 0; i < depth; ++i) *body += R"("0040A730":{"vr":"SQ","Value":[{)";
    *body += R"("0040A010":{"vr":"CS","Value":["CONTAINS"]})";
    for (int i = 0; i < depth; ++i) *body += "}]}";
    *body += "}]";
    return body;
}

class Hostile : public ::testing::Test {
protected:
    static nlohmann::json fleet(const std::string& name, const std::string& args) {
        Lab& lab = Lab::instance();
        auto truth = nlohmann::json::parse(read_file(generate_fleet(lab.dir() + "/" + name, args)));
        lab.seed({lab.dir() + "/" + name + "/dicom"}, false);
        return truth;
    }
    static std::string migrated(const std::string& name) {
        Lab& lab = Lab::instance();
        std::string db = lab.fresh_database(name);
        EXPECT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
        return db;
    }
    static std::map<std::string, std::string> through(const FaultProxy& proxy, const std::string& db) {
        return {{"DICOMLAKE_DB_URL", db}, {"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}};
    }
    static long count(const std::string& db, const std::string& sql) {
        pqxx::connection c(db);
        pqxx::work tx(c);
        return tx.exec1(sql)[0].as<long>();
    }
    static long series_of(const std::string& db, const std::string& uid) {
        deid::Pseudonymizer pseudo(Lab::instance().key(), 1);
        pqxx::connection c(db);
        pqxx::work tx(c);
        return tx.exec_params1("SELECT count(*) FROM dicomlake.series WHERE study_key = $1", pseudo.uid(uid))[0]
            .as<long>();
    }
};

TEST_F(Hostile, ABackfillThroughFaultsCutBodiesAndPageCapsLoadsWhatACleanOneLoads) {
    auto truth = fleet("hostile_chaos", "--seed 191 --scanners 4 --studies 12 --from 2025-06-23 --to 2025-06-24");
    Lab& lab = Lab::instance();
    // Series by series (every study above 1 instance) and small pages: every kind of request.
    const std::string args = "backfill --from 2025-06-23 --to 2025-06-24 --pacs-series-threshold 1 --pacs-page-size 5 "
                             "--pacs-breaker-pause 0.1";
    std::string clean = migrated("hostile_clean");
    auto r0 = lab.dicomlake(args, {{"DICOMLAKE_DB_URL", clean}});
    ASSERT_EQ(r0.exit_code, 0) << r0.output;

    std::string db = migrated("hostile_chaos");
    FaultProxy proxy(lab.pacs_origin());
    proxy.set_qido(QidoMode::page_cap, 3);  // 3 per page whatever the limit, silently
    proxy.set_chaos(30, 7);                 // 503, 429, resets and cut bodies on 30 % of the URLs
    // And for certain: the first study listing and the first series listing cut short (a 200
    // whose Content-Length matches the cut body), as in the field.
    Fault cut = Fault::truncated();
    cut.times = 1;
    proxy.add_fault("StudyDate=", cut);  // not the probe: a study listing
    proxy.add_fault("/series?", cut);
    auto r = lab.dicomlake(args, through(proxy, db));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(proxy.faults_served(), 2);
    EXPECT_GE(proxy.chaos_served(), 10);
    EXPECT_EQ(warehouse_rows(db), warehouse_rows(clean)) << r.output;
    for (const auto& s : truth["studies"])
        EXPECT_EQ(series_of(db, s["study_uid"].get<std::string>()), static_cast<long>(s["series"].size()));
}

TEST_F(Hostile, ADeepNestingAndAGzipBombFailTheirStudyWithTheLimitNamed) {
    auto truth = fleet("hostile_limits", "--seed 192 --scanners 3 --studies 5 --from 2025-10-13 --to 2025-10-14");
    const auto& studies = truth["studies"];
    ASSERT_GE(studies.size(), 3u);
    Lab& lab = Lab::instance();
    std::string db = migrated("hostile_limits");
    FaultProxy proxy(lab.pacs_origin());
    const std::string deep = studies[0]["study_uid"].get<std::string>();
    const std::string bomb = studies[1]["study_uid"].get<std::string>();
    proxy.add_fault(deep + "/metadata", Fault::serve(deeply_nested(100000)));
    proxy.add_fault(bomb + "/metadata", Fault::serve(gzip_bomb(2048), "gzip"));  // 2 GiB inflated
    auto r = lab.dicomlake("backfill --from 2025-10-13 --to 2025-10-14 --max-response-mb 16", through(proxy, db));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    std::string deep_status = study_status(db, deep), bomb_status = study_status(db, bomb);
    EXPECT_EQ(deep_status.rfind("failed: limit: ", 0), 0u) << deep_status;
    EXPECT_NE(deep_status.find("limits.max_depth"), std::string::npos) << deep_status;
    EXPECT_EQ(bomb_status.rfind("failed: limit: ", 0), 0u) << bomb_status;
    EXPECT_NE(bomb_status.find("limits.max_response_mb"), std::string::npos) << bomb_status;
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.study"), static_cast<long>(studies.size()) - 2) << r.output;
}

TEST_F(Hostile, AMalformedListingCostsItsDayAndShortListsNeverLoadAStudy) {
    auto truth = fleet("hostile_lists", "--seed 193 --scanners 4 --studies 10 --from 2025-10-20 --to 2025-10-21");
    Lab& lab = Lab::instance();
    const std::string args = "backfill --from 2025-10-20 --to 2025-10-21 --pacs-series-threshold 1 --pacs-retries 1";
    std::string db = migrated("hostile_lists");
    auto first = lab.dicomlake(args, {{"DICOMLAKE_DB_URL", db}});
    ASSERT_EQ(first.exit_code, 0) << first.output;
    const long all_studies = count(db, "SELECT count(*) FROM dicomlake.study");
    const long all_series = count(db, "SELECT count(*) FROM dicomlake.series");

    // A study of the first day with two series or more gets a series list one short
    // (well-formed, no warning).
    std::string short_list;
    for (const auto& s : truth["studies"])
        if (s["study_date"] == "2025-10-20" && s["series"].size() >= 2 && short_list.empty())
            short_list = s["study_uid"].get<std::string>();
    ASSERT_FALSE(short_list.empty());

    FaultProxy proxy(lab.pacs_origin());
    proxy.add_fault("20251021", Fault::garbage());  // every listing that covers the second day
    proxy.add_fault(short_list + "/series?", Fault::drop_last());
    auto r = lab.dicomlake(args + " --force", through(proxy, db));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("listing 2025-10-21 failed"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("run the same command again"), std::string::npos) << r.output;
    EXPECT_NE(study_status(db, short_list).find("failed: truncated"), std::string::npos) << study_status(db, short_list);
    EXPECT_NE(study_status(db, short_list).find("NumberOfStudyRelatedSeries"), std::string::npos);
    // Nothing was lost: not the stored series of the short studies, not the unlisted day.
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.study"), all_studies);
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.series"), all_series);

    auto again = lab.dicomlake(args, {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(count(db, "SELECT count(*) FROM dicomlake.study_status WHERE state = 'failed'"), 0);
}

}  // namespace
}  // namespace dicomlake::testing
