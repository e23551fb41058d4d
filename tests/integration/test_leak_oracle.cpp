// An independent leak oracle. What must not leak comes from dicomlake-leakoracle's own list
// (tests/support/leakoracle/identifying.tsv, copied from PS3.15 Table E.1-1) and from attack
// cases (unlisted text attributes, unknown public tags, wrong VRs, names in non-Latin scripts
// in descriptors, identifiers split by control characters, across values or PN groups, every
// Other Patient ID and issuer, a study without PatientID), never from dicomlake's rule table.
//  - LeakOracle/Case.*: the studies go through Orthanc and a backfill; pg_dump --data-only
//    (warehouse and run ledger), the output of migrate, backfill (debug log) and status must
//    hold no canary: its value, other spellings and letter case, unkeyed MD5/SHA-1/SHA-256 hex,
//    base64. The real study day and the real dates written with a wrong VR count as canaries.
//  - LeakOracleWalk/Case.*: the same instances as DCMTK writes them in DICOM JSON go straight
//    through the walk the workers use (model::walk_metadata with deid::Policy, then the study
//    accumulator), so what a PACS would normalise (a VR fixed from its dictionary, a NUL cut)
//    is still tried; the rows must hold no canary.
//  - LeakOracle.AnalyticValuesSurvive: device, NEX/TR/TE, CTDIvol, patient characteristics and
//    the words of a cleaned descriptor stay (a fix that drops everything fails).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <unordered_map>

#include "deid/policy.hpp"
#include "deid/profile.hpp"
#include "deid/pseudonym.hpp"
#include "harness.hpp"
#include "model/dicom_json.hpp"
#include "normalize/series.hpp"
#include "util/dates.hpp"

namespace dicomlake::testing {
namespace {

using nlohmann::json;

const std::string kList = std::string(DICOMLAKE_SOURCE_DIR) + "/tests/support/leakoracle/identifying.tsv";

// Every attack case of the generator, in report order.
const std::vector<std::string> kCases = {
    "list",           "list_nested",        "uid",           "birth_date",        "real_day",
    "unlisted_text",  "unknown_public_tag", "wrong_vr_date", "split_control",     "split_multivalue",
    "split_pn_group", "identity_tokens",    "non_latin_cyrillic", "non_latin_greek", "non_latin_cjk",
    "no_patient_id"};

// ---- spellings of a canary ----

std::string digest_hex(const EVP_MD* md, const std::string& s, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), out, &n, md, nullptr);
    static const char* lower_digits = "0123456789abcdef";
    static const char* upper_digits = "0123456789ABCDEF";
    const char* d = upper ? upper_digits : lower_digits;
    std::string h;
    for (unsigned int i = 0; i < n; ++i) h += {d[out[i] >> 4], d[out[i] & 15]};
    return h;
}

std::string base64(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();  // padding differs with what follows
    return out;
}

enum class Edge { none, digits, hex, uid };

struct Spelling {
    std::string text;
    size_t canary;
    std::string how;  // "value", "form x", "sha256 of x"...
    Edge edge;
};

bool digit(char c) { return c >= '0' && c <= '9'; }
bool hexchar(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

Edge edge_of(const std::string& s, bool uid) {
    if (uid) return Edge::uid;
    if (std::all_of(s.begin(), s.end(), digit)) return Edge::digits;
    return Edge::none;
}

struct Canary {
    std::string value, attack, where;
};

std::vector<Spelling> spellings(const std::vector<Canary>& canaries, const std::vector<std::vector<std::string>>& forms) {
    std::vector<Spelling> out;
    for (size_t i = 0; i < canaries.size(); ++i) {
        bool uid = canaries[i].attack == "uid";
        std::vector<std::string> all = {canaries[i].value};
        all.insert(all.end(), forms[i].begin(), forms[i].end());
        for (const auto& s : all) {
            out.push_back({s, i, s == canaries[i].value ? "value" : "form " + s, edge_of(s, uid)});
            for (auto [md, name] : {std::pair{EVP_md5(), "md5"}, {EVP_sha1(), "sha1"}, {EVP_sha256(), "sha256"}})
                for (bool up : {false, true})
                    out.push_back({digest_hex(md, s, up), i, std::string(name) + " of " + s, Edge::hex});
            if (s.size() >= 6) out.push_back({base64(s), i, "base64 of " + s, Edge::none});
        }
    }
    return out;
}

bool edge_ok(const std::string& hay, size_t pos, const Spelling& sp) {
    char before = pos ? hay[pos - 1] : ' ';
    size_t end = pos + sp.text.size();
    char after = end < hay.size() ? hay[end] : ' ';
    switch (sp.edge) {
        case Edge::digits: return !digit(before) && !digit(after);
        case Edge::hex: return !hexchar(before) && !hexchar(after);
        case Edge::uid:
            return !digit(before) && before != '.' && !digit(after) &&
                   !(after == '.' && end + 1 < hay.size() && digit(hay[end + 1]));
        case Edge::none: return true;
    }
    return true;
}

// (spelling, offset) of every occurrence; spellings are indexed by their first three bytes.
std::vector<std::pair<size_t, size_t>> find_all(const std::string& hay, const std::vector<Spelling>& sps) {
    std::unordered_map<std::string, std::vector<size_t>> by_head;
    for (size_t i = 0; i < sps.size(); ++i)
        if (sps[i].text.size() >= 3) by_head[sps[i].text.substr(0, 3)].push_back(i);
    std::vector<std::pair<size_t, size_t>> hits;
    std::string head(3, ' ');
    for (size_t pos = 0; pos + 3 <= hay.size(); ++pos) {
        head.assign(hay, pos, 3);
        auto it = by_head.find(head);
        if (it == by_head.end()) continue;
        for (size_t i : it->second)
            if (hay.compare(pos, sps[i].text.size(), sps[i].text) == 0 && edge_ok(hay, pos, sps[i]))
                hits.push_back({i, pos});
    }
    return hits;
}

// "table.column" of an offset in a pg_dump's COPY data.
std::string column_at(const std::string& dump, size_t pos) {
    size_t copy = dump.rfind("\nCOPY ", pos);
    if (copy == std::string::npos) return "outside COPY data";
    size_t open = dump.find('(', copy), close = dump.find(')', open);
    std::string table = dump.substr(copy + 6, open - copy - 7);
    std::vector<std::string> cols;
    for (size_t b = open + 1; b < close;) {
        size_t e = std::min(dump.find(',', b), close);
        cols.push_back(dump.substr(b, e - b));
        b = e + 2;
    }
    size_t line = dump.rfind('\n', pos - 1) + 1;
    auto k = static_cast<size_t>(std::count(dump.begin() + static_cast<long>(line), dump.begin() + static_cast<long>(pos), '\t'));
    return table + "." + (k < cols.size() ? cols[k] : "?");
}

std::string around(const std::string& hay, size_t pos, size_t len) {
    size_t b = pos > 60 ? pos - 60 : 0;
    std::string s = hay.substr(b, pos + len + 60 - b);
    for (char& c : s)
        if (c == '\n' || c == '\t' || c == '\0') c = ' ';
    return "\"" + s + "\"";
}

struct Text {
    std::string name;
    std::string body;
    bool dump;
};

// The canaries of the manifest plus the real days (the study day, the wrong-VR dates).
struct Truth {
    json manifest;
    std::vector<Canary> canaries;
    std::vector<std::vector<std::string>> forms;
    std::vector<Spelling> sps;
};

Truth read_truth(const std::string& dir) {
    Truth t;
    t.manifest = json::parse(read_file(dir + "/manifest.json"));
    for (const auto& c : t.manifest["canaries"]) {
        std::string where;
        for (const auto& w : c["where"]) {
            if (where.size() > 300) {
                where += "; ...";
                break;
            }
            where += (where.empty() ? "" : "; ") + w.value("study", std::string()) + " " + w.value("path", std::string()) +
                     (w.contains("note") ? " (" + w["note"].get<std::string>() + ")" : "");
        }
        t.canaries.push_back({c["value"], c["attack"], where});
        t.forms.push_back(c["forms"].get<std::vector<std::string>>());
    }
    const json& day = t.manifest["real_day"];
    t.canaries.push_back({day["value"], "real_day", "StudyDate, SeriesDate, AcquisitionDate of every study"});
    t.forms.push_back(day["forms"].get<std::vector<std::string>>());
    std::string root = t.manifest["uid_root"];
    t.canaries.push_back({root, "uid", "the root of every UID the generator wrote"});
    t.forms.push_back({});
    t.sps = spellings(t.canaries, t.forms);
    return t;
}

// Fails the current test for every canary of `attack` found in `texts`.
void expect_no_leak(const Truth& t, const std::vector<Text>& texts, const std::string& attack) {
    std::vector<Spelling> mine;
    std::set<size_t> planted;
    for (const auto& sp : t.sps)
        if (t.canaries[sp.canary].attack == attack) {
            mine.push_back(sp);
            planted.insert(sp.canary);
        }
    ASSERT_FALSE(planted.empty()) << "the generator planted no canary for " << attack;
    std::map<size_t, std::vector<std::string>> found;
    std::map<size_t, std::set<std::string>> places;  // one example per place
    for (const auto& text : texts)
        for (auto [i, pos] : find_all(text.body, mine)) {
            std::string place = text.dump ? "pg_dump " + column_at(text.body, pos) : text.name;
            auto& f = found[mine[i].canary];
            if (f.size() < 8 && places[mine[i].canary].insert(place).second)
                f.push_back(mine[i].how + " in " + place + ": " + around(text.body, pos, mine[i].text.size()));
        }
    for (const auto& [c, f] : found) {
        std::string msg = attack + ": " + t.canaries[c].value + " planted at " + t.canaries[c].where + "\n  found:";
        for (const auto& s : f) msg += "\n    " + s;
        ADD_FAILURE() << msg;
    }
    std::fprintf(stderr, "[LeakOracle] %-20s %3zu canaries, %3zu leaked\n", attack.c_str(), planted.size(),
                 found.size());
}

// ---- the pipeline through Orthanc ----

std::string curl_get(const std::string& url, const std::string& accept) {
    Lab& lab = Lab::instance();
    auto r = run_shell("curl -sf -H " + shell_quote("Accept: " + accept) + " -u " +
                       shell_quote("dicomlake:" + lab.orthanc_password()) + " " + shell_quote(url));
    if (r.exit_code != 0) throw std::runtime_error("GET " + url + " failed: " + r.output);
    return r.output;
}

// Leaves the shared PACS as found: other suites count the studies they see.
void remove_from_pacs(const json& studies) {
    Lab& lab = Lab::instance();
    std::string base = lab.pacs_url().substr(0, lab.pacs_url().rfind("/dicom-web"));
    std::string auth = " -u " + shell_quote("dicomlake:" + lab.orthanc_password()) + " ";
    for (const auto& s : studies) {
        auto found = run_shell("curl -sf -X POST" + auth + "--data-binary " + shell_quote(s["study_uid"].get<std::string>()) +
                               " " + shell_quote(base + "/tools/lookup"));
        if (found.exit_code != 0) throw std::runtime_error("Orthanc lookup failed: " + found.output);
        for (const auto& hit : json::parse(found.output))
            if (hit.value("Type", "") == "Study")
                run_shell("curl -sf -X DELETE" + auth + shell_quote(base + "/studies/" + hit["ID"].get<std::string>()));
    }
}

struct OracleRun {
    std::string dir, error, db, dump, served;
    json metadata = json::array();  // every instance as Orthanc serves it
    Truth truth;
    CommandResult migrate, backfill, status;
};

const OracleRun& oracle_run() {
    static OracleRun run = [] {
        OracleRun r;
        try {
            Lab& lab = Lab::instance();
            r.dir = lab.dir() + "/leak-oracle";
            auto gen = run_shell(shell_quote(DICOMLAKE_LEAKORACLE) + " --seed 23 --list " + shell_quote(kList) +
                                 " --out " + shell_quote(r.dir));
            if (gen.exit_code != 0) throw std::runtime_error("dicomlake-leakoracle failed: " + gen.output);
            r.truth = read_truth(r.dir);
            lab.seed({r.dir + "/dicom"}, false);
            // Re-serialised: Orthanc escapes non-ASCII characters, the search needs them as UTF-8.
            for (const auto& s : r.truth.manifest["studies"])
                for (auto& i : json::parse(curl_get(
                         lab.pacs_url() + "/studies/" + s["study_uid"].get<std::string>() + "/metadata",
                         "application/dicom+json")))
                    r.metadata.push_back(std::move(i));
            r.served = r.metadata.dump();
            r.db = lab.fresh_database("leak_oracle");
            std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", r.db}};
            r.migrate = lab.dicomlake("migrate", env);
            std::string day = r.truth.manifest["real_day"]["forms"][0];
            // The window is the operator's own input (run.window_from/to, the log, status): it
            // must not be the studies' day itself, or the test would plant the leak it looks for.
            r.backfill = lab.dicomlake(
                "backfill --log-level debug --from " + add_days(day, -17) + " --to " + add_days(day, 23), env);
            r.status = lab.dicomlake("status", env);
            remove_from_pacs(r.truth.manifest["studies"]);
            auto d = run_shell("pg_dump --data-only --dbname=" + shell_quote(r.db));
            if (d.exit_code != 0) throw std::runtime_error("pg_dump failed: " + d.output);
            r.dump = d.output;
        } catch (const std::exception& e) {
            r.error = e.what();
        }
        return r;
    }();
    return run;
}

// The PACS serves what was written; a wrong VR either reaches dicomlake or is fixed by Orthanc
// (then only the walk below tries it): which, is printed.
TEST(LeakOracle, PacsServesTheStudies) {
    const OracleRun& r = oracle_run();
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.migrate.exit_code, 0) << r.migrate.output;
    // 3: some studies failed (a study without PatientID is refused under some options).
    EXPECT_TRUE(r.backfill.exit_code == 0 || r.backfill.exit_code == 3) << r.backfill.output;
    std::set<size_t> served;
    for (auto [i, pos] : find_all(r.served, r.truth.sps)) served.insert(r.truth.sps[i].canary);
    size_t missing = 0;
    for (size_t c = 0; c < r.truth.canaries.size(); ++c)
        if (!served.count(c) && r.truth.canaries[c].attack != "uid" && missing++ < 10)
            std::fprintf(stderr, "[LeakOracle] not served by Orthanc: %s (%s) at %s\n",
                         r.truth.canaries[c].value.c_str(), r.truth.canaries[c].attack.c_str(),
                         r.truth.canaries[c].where.c_str());
    EXPECT_LT(missing, r.truth.canaries.size() / 10) << "Orthanc serves too few of the canaries";
    for (const auto& w : r.truth.manifest["wrong_vr"]) {
        if (w["depth"] != 0) continue;
        std::string tag = w["tag"].get<std::string>();
        std::string key = tag.substr(1, 4) + tag.substr(6, 4);
        std::string served_vr = "absent";
        for (const auto& i : r.metadata)
            if (i.contains(key)) served_vr = i[key].value("vr", "?");
        std::fprintf(stderr, "[LeakOracle] %s written as %s, Orthanc serves %s\n", w["path"].get<std::string>().c_str(),
                     w["vr"].get<std::string>().c_str(), served_vr.c_str());
    }
}

class Case : public ::testing::TestWithParam<std::string> {};

TEST_P(Case, NothingInTheWarehouseLedgerLogsOrStatus) {
    const OracleRun& r = oracle_run();
    ASSERT_TRUE(r.error.empty()) << r.error;
    for (const char* table : {"dicomlake.run ", "dicomlake.study_status ", "dicomlake.study "})
        ASSERT_NE(r.dump.find(std::string("\nCOPY ") + table), std::string::npos) << table << "not in the dump";
    expect_no_leak(r.truth,
                   {{"pg_dump --data-only", r.dump, true},
                    {"migrate output", r.migrate.output, false},
                    {"backfill output (--log-level debug)", r.backfill.output, false},
                    {"status output", r.status.output, false}},
                   GetParam());
}

std::string case_name(const ::testing::TestParamInfo<std::string>& p) { return p.param; }

INSTANTIATE_TEST_SUITE_P(LeakOracle, Case, ::testing::ValuesIn(kCases), case_name);

TEST(LeakOracle, AnalyticValuesSurvive) {
    const OracleRun& r = oracle_run();
    ASSERT_TRUE(r.error.empty()) << r.error;
    const json& must = r.truth.manifest["must_survive"];
    ASSERT_GE(must.size(), 30u);
    deid::Pseudonymizer pseudo(Lab::instance().key(), 1);  // only to find the rows
    pqxx::connection c(r.db);
    pqxx::work tx(c);
    for (const auto& m : must) {
        std::string table = m["table"], column = m["column"];
        std::string sql = "SELECT " + tx.quote_name(column) + "::text FROM dicomlake." + table +
                          " WHERE study_key = " + tx.quote(pseudo.uid(m["study_uid"].get<std::string>()));
        if (table == "series") sql += " AND series_key = " + tx.quote(pseudo.uid(m["series_uid"].get<std::string>()));
        std::string label = m["name"].get<std::string>() + " (" + table + "." + column + ")";
        auto rows = tx.exec(sql);
        if (rows.size() != 1) {
            ADD_FAILURE() << label << ": " << rows.size() << " rows for its study/series";
            continue;
        }
        if (rows[0][0].is_null()) {
            ADD_FAILURE() << label << " did not survive (NULL)";
            continue;
        }
        std::string got = rows[0][0].as<std::string>();
        if (m["value"].is_number())
            EXPECT_NEAR(std::stod(got), m["value"].get<double>(), 1e-9) << label;
        else if (m["match"] == "contains")
            EXPECT_NE(got.find(m["value"].get<std::string>()), std::string::npos) << label << ": " << got;
        else
            EXPECT_EQ(got, m["value"].get<std::string>()) << label;
    }
}

// ---- the walk alone, on DCMTK's DICOM JSON of the same instances ----

struct Walked {
    std::string error;
    Truth truth;
    std::string rows;  // every text field of every study and series row
};

void append_rows(std::string& out, const normalize::StudyResult& r) {
    const normalize::StudyRow& s = r.study;
    for (const std::string* f : {&s.study_key, &s.study_date, &s.study_time, &s.study_description, &s.institution,
                                 &s.patient_age, &s.patient_sex, &s.patient_key, &s.accession_key, &s.first_acquired,
                                 &s.last_acquired})
        out += *f + "\t";
    out += "\n";
    for (const auto& se : r.series) {
        for (const std::string* f :
             {&se.series_key, &se.modality, &se.manufacturer, &se.model, &se.device_serial, &se.station,
              &se.institution, &se.series_description, &se.protocol_name, &se.body_part, &se.image_type,
              &se.series_date, &se.series_time, &se.first_acquired, &se.last_acquired, &se.attributes_json})
            out += *f + "\t";
        for (const auto& v : se.varying) out += v + "\t";
        out += "\n";
    }
    if (r.dose)
        for (const auto& e : r.dose->events) out += e.event_uid + "\t" + e.target_region + "\t" + e.phantom + "\n";
}

const Walked& walked() {
    static Walked w = [] {
        Walked w;
        try {
            char tmpl[] = "/tmp/leak-oracle-walk-XXXXXX";
            if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
            std::string dir = tmpl;
            auto gen = run_shell(shell_quote(DICOMLAKE_LEAKORACLE) + " --seed 29 --list " + shell_quote(kList) +
                                 " --out " + shell_quote(dir));
            if (gen.exit_code != 0) throw std::runtime_error("dicomlake-leakoracle failed: " + gen.output);
            w.truth = read_truth(dir);
            deid::Pseudonymizer pseudo("leak-oracle-walk-secret-0123456789abcdef", 1);
            deid::Policy policy(pseudo, deid::ProfileOptions::defaults());
            for (const auto& s : w.truth.manifest["studies"]) {
                std::string body = read_file(dir + "/json/" + s["name"].get<std::string>() + ".json");
                try {
                    normalize::StudyAccumulator acc;
                    for (auto& i : model::parse_metadata(body, policy)) acc.add(std::move(i));
                    append_rows(w.rows, acc.finish());
                } catch (const std::exception& e) {
                    // A refused study stores nothing; its reason must hold no identifier either.
                    w.rows += std::string("refused: ") + e.what() + "\n";
                }
            }
            run_shell("rm -rf " + shell_quote(dir));
        } catch (const std::exception& e) {
            w.error = e.what();
        }
        return w;
    }();
    return w;
}

class WalkCase : public ::testing::TestWithParam<std::string> {};

TEST_P(WalkCase, NothingInTheRows) {
    const Walked& w = walked();
    ASSERT_TRUE(w.error.empty()) << w.error;
    ASSERT_GT(w.rows.size(), 1000u);
    expect_no_leak(w.truth, {{"the walk's study and series rows", w.rows, false}}, GetParam());
}

INSTANTIATE_TEST_SUITE_P(LeakOracleWalk, WalkCase, ::testing::ValuesIn(kCases), case_name);

}  // namespace
}  // namespace dicomlake::testing
